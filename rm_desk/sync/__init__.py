"""The sync engine: the httpx client of API.md, pull, push, three-way merge, scheduler.

No Qt here: the GUI talks to it through one facade, ``SyncService``.
"""
