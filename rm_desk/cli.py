"""The ``rm-desk`` command line.

``rm-desk``           the desktop app: sign in, then the workbench
``rm-desk --demo``    the reference server with demo data in-process, signed in as a demo RM
``rm-desk --demo --screenshot-dir DIR``
                      every screen rendered offscreen to DIR/*.png (both languages), then exit
``rm-desk sync``      a headless sync to completion (IT pre-seeding, benchmarks); see --help
``rm-desk doctor``    checks this machine's keyring, encryption library and cache; prints no data
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rm_desk import __version__
from rm_desk.errors import RmDeskError
from rm_desk.paths import AppPaths

DEMO_USER = "rm001"


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
    parser.add_argument(
        "--screenshot-dir",
        type=Path,
        help="with --demo: render every screen to PNG in this folder offscreen, then exit",
    )
    parser.add_argument(
        "--language",
        choices=("zh", "en"),
        action="append",
        help="with --screenshot-dir: only this language (repeatable; default both)",
    )
    args, qt_args = parser.parse_known_args(words)
    if args.screenshot_dir is not None and not args.demo:
        parser.error("--screenshot-dir needs --demo")

    try:
        if args.command == "doctor":
            return _doctor(AppPaths.from_environment())
        if args.screenshot_dir is not None:
            # Offscreen rendering needs no display; set before Qt starts.
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from rm_desk import app

        if args.demo:
            return app.run_demo(
                args.user,
                args.scale,
                screenshot_dir=args.screenshot_dir,
                languages=tuple(args.language or ("en", "zh")),
                argv=["rm-desk", *qt_args],
            )
        return app.run_app(["rm-desk", *qt_args])
    except RmDeskError as error:
        print(f"{error.title}: {error.message}", file=sys.stderr)
        return 1


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
