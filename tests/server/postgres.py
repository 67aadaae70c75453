"""A throwaway PostgreSQL cluster for the server's tests.

:func:`start_cluster` runs ``initdb`` and ``pg_ctl`` from the machine's PostgreSQL (on ``PATH``,
else the newest ``/usr/lib/postgresql/*/bin``, as Debian's ``postgresql`` package installs it;
``scripts/setup-system.sh`` installs it where it can) into a fresh temporary folder: trust
authentication, no TCP listener at all (a unix socket in that folder, named after a free port),
and no fsync, since nothing in it has to survive. PostgreSQL refuses to run as root, so under root
both commands run as the ``postgres`` user through ``runuser``.

:func:`unavailable_reason` says why no cluster can be started here, for a skip message.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"
_DEBIAN_BINARIES = Path("/usr/lib/postgresql")
_SERVER_SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",  # a test may run several servers, each with a pool of 40
}


class ClusterError(RuntimeError):
    """The throwaway cluster could not be created or started; carries the tool's output."""


def find_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, or ``None`` where there is none."""
    initdb = shutil.which("initdb")
    if initdb is not None:
        folder = Path(initdb).resolve().parent
        if (folder / "pg_ctl").exists():
            return folder
    versions = sorted(
        (
            folder
            for folder in _DEBIAN_BINARIES.glob("*/bin")
            if (folder / "initdb").exists() and (folder / "pg_ctl").exists()
        ),
        key=lambda folder: [int(n) for n in re.findall(r"\d+", folder.parent.name)],
    )
    return versions[-1] if versions else None


def _run_as() -> str | None:
    """The user to run PostgreSQL as: ``None`` for the current user, ``postgres`` under root."""
    return SUPERUSER if os.geteuid() == 0 else None


def unavailable_reason() -> str | None:
    """Why no throwaway cluster can be started on this machine, or ``None`` if one can."""
    if find_binaries() is None:
        return (
            "PostgreSQL is not installed (no initdb and pg_ctl on PATH or under "
            "/usr/lib/postgresql/*/bin); scripts/setup-system.sh installs it as root"
        )
    user = _run_as()
    if user is not None:
        try:
            pwd.getpwnam(user)
        except KeyError:
            return f"running as root and there is no {user!r} user to run PostgreSQL as"
        if shutil.which("runuser") is None:
            return f"running as root and there is no runuser to run PostgreSQL as {user!r}"
    return None


@dataclass
class Cluster:
    """A running throwaway cluster; :meth:`stop` ends it and deletes its folder."""

    folder: Path
    port: int
    _bin: Path

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the ``postgres`` database as the superuser, over the socket."""
        return f"postgresql+psycopg://{SUPERUSER}@/postgres?host={self.folder}&port={self.port}"

    def stop(self) -> None:
        with contextlib.suppress(ClusterError):  # already gone: the folder goes anyway
            _run([self._bin / "pg_ctl", "-D", self.folder / "data", "-m", "immediate", "stop"])
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster() -> Cluster:
    """Create and start a cluster in a new temporary folder.

    Raises:
        ClusterError: ``initdb`` or ``pg_ctl`` failed (their output is in the message), or
            :func:`unavailable_reason` has a reason.
    """
    reason = unavailable_reason()
    binaries = find_binaries()
    if reason is not None or binaries is None:
        raise ClusterError(reason or "PostgreSQL is not installed")
    # Not under pytest's tmp_path: its folders are private to the current user, and under root
    # the cluster runs as another one. A short path, too: a unix socket path has ~100 bytes.
    folder = Path(tempfile.mkdtemp(prefix="rm-desk-pg-"))
    user = _run_as()
    if user is not None:
        account = pwd.getpwnam(user)
        os.chown(folder, account.pw_uid, account.pw_gid)
    port = _free_port()
    options = " ".join(f"-c {name}={value}" for name, value in _SERVER_SETTINGS.items())
    try:
        _run(
            [
                binaries / "initdb",
                "-D",
                folder / "data",
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ]
        )
        _run(
            [
                binaries / "pg_ctl",
                "-D",
                folder / "data",
                "-l",
                folder / "server.log",
                "-o",
                f"{options} -c unix_socket_directories={folder} -c port={port}",
                "-w",
                "-t",
                "60",
                "start",
            ]
        )
    except ClusterError:
        log = folder / "server.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        if tail:
            raise ClusterError(f"PostgreSQL did not start; its log ends:\n{tail}") from None
        raise
    return Cluster(folder, port, binaries)


def _run(command: list[str | Path]) -> None:
    args = [str(part) for part in command]
    user = _run_as()
    if user is not None:
        args = ["runuser", "-u", user, "--", *args]
    completed = subprocess.run(
        args, capture_output=True, text=True, timeout=120, check=False, cwd="/"
    )
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip()[-2000:]
        raise ClusterError(f"{Path(args[0]).name} … {command[-1]} failed: {output}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
