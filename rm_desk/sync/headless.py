"""``rm-desk sync``: one complete sync without a window (IT pre-seeding, benchmarks, scripts).

::

    rm-desk sync --server URL --user NAME --password-stdin [--data-dir DIR] [--ca-bundle PEM]

Reads the password from the first line of standard input (never from the command line, where
other users of the machine could see it), signs in, opens the signed-in user's encrypted cache
(the key in the OS credential store), runs one sync round to completion (push, the whole feed,
push, the audit log), and prints what it did and what is left. Exit status 0 on success; 1 with
one line of words on standard error when anything fails (wrong password, server unreachable,
cache locked …); 2 for a command line it cannot use.

It fills the very cache the app opens for that user (:mod:`rm_desk.local_store.users`): the one
at ``users/<user id>/cache.db`` in the data directory, the user id taken from the sign-in's
answer. It signs in with the device id the app uses (the cache's own when the cache is there,
else this machine's), keeps it in the cache, remembers the user name in the user index (so the
app's sign-in finds the cache, and offers offline work once the user has signed in online in the
app), and appends a ``login`` audit event (``mode`` ``"headless"``), uploaded by the same round.
"""

from __future__ import annotations

import argparse
import dataclasses
import socket
import sys
from collections.abc import Sequence
from datetime import UTC
from pathlib import Path
from typing import NoReturn, TextIO

from rm_desk.domain.enums import OpState
from rm_desk.errors import RmDeskError
from rm_desk.local_store import KeyVault, Store, default_vault
from rm_desk.local_store.audit import append_audit
from rm_desk.local_store.engine import utc_now
from rm_desk.local_store.outbox import UNSENT_STATES, count_open_conflicts, op_counts
from rm_desk.local_store.sync_state import DEVICE_ID, get_state, set_state
from rm_desk.local_store.users import (
    known_user_id,
    machine_device_id,
    open_user_cache,
    remember_user,
    user_cache_exists,
)
from rm_desk.paths import AppPaths
from rm_desk.sync.client import ApiClient
from rm_desk.sync.engine import RoundReport, SyncEngine

PROG = "rm-desk sync"
LOGIN = "login"
HEADLESS = "headless"
"""The ``mode`` of the ``login`` audit event of ``rm-desk sync``."""
NO_PASSWORD = "No password on standard input (--password-stdin reads its first line)."


class _BadCommandLine(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """Reports a bad command line in one line, as every other failure of the command."""

    def error(self, message: str) -> NoReturn:
        raise _BadCommandLine(f"{self.prog}: {message} (see --help)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Sync the local cache with the bank's server once.")
    parser.add_argument("--server", required=True, help="the server's address, https://…")
    parser.add_argument("--user", required=True, help="the user name to sign in with")
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from the first line of standard input",
    )
    parser.add_argument("--data-dir", type=Path, help="where the cache lives (default: the app's)")
    parser.add_argument("--ca-bundle", help="the bank's CA certificates (PEM) to verify TLS with")
    return parser


def run(
    argv: Sequence[str] | None = None,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    vault: KeyVault | None = None,
) -> int:
    """Run ``rm-desk sync``; returns the exit status (see the module docstring).

    Args:
        argv: The arguments after ``rm-desk`` (a leading ``sync`` is allowed) or after
            ``rm-desk sync``; ``None`` reads ``sys.argv``.
        stdin, stdout, stderr: The streams (tests).
        vault: Where the cache key is kept; the OS credential store when omitted.
    """
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    words = list(sys.argv[1:] if argv is None else argv)
    if words[:1] == ["sync"]:
        words = words[1:]
    try:
        args = _parser().parse_args(words)
    except _BadCommandLine as bad:
        print(bad, file=stderr)
        return 2
    except SystemExit as leaving:  # --help
        return leaving.code if isinstance(leaving.code, int) else 0
    password = stdin.readline().rstrip("\r\n")
    if not password:
        print(f"{PROG}: {NO_PASSWORD}", file=stderr)
        return 2
    paths = AppPaths.from_environment()
    if args.data_dir is not None:
        paths = dataclasses.replace(paths, data_dir=args.data_dir)
    store: Store | None = None
    client: ApiClient | None = None
    try:
        vault = vault or default_vault()
        username = args.user.strip()
        known_id = known_user_id(paths, username)
        device_id = machine_device_id(paths)
        if known_id is not None and user_cache_exists(paths, known_id, vault):
            # The cache's own device id wins: the app resumes its session with that one.
            store = open_user_cache(paths, known_id, vault, utc_now)
            device_id = _device_id(store) or device_id
        client = ApiClient(
            args.server,
            verify=args.ca_bundle or True,
            device_id=device_id,
            device_name=socket.gethostname(),
            clock=utc_now,
        )
        user = client.login(username, password).user
        if store is not None and known_id != user.id:
            store.close()  # the name now belongs to another user id: that user's cache
            store = None
        if store is None:
            store = open_user_cache(paths, user.id, vault, utc_now)
        if store.notice:
            print(f"{PROG}: {store.notice}", file=stderr)
        _note_sign_in(store, user.id, device_id)
        remember_user(paths, username, user.id)
        report = SyncEngine(store, client).run_round()
        print_report(store, report, stdout)
        return 0
    except RmDeskError as error:
        print(f"{PROG}: {error.title}: {error.message}", file=stderr)
        return 1
    finally:
        if client is not None:
            client.close()
        if store is not None:
            store.close()


def _device_id(store: Store) -> str | None:
    with store.read() as conn:
        return get_state(conn, DEVICE_ID)


def _note_sign_in(store: Store, user_id: str, device_id: str) -> None:
    with store.write() as conn:
        set_state(conn, DEVICE_ID, device_id)  # the one the session was issued to, as the app
        append_audit(
            conn,
            ts=store.clock().astimezone(UTC).isoformat(),
            action=LOGIN,
            user_id=user_id,
            device_id=device_id,
            detail={"mode": HEADLESS},
        )


def print_report(store: Store, report: RoundReport, out: TextIO) -> None:
    with store.read() as conn:
        counts = op_counts(conn)
        conflicts = count_open_conflicts(conn)
    applied = report.pushed.applied + report.pushed_after.applied
    pulled = report.pulled
    pending = sum(counts.get(state, 0) for state in UNSENT_STATES)
    print(f"sent:        {applied} changes applied", file=out)
    print(
        f"received:    {pulled.changes} changes in {pulled.pages} pages "
        f"({pulled.upserted} stored, {pulled.deleted + pulled.purged} removed, "
        f"{pulled.quarantined} set aside)"
        + (f"; full resync removed {pulled.swept}" if pulled.replaced else ""),
        file=out,
    )
    print(f"pending:     {pending}", file=out)
    print(f"conflicts:   {conflicts}", file=out)
    print(f"rejected:    {counts.get(OpState.REJECTED, 0)}", file=out)


__all__ = ["run"]
