"""The ``rm-desk`` command line.

``rm-desk``           the desktop app (the window arrives with the workbench; until then it says so)
``rm-desk --demo``    the app against a demo data set in a throwaway folder
``rm-desk doctor``    checks this machine's keyring, encryption library and cache; prints no data
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from rm_desk import __version__
from rm_desk.errors import RmDeskError
from rm_desk.paths import AppPaths

NOT_YET = (
    "Not built yet: the reference CRM server, sync with the bank, and the desktop window. "
    "What exists today is the encrypted local cache, which this command has just exercised."
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rm-desk", description="RM Desk workbench")
    parser.add_argument("--version", action="version", version=f"RM Desk {__version__}")
    parser.add_argument("--demo", action="store_true", help="run against demo data")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("doctor", help="check keyring, encryption and the local cache")
    args = parser.parse_args(argv)

    try:
        if args.command == "doctor":
            return _doctor(AppPaths.from_environment())
        return _demo() if args.demo else _app()
    except RmDeskError as error:
        print(f"{error.title}: {error.message}", file=sys.stderr)
        return 1


def _app() -> int:
    print(f"RM Desk {__version__}")
    print(NOT_YET)
    return _doctor(AppPaths.from_environment())


def _demo() -> int:
    from rm_desk.local_store import default_vault, open_store
    from rm_desk.local_store.migrate import current_revision

    print(f"RM Desk {__version__} — demo")
    with tempfile.TemporaryDirectory(prefix="rm-desk-demo-") as scratch:
        store = open_store(Path(scratch) / "cache.db", default_vault())
        try:
            print(f"  demo cache:        {store.path}")
            print(f"  key kept in:       {store.key_storage.value}")
            if store.notice:
                print(f"  note:              {store.notice}")
            print(f"  schema revision:   {current_revision(store.engine)}")
            report = store.check_integrity()
            print(f"  integrity:         {'ok' if report.ok else 'FAILED'}")
        finally:
            store.close()
    print(NOT_YET)
    return 0


def _doctor(paths: AppPaths) -> int:
    from sqlcipher3 import dbapi2

    from rm_desk.local_store.keys import backend_qualname, find_secure_backend

    backend = find_secure_backend()
    probe = dbapi2.connect(":memory:")
    try:
        cipher = probe.execute("PRAGMA cipher_version").fetchone()
    finally:
        probe.close()
    print("RM Desk check-up")
    print(f"  version:           {__version__}")
    print(f"  SQLCipher:         {cipher[0] if cipher and cipher[0] else 'MISSING'}")
    print(f"  OS keyring:        {backend_qualname(backend) if backend else 'none (memory only)'}")
    print(f"  data folder:       {paths.data_dir}")
    print(f"  cache present:     {'yes' if paths.cache_db.exists() else 'no'}")
    return 0 if cipher and cipher[0] else 1


if __name__ == "__main__":
    raise SystemExit(main())
