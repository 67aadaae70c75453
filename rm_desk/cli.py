"""The ``rm-desk`` command line.

``rm-desk``           the desktop app (the window arrives with the workbench; until then it says so)
``rm-desk --demo``    the reference server with demo data, in-process, and a real sync of an RM's
                      book into a throwaway encrypted cache
``rm-desk sync``      a headless sync to completion (IT pre-seeding, benchmarks); see --help
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
    "Not built yet: the desktop window (sign-in, Today, customers, the 360 view). What exists "
    "today is the encrypted cache, the sync engine and the reference server, which this "
    "command has just exercised."
)
DEMO_USER = "rm001"
DEMO_PASSWORD = "rmdesk-demo"  # the reference server's seeded demo users (API.md §4)


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if words[:1] == ["sync"]:
        from rm_desk.sync import headless

        return headless.run(words)
    parser = argparse.ArgumentParser(prog="rm-desk", description="RM Desk workbench")
    parser.add_argument("--version", action="version", version=f"RM Desk {__version__}")
    parser.add_argument("--demo", action="store_true", help="run against demo data")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("doctor", help="check keyring, encryption and the local cache")
    sub.add_parser("sync", help="sync without a window (rm-desk sync --help)")
    parser.add_argument("--user", default=DEMO_USER, help="with --demo: the demo user to sign in")
    parser.add_argument(
        "--scale", default="demo", help="with --demo: demo (about 6,000 customers) or a number"
    )
    args = parser.parse_args(words)

    try:
        if args.command == "doctor":
            return _doctor(AppPaths.from_environment())
        return _demo(args.user, args.scale) if args.demo else _app()
    except RmDeskError as error:
        print(f"{error.title}: {error.message}", file=sys.stderr)
        return 1


def _app() -> int:
    print(f"RM Desk {__version__}")
    print(NOT_YET)
    return _doctor(AppPaths.from_environment())


def _demo(user: str, scale: str) -> int:
    from datetime import date, timedelta, timezone

    from crm_server.runner import start_server
    from crm_server.settings import Settings
    from crm_server.synth.records import Scale
    from rm_desk.local_store import default_vault, open_store
    from rm_desk.local_store.engine import utc_now
    from rm_desk.local_store.queries import count_rows, today_queue
    from rm_desk.local_store.search import search_customers
    from rm_desk.sync.client import ApiClient
    from rm_desk.sync.engine import SyncEngine
    from rm_desk.sync.headless import print_report

    print(f"RM Desk {__version__} — demo")
    with tempfile.TemporaryDirectory(prefix="rm-desk-demo-") as scratch:
        folder = Path(scratch)
        size: Scale | int = Scale.DEMO if scale == "demo" else int(scale)
        print(f"  starting the reference CRM server with a synthetic bank ({scale}) …")
        settings = Settings(db_url=f"sqlite:///{folder / 'crm.db'}", dev=True, scale=size)
        store = open_store(folder / "data" / "cache.db", default_vault())
        try:
            if store.notice:
                print(f"  note:              {store.notice}")
            with start_server(settings) as server:
                print(f"  server:            {server.url}")
                print(f"  signing in as {user} and syncing the book into the encrypted cache …")
                with ApiClient(
                    server.url, device_id="rm-desk-demo", device_name="demo", clock=utc_now
                ) as client:
                    client.login(user, DEMO_PASSWORD)
                    report = SyncEngine(store, client).run_round()
                print_report(store, report, sys.stdout)
            with store.read() as conn:
                counts = count_rows(conn, ["customer", "account", "transaction", "task", "alert"])
                queue = today_queue(
                    conn, user_id=user, today=date.today(), zone=timezone(timedelta(hours=8))
                )
                hits = search_customers(conn, "zh", limit=3)
            print("  cached:            " + ", ".join(f"{n:,} {e}" for e, n in counts.items()))
            print(
                f"  Today:             {len(queue.overdue)} overdue and "
                f"{len(queue.due_today)} due tasks, {len(queue.alerts_by_rule)} alert rules, "
                f"{len(queue.maturities)} maturities this week"
            )
            print(
                f"  search 'zh':       {len(hits)} hits, e.g. mobile {hits[0].mobile_masked}"
                if hits
                else "  search 'zh':       no hits"
            )
            print(f"  key kept in:       {store.key_storage.value}")
            integrity = store.check_integrity()
            print(f"  integrity:         {'ok' if integrity.ok else 'FAILED'}")
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
