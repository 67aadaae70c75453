"""The one error tree of RM Desk.

Every error the app shows a person derives from :class:`RmDeskError` and carries a short ``title``
and a ``message`` written for a relationship manager, not a developer. Neither ever contains
customer data: messages are built from fixed text and record ids only. The GUI shows these words
and never ``repr(e)``. Where an error comes from a library (SQLAlchemy, sqlcipher3, httpx), one
``convert_errors()`` context manager in the layer that uses the library turns it into one of these.

::

    RmDeskError
    ├── StoreError                   local cache problems (local_store)
    │   ├── CacheLocked              wrong or missing key; the file is left untouched
    │   ├── CacheCorrupt             integrity check failed; the file was quarantined
    │   ├── InsecureStore            SQLCipher missing or misconfigured; refuses to run
    │   └── WriteRejected            a user edit the store refuses (bad entity, field, or state)
    └── ConfigError                  a setting that cannot be used

Titles and messages are English source strings; the GUI translates them through Qt's ``tr()``
with the context ``"errors"``, so they must stay literal constants, never built by concatenation.
"""

from __future__ import annotations


class RmDeskError(Exception):
    """Base of every error a person may see."""

    title = "Something went wrong"

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return self.message


class StoreError(RmDeskError):
    title = "Local cache problem"


class CacheLocked(StoreError):
    title = "Cache locked"


class CacheCorrupt(StoreError):
    title = "Cache damaged"

    def __init__(self, message: str, *, quarantined_to: str | None = None) -> None:
        super().__init__(message)
        self.quarantined_to = quarantined_to


class InsecureStore(StoreError):
    title = "Encryption unavailable"


class WriteRejected(StoreError):
    title = "Change not saved"


class ConfigError(RmDeskError):
    title = "Configuration problem"
