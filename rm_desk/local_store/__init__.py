"""The encrypted local cache: SQLCipher through SQLAlchemy Core.

Open it with :func:`open_store`; read and write through the query and write-path modules
(:mod:`.queries`, :mod:`.writes`, :mod:`.ingest`, :mod:`.search`, :mod:`.audit`). No Qt here.
"""

from rm_desk.local_store.engine import IntegrityReport, Store, open_store
from rm_desk.local_store.keys import KeyringVault, KeyStorage, KeyVault, MemoryVault, default_vault

__all__ = [
    "IntegrityReport",
    "KeyStorage",
    "KeyVault",
    "KeyringVault",
    "MemoryVault",
    "Store",
    "default_vault",
    "open_store",
]
