"""Running the server: preparing its database and serving it from a background thread.

:func:`start_server` is the in-process API used by ``rm-desk --demo``, by tests and by the
``crm-server`` command: it creates the schema, fills an empty database with the synthetic bank
(or the :class:`~crm_server.synth.records.SeedData` given), binds the port (0: any free one) and
returns once the server answers, with its URL. :meth:`RunningServer.stop` shuts it down.
"""

from __future__ import annotations

import importlib
import socket
import threading
import time
from dataclasses import dataclass

import uvicorn

from crm_server.app import API_PREFIX, create_app
from crm_server.database import Database
from crm_server.seeding import SeedCounts, SeedingError, seed_database
from crm_server.services import Services, build_services
from crm_server.settings import Settings
from crm_server.synth.records import SeedData

_START_TIMEOUT_S = 30.0


class ServerStartError(RuntimeError):
    """The server could not start (port taken, database unusable, generator missing)."""


@dataclass
class RunningServer:
    """A server answering on loopback (or ``settings.host``) from a background thread.

    Attributes:
        url: Base URL of the server, ``http://127.0.0.1:PORT``.
        api_url: ``url`` with the API's base path, ``http://127.0.0.1:PORT/api/v1``.
        port: The port it listens on.
        services: The server's parts (its database included), for tests that look inside.
        seeded: What the start wrote into an empty database, ``None`` if it was not empty.
    """

    url: str
    api_url: str
    port: int
    services: Services
    seeded: SeedCounts | None
    _server: uvicorn.Server
    _thread: threading.Thread
    _socket: socket.socket

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving, wait for the thread, and close the socket and database connections."""
        self._server.should_exit = True
        self._thread.join(timeout)
        self._socket.close()
        self.services.feed.close()
        self.services.database.dispose()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def prepare_database(
    settings: Settings, seed_data: SeedData | None = None
) -> tuple[Database, SeedCounts | None]:
    """Open the database, create missing tables, and seed it if it has no users yet.

    Args:
        settings: The database URL, the generator's scale and seed, the password hash cost.
        seed_data: What to seed with instead of the generator's bank (tests).

    Raises:
        ServerStartError: the database is empty and the generator is not available.
    """
    database = Database(settings.db_url)
    database.create_schema()
    if database.has_users():
        return database, None
    if database.has_records():
        # Users are seeded last, so records without users are a seeding that did not finish.
        database.dispose()
        raise ServerStartError(
            "the synthetic bank of this database was not fully written; delete it and start again"
        )
    if seed_data is None:
        seed_data = _generate(settings)
    try:
        return database, seed_database(database, seed_data, kdf_cost=settings.kdf_cost)
    except SeedingError as exc:
        database.dispose()
        raise ServerStartError(str(exc)) from exc


def start_server(settings: Settings, seed_data: SeedData | None = None) -> RunningServer:
    """Prepare the database and serve the API from a background thread.

    Args:
        settings: How to run (``port`` 0 picks a free port).
        seed_data: Seed for an empty database instead of the generator's bank.

    Returns:
        The running server, once it accepts connections.

    Raises:
        ServerStartError: the port cannot be bound or the server did not come up.
    """
    database, seeded = prepare_database(settings, seed_data)
    services = build_services(settings, database)
    sock = _bind(settings.host, settings.port)
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(
        create_app(services),
        log_config=None,  # leave logging to the host (the app, the command, pytest)
        log_level="warning",
        access_log=False,
        lifespan="off",
        ws="none",
        loop="asyncio",
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"crm-server:{port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + _START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            database.dispose()
            raise ServerStartError("the server did not start")
        time.sleep(0.01)
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    url = f"http://{host}:{port}"
    return RunningServer(
        url=url,
        api_url=url + API_PREFIX,
        port=port,
        services=services,
        seeded=seeded,
        _server=server,
        _thread=thread,
        _socket=sock,
    )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP, and
    # without it a small answer written in two parts waits for a delayed ACK (40 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServerStartError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock


def _generate(settings: Settings) -> SeedData:
    # Imported on demand: the generator (Faker and all) is only needed to fill an empty database.
    try:
        module = importlib.import_module("crm_server.synth.generate")
    except ImportError:
        raise ServerStartError(
            "the database is empty and the synthetic bank generator is not available"
        ) from None
    data = module.generate(settings.scale, settings.seed)
    if not isinstance(data, SeedData):
        raise ServerStartError("the synthetic bank generator did not produce seed data")
    return data
