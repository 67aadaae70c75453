"""The ``crm-server`` command: the reference CRM server for API.md.

``crm-server --db URL --host 127.0.0.1 --port 0 --seed N --scale demo|bench|N --dev`` prepares the
database (an empty one is filled with the synthetic bank), then prints exactly one line,
``listening on http://HOST:PORT``, once the server answers (port 0 picks a free port and the line
names it), and serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import timedelta
from types import FrameType

from crm_server.database import DatabaseUrlError
from crm_server.runner import ServerStartError, start_server
from crm_server.settings import Settings, parse_scale

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``crm-server``."""
    parser = argparse.ArgumentParser(
        prog="crm-server", description="Reference CRM server for the RM Desk sync contract."
    )
    defaults = Settings()
    parser.add_argument(
        "--db",
        default=defaults.db_url,
        help="SQLAlchemy database URL (sqlite:///file.db or postgresql+psycopg://…)",
    )
    parser.add_argument("--host", default=defaults.host, help="address to listen on")
    parser.add_argument("--port", type=int, default=defaults.port, help="port; 0 picks a free one")
    parser.add_argument(
        "--seed",
        type=int,
        default=defaults.seed,
        help="random seed of the synthetic bank for an empty database",
    )
    parser.add_argument(
        "--scale",
        type=_scale,
        default=defaults.scale,
        help="size of the synthetic bank: demo, bench or a number of customers",
    )
    parser.add_argument(
        "--dev",
        action="store_true",
        help="enable the /dev calls (reference server only, loopback callers)",
    )
    parser.add_argument(
        "--cursor-horizon-days",
        type=float,
        default=defaults.cursor_horizon.total_seconds() / 86400,
        help="feed cursors older than this get 410 cursor_expired",
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=defaults.rate_limit_per_minute,
        help="calls per user and minute (0: no limit)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server until SIGTERM or SIGINT; returns the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = Settings(
        db_url=args.db,
        host=args.host,
        port=args.port,
        seed=args.seed,
        scale=args.scale,
        dev=args.dev,
        cursor_horizon=timedelta(days=args.cursor_horizon_days),
        rate_limit_per_minute=args.rate_limit or None,
    )
    try:
        server = start_server(settings)
    except (ServerStartError, DatabaseUrlError) as exc:
        print(f"crm-server: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {signum: signal.signal(signum, on_signal) for signum in _STOP_SIGNALS}
    try:
        print(f"listening on {server.url}", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0


def _scale(text: str) -> object:
    try:
        return parse_scale(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
