"""Signing in: online through the bank's server, or offline against the local verifier.

No Qt here: the sign-in dialog (:mod:`rm_desk.views.sign_in`) runs these functions through its
task runner, and ``rm-desk`` starts the window from the :class:`SignedIn` they return.

::

    signed = sign_in_online(config, paths, "rm001", password, vault=vault, clock=utc_now)
    # or, when the server cannot be reached and can_unlock_offline(paths, "rm001", vault):
    signed = unlock_offline(config, paths, "rm001", password, vault=vault, clock=utc_now)
    service = SyncService(signed.store, signed.connect, user_id=signed.user.id,
                          device_id=signed.device_id)
    bench = Workbench(store=signed.store, user=signed.user, permissions=signed.permissions,
                      policy=signed.policy, device_id=signed.device_id, online=signed.online, ...)
    ...
    sign_in_again(signed, password, clock=utc_now)   # the bank ended the session (sync says so)
    ...
    sign_out(signed)          # off the GUI thread: it may wait up to a few seconds for the server

What is kept where (the cache, index and device-id helpers are
:mod:`rm_desk.local_store.users`, shared with the headless ``rm-desk sync``):

- **One cache per bank user** (:func:`rm_desk.paths.user_cache_db`), so two RMs sharing a branch
  PC never share a cache. ``users/index.json`` in the data directory maps the user name typed at
  sign-in to the server's user id (no secrets: names and ids only), so an offline unlock finds the
  cache before the server says who the user is.
- **The device id** is this machine's (``device-id`` in the data directory, a random UUID made
  once) and is also kept in each cache's ``sync_state`` under ``device_id``, the key the headless
  ``rm-desk sync`` uses. A cache's own id wins, so a session always resumes with the device id its
  refresh token was issued to.
- **The refresh token** in the OS credential store under the service ``"RM Desk session"``
  (:class:`KeyringTokenStore`); where the machine has no secure store, in memory only
  (:class:`MemoryTokenStore`). The access token stays in the client's memory. The server does not
  rotate refresh tokens, so several clients (the sync thread's, the online calls') resume from the
  same one.
- **The offline verifier, the last ``GET /me`` and the time of the online sign-in** inside the
  encrypted cache (:mod:`rm_desk.local_store.unlock`). The password itself is never kept.

Signing in again: when the bank ended the session (an offline unlock with no stored session, a
refresh token revoked or expired on the server, sync's status saying so: :func:`session_ended`),
:func:`sign_in_again` signs the same user in online with the same device id, over the open cache
and window, and stores the new refresh token where ``signed.connect`` and ``signed.online`` find
it; sync then resumes with "Sync now". ``SignedIn`` is frozen and keeps the ``mode`` the session
began in; ``signed.credentials.mode`` says how it stands now (``"online"`` once signed in again).

Errors (each with a ``title`` and ``message`` for people)::

    RmDeskError                           rm_desk.errors
    ├── SyncError …                       from sign_in_online: BadCredentials, AccountLocked,
    │                                     Offline, UntrustedServer … (rm_desk.sync.errors)
    ├── StoreError …                      the cache could not be opened (CacheLocked …)
    ├── DifferentUser                     sign_in_again with another user's sign-in details
    └── UnlockRefused                     offline unlock refused
        ├── NoOfflineSignIn               no earlier online sign-in of this user here
        ├── WrongPassword                 attempts_left, retry_after_s
        ├── UnlockThrottled               retry_after_s: wait before the next try
        ├── UnlockBlocked                 too many failures: sign in online first
        └── OfflineLeaseExpired           no server contact for offline_block_hours
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, TypeVar

from rm_desk.config import Config
from rm_desk.domain.enums import Role
from rm_desk.errors import RmDeskError
from rm_desk.local_store import Store
from rm_desk.local_store.audit import append_audit
from rm_desk.local_store.keys import (
    SECURE_BACKENDS,
    KeyStorage,
    KeyVault,
    KeyVaultError,
    backend_qualname,
    find_secure_backend,
)
from rm_desk.local_store.sync_state import DEVICE_ID, get_state, set_state
from rm_desk.local_store.unlock import (
    DEFAULT_COST,
    UnlockCheck,
    UnlockOutcome,
    check_password,
    has_verifier,
    lease_expired,
    note_online_sign_in,
    recall_me,
    remember_me,
    remember_password,
)
from rm_desk.local_store.users import (
    known_user_id,
    machine_device_id,
    open_user_cache,
    remember_user,
    user_cache_exists,
)
from rm_desk.paths import AppPaths
from rm_desk.sync.errors import AuthError, SessionExpired, SyncError
from rm_desk.sync.events import SyncStatus
from rm_desk.sync.identity import Policy, User

if TYPE_CHECKING:
    # The HTTP client (httpx) loads with the first exchange: an offline unlock and the window's
    # first paint need neither.
    import httpx

    from rm_desk.sync.client import ApiClient, MeInfo, Timeouts, TransactionPage

log = logging.getLogger(__name__)

_T = TypeVar("_T")
Clock = Callable[[], datetime]
Mode = Literal["online", "offline"]

SESSION_SERVICE: Final = "RM Desk session"
SERVER_URL: Final = "server_url"
"""``sync_state`` key: the server the cache was last signed in to."""
LOGIN: Final = "login"
UNLOCK: Final = "unlock"
UNLOCK_FAILED: Final = "unlock_failed"
LOGOUT: Final = "logout"
AGAIN: Final = "again"
"""The ``mode`` of the ``login`` audit event of :func:`sign_in_again`."""
SIGN_OUT_WAIT_S: Final = 5.0
SIGN_OUT_CONNECT_S: Final = 3.0
SIGN_OUT_READ_S: Final = 4.0
"""Seconds the sign-out waits for a connection and for each read (its own short timeouts)."""


# --- errors ------------------------------------------------------------------------------------


class UnlockRefused(RmDeskError):
    """Offline unlock was refused."""

    title = "Offline sign-in not possible"


class NoOfflineSignIn(UnlockRefused):
    def __init__(self) -> None:
        super().__init__(
            "This user has not signed in online on this computer yet, so RM Desk cannot work "
            "offline. Connect to the bank's network and sign in once."
        )


class WrongPassword(UnlockRefused):
    """The password did not match; ``attempts_left`` before offline unlock is blocked."""

    title = "Sign-in failed"

    def __init__(self, attempts_left: int, retry_after_s: float = 0.0) -> None:
        super().__init__("The password is wrong.")
        self.attempts_left = attempts_left
        self.retry_after_s = retry_after_s


class UnlockThrottled(UnlockRefused):
    """Too soon after a wrong password; ``retry_after_s`` seconds to wait."""

    title = "Please wait"

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(
            "The password was wrong a moment ago. Wait a few seconds before trying again."
        )
        self.retry_after_s = retry_after_s


class UnlockBlocked(UnlockRefused):
    title = "Offline sign-in blocked"

    def __init__(self) -> None:
        super().__init__(
            "The password was wrong too many times. Connect to the bank's network and sign in "
            "online to unlock RM Desk again."
        )


_DIFFERENT_USER_MESSAGE = (
    "These sign-in details belong to a different user than the one signed in. To work as "
    "another user, sign out first."
)


class DifferentUser(RmDeskError):
    """Signing in again was answered for another bank user than the one of the open session."""

    title = "Different user"

    def __init__(self) -> None:
        super().__init__(_DIFFERENT_USER_MESSAGE)


class OfflineLeaseExpired(UnlockRefused):
    """No contact with the bank's server for the policy's ``offline_block_hours``."""

    title = "Connection needed"

    def __init__(self, hours: int) -> None:
        super().__init__(
            "RM Desk has not reached the bank's server for too long, so working offline is "
            "blocked. Connect to the bank's network and sign in. Your unsent changes are kept."
        )
        self.hours = hours


# --- where the refresh token is kept ------------------------------------------------------------


class TokenStore(Protocol):
    """Keeps refresh tokens (by a name that reveals nothing)."""

    @property
    def storage(self) -> KeyStorage: ...

    def load(self, name: str) -> str | None: ...

    def save(self, name: str, token: str) -> None: ...

    def delete(self, name: str) -> None: ...


@dataclass
class MemoryTokenStore:
    """Tokens held by this process only: after a restart the user signs in online again."""

    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def storage(self) -> KeyStorage:
        return KeyStorage.MEMORY_ONLY

    def load(self, name: str) -> str | None:
        return self._tokens.get(name)

    def save(self, name: str, token: str) -> None:
        self._tokens[name] = token

    def delete(self, name: str) -> None:
        self._tokens.pop(name, None)


class KeyringTokenStore:
    """Tokens in the OS credential store (service ``"RM Desk session"``), like the cache keys."""

    def __init__(self, backend: Any) -> None:
        if backend_qualname(backend) not in SECURE_BACKENDS:
            raise ValueError("refresh tokens are kept only in a secure credential store")
        self._backend = backend

    @property
    def storage(self) -> KeyStorage:
        return KeyStorage.OS_KEYRING

    def load(self, name: str) -> str | None:
        try:
            value: str | None = self._backend.get_password(SESSION_SERVICE, name)
        except Exception as exc:  # backend-specific errors (dbus, win32)
            raise KeyVaultError(type(exc).__name__) from None
        return value

    def save(self, name: str, token: str) -> None:
        try:
            self._backend.set_password(SESSION_SERVICE, name, token)
        except Exception as exc:
            raise KeyVaultError(type(exc).__name__) from None

    def delete(self, name: str) -> None:
        try:
            self._backend.delete_password(SESSION_SERVICE, name)
        except Exception as exc:  # a token that is not there is nothing to stop for
            log.info("session token delete skipped: %s", type(exc).__name__)


def default_token_store() -> TokenStore:
    """The OS credential store where it is secure, else memory only."""
    backend = find_secure_backend()
    if backend is None:
        log.warning("no secure OS keyring: the session token is kept in memory only")
        return MemoryTokenStore()
    return KeyringTokenStore(backend)


def token_name_for(server_url: str, user_id: str) -> str:
    digest = hashlib.sha256(f"{server_url}\n{user_id}".encode()).hexdigest()[:24]
    return f"refresh-{digest}"


# --- a session's credentials and its online calls -----------------------------------------------


class SessionCredentials:
    """Makes signed-in clients of one user's session from the stored refresh token.

    Safe to use from any thread: each :meth:`connect` builds a client of its own.

    Args:
        server_url: The server the session belongs to.
        verify: ``True`` or the CA bundle to verify TLS with.
        device_id: The device id the session was issued to.
        clock: Now, in UTC.
        tokens: Where the refresh token is kept.
        token_name: The refresh token's name in ``tokens``.
        transport: An httpx transport instead of the network (tests).
        username: The user name typed at sign-in; :func:`sign_in_again` signs in with it.
        kdf_cost: The scrypt ``n`` of the offline verifier :func:`sign_in_again` makes.
        mode: How the session stands: ``"online"`` after an online sign-in (first or again),
            ``"offline"`` after an offline unlock until the user signs in again.
    """

    def __init__(
        self,
        *,
        server_url: str,
        verify: Literal[True] | str,
        device_id: str,
        clock: Clock,
        tokens: TokenStore,
        token_name: str,
        transport: httpx.BaseTransport | None = None,
        username: str = "",
        kdf_cost: int = DEFAULT_COST,
        mode: Mode = "online",
    ) -> None:
        self.server_url = server_url
        self._verify = verify
        self.device_id = device_id
        self._clock = clock
        self._tokens = tokens
        self._token_name = token_name
        self._transport = transport
        self.username = username
        self.kdf_cost = kdf_cost
        self.mode: Mode = mode

    def new_client(
        self,
        timeout: Timeouts | None = None,
        *,
        clock: Clock | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> ApiClient:
        """A client of this server and device, not yet signed in.

        Args:
            timeout: The client's timeouts; the default ones when omitted.
            clock: Now, in UTC; the session's clock when omitted.
            transport: An httpx transport; the session's (the network) when omitted.
        """
        return _new_client(
            self.server_url,
            self._verify,
            self.device_id,
            clock or self._clock,
            transport or self._transport,
            timeout,
        )

    def keep(self, refresh_token: str) -> None:
        """Store the refresh token; where the credential store fails, say so in the log and go on
        (this session still works; resuming after a restart will not)."""
        try:
            self._tokens.save(self._token_name, refresh_token)
        except KeyVaultError as error:
            log.warning("session token not stored: %s", error)

    def connect(self) -> ApiClient:
        """A client signed in by resuming the stored session (for ``SyncService``).

        Raises:
            SessionExpired: No stored session, or the server ended it: sign in again.
            SyncError: Any other failure (``Offline`` …).
        """
        try:
            token = self._tokens.load(self._token_name)
        except KeyVaultError:
            token = None
        if token is None:
            raise SessionExpired()
        client = self.new_client()
        try:
            session = client.resume(token)
        except BaseException:
            client.close()
            raise
        if session.refresh_token != token:  # a server that rotates tokens: keep the new one
            self.keep(session.refresh_token)
        return client

    def forget(self) -> str | None:
        """Remove the stored refresh token; return it (for a last logout) or ``None``."""
        try:
            token = self._tokens.load(self._token_name)
        except KeyVaultError:
            token = None
        self._tokens.delete(self._token_name)
        return token


def _new_client(
    server_url: str,
    verify: Literal[True] | str,
    device_id: str,
    clock: Clock,
    transport: httpx.BaseTransport | None,
    timeout: Timeouts | None = None,
) -> ApiClient:
    from rm_desk.sync.client import ApiClient

    return ApiClient(
        server_url,
        transport=transport,
        verify=verify,
        timeout=timeout,
        device_id=device_id,
        device_name=socket.gethostname(),
        clock=clock,
    )


class OnlineSession:
    """The direct calls to the bank a screen makes (``OnlineCalls`` of the workbench).

    One client of its own, made on first use by resuming the stored session, and used by one call
    at a time (calls arrive from the task runner's pool threads). A client whose session ended is
    dropped, so the next call tries to resume again.
    """

    def __init__(self, credentials: SessionCredentials) -> None:
        self._credentials = credentials
        self._client: ApiClient | None = None
        self._lock = threading.Lock()
        self._closed = False

    def reveal(
        self, customer_id: str, field: str, reason: str, *, account_id: str | None = None
    ) -> str:
        return self._call(
            lambda client: client.reveal(customer_id, field, reason, account_id=account_id)
        )

    def older_transactions(
        self, customer_id: str, before: str | None = None, limit: int = 200
    ) -> TransactionPage:
        return self._call(lambda client: client.older_transactions(customer_id, before, limit))

    def renew(self) -> None:
        """Drop the client of an ended session: the next call resumes from the stored token
        (after :func:`sign_in_again` stored a new one)."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._client is not None:
                self._client.close()
                self._client = None

    def _call(self, call: Callable[[ApiClient], _T]) -> _T:
        with self._lock:
            if self._closed:
                raise SessionExpired()
            if self._client is None:
                self._client = self._credentials.connect()
            try:
                return call(self._client)
            except AuthError:
                self._client.close()
                self._client = None
                raise


# --- the result of signing in -------------------------------------------------------------------


@dataclass(frozen=True)
class SignedIn:
    """A signed-in (or offline-unlocked) user, with their open cache.

    Attributes:
        store: The user's open encrypted cache.
        user: Who signed in.
        permissions: Their permissions (``GET /me``; remembered for offline starts).
        policy: The server's security policy (remembered for offline starts).
        device_id: This installation's id.
        server_url: The server signed in to (offline: the one of the last online sign-in).
        mode: ``"online"`` or ``"offline"``: how the session began. It stays so after
            :func:`sign_in_again` (this record is frozen and shared by the window and sync);
            ``credentials.mode`` says how the session stands now.
        connect: Returns a signed-in client by resuming the stored session; for
            ``SyncService``, called on its thread. Raises ``SessionExpired`` when there is no
            session to resume (offline unlock after a sign-out): the user signs in again
            (:func:`sign_in_again`).
        online: Reveal and older transactions, with a client of their own.
        credentials: Where the session's refresh token is kept (used by :func:`sign_out` and
            :func:`sign_in_again`).
    """

    store: Store
    user: User
    permissions: frozenset[str]
    policy: Policy
    device_id: str
    server_url: str
    mode: Mode
    connect: Callable[[], ApiClient]
    online: OnlineSession
    credentials: SessionCredentials = field(repr=False)


# --- signing in --------------------------------------------------------------------------------


def sign_in_online(
    config: Config,
    paths: AppPaths,
    username: str,
    password: str,
    *,
    vault: KeyVault,
    clock: Clock,
    transport: httpx.BaseTransport | None = None,
    tokens: TokenStore | None = None,
    kdf_cost: int | None = None,
) -> SignedIn:
    """Sign in with the bank's server and open the user's cache.

    Signs in (``POST /auth/token``), asks ``GET /me``, opens (or creates) the user's cache, keeps
    the device id, a fresh offline verifier of the password, the ``/me`` answer and the time in
    it, resets the failed-unlock count, appends a ``login`` audit event, and keeps the refresh
    token. Runs network calls and a slow KDF: never on the GUI thread.

    Args:
        config: The settings (server, CA bundle, KDF cost).
        paths: The app's directories.
        username: What the user typed.
        password: What the user typed; kept only as a slow-KDF verifier.
        vault: Where cache keys are kept.
        clock: Now, in UTC.
        transport: An httpx transport instead of the network (tests).
        tokens: Where the refresh token is kept; the OS credential store (or memory) when omitted.
        kdf_cost: The verifier's scrypt ``n``; ``config.unlock_kdf_cost`` when omitted (tests
            pass a small one).

    Raises:
        SyncError: Sign-in failed (``BadCredentials``, ``AccountLocked``, ``Offline`` …).
        StoreError: The user's cache could not be opened; it is left untouched.
    """
    username = username.strip()
    tokens = tokens if tokens is not None else default_token_store()
    known_id = known_user_id(paths, username)
    store: Store | None = None
    client: ApiClient | None = None
    try:
        device_id = machine_device_id(paths)
        if known_id is not None and user_cache_exists(paths, known_id, vault):
            store = open_user_cache(paths, known_id, vault, clock)
            with store.read() as conn:
                device_id = get_state(conn, DEVICE_ID) or device_id
        client = _new_client(config.server_url, config.verify, device_id, clock, transport)
        session = client.login(username, password)
        me = client.me()
        if store is not None and known_id != me.user.id:
            store.close()
            store = None
        if store is None:
            store = open_user_cache(paths, me.user.id, vault, clock)
        now = clock()
        with store.write() as conn:
            set_state(conn, DEVICE_ID, device_id)
            set_state(conn, SERVER_URL, config.server_url)
            remember_password(conn, me.user.id, password, cost=kdf_cost or config.unlock_kdf_cost)
            remember_me(conn, _me_record(me))
            note_online_sign_in(conn, now)
            append_audit(
                conn,
                ts=_stamp(now),
                action=LOGIN,
                user_id=me.user.id,
                device_id=device_id,
                detail={"mode": "online"},
            )
        remember_user(paths, username, me.user.id)
        credentials = SessionCredentials(
            server_url=config.server_url,
            verify=config.verify,
            device_id=device_id,
            clock=clock,
            tokens=tokens,
            token_name=token_name_for(config.server_url, me.user.id),
            transport=transport,
            username=username,
            kdf_cost=kdf_cost or config.unlock_kdf_cost,
            mode="online",
        )
        credentials.keep(session.refresh_token)
    except BaseException:
        if store is not None:
            store.close()
        raise
    finally:
        if client is not None:
            client.close()
    return _signed_in(store, me, device_id, config.server_url, "online", credentials)


def can_unlock_offline(paths: AppPaths, username: str, vault: KeyVault) -> bool:
    """Whether ``username`` signed in online on this computer before and their cache is here.

    Cheap (no KDF, no decryption): for the sign-in dialog to decide whether to offer offline work.
    """
    user_id = known_user_id(paths, username.strip())
    return user_id is not None and user_cache_exists(paths, user_id, vault)


def unlock_offline(
    config: Config,
    paths: AppPaths,
    username: str,
    password: str,
    *,
    vault: KeyVault,
    clock: Clock,
    transport: httpx.BaseTransport | None = None,
    tokens: TokenStore | None = None,
) -> SignedIn:
    """Open the user's cache without the server, checking the password against the verifier.

    The session's refresh token, when one is still stored (the app was closed without signing
    out), lets sync resume once the network is back; otherwise ``connect`` raises
    ``SessionExpired`` and the user signs in online again. Appends an ``unlock`` audit event
    (``unlock_failed`` for a refused password). Runs a slow KDF: never on the GUI thread.

    Raises:
        NoOfflineSignIn: No earlier online sign-in of this user on this computer.
        WrongPassword: The password is wrong (``attempts_left``).
        UnlockThrottled: Too soon after a wrong password (``retry_after_s``).
        UnlockBlocked: Too many wrong passwords: sign in online first.
        OfflineLeaseExpired: No server contact for the policy's ``offline_block_hours``.
        StoreError: The cache could not be opened; it is left untouched.
    """
    username = username.strip()
    user_id = known_user_id(paths, username)
    if user_id is None or not user_cache_exists(paths, user_id, vault):
        raise NoOfflineSignIn()
    tokens = tokens if tokens is not None else default_token_store()
    store = open_user_cache(paths, user_id, vault, clock)
    try:
        now = clock()
        with store.write() as conn:
            me = _me_from(recall_me(conn))
            device_id = get_state(conn, DEVICE_ID)
            server_url = get_state(conn, SERVER_URL) or config.server_url
            if me is None or device_id is None or not has_verifier(conn, user_id):
                raise NoOfflineSignIn()
            check = check_password(conn, user_id, password, now, me.policy.max_failed_unlocks)
            expired = check.verified and lease_expired(conn, now, me.policy.offline_block_hours)
            outcome = "lease_expired" if expired else check.outcome.value
            append_audit(
                conn,
                ts=_stamp(now),
                action=UNLOCK if outcome == UnlockOutcome.VERIFIED else UNLOCK_FAILED,
                user_id=user_id,
                device_id=device_id,
                detail={"mode": "offline", "outcome": outcome},
            )
        if expired:
            raise OfflineLeaseExpired(me.policy.offline_block_hours)
        _raise_unless_verified(check)
        credentials = SessionCredentials(
            server_url=server_url,
            verify=config.verify,
            device_id=device_id,
            clock=clock,
            tokens=tokens,
            token_name=token_name_for(server_url, user_id),
            transport=transport,
            username=username,
            kdf_cost=config.unlock_kdf_cost,
            mode="offline",
        )
    except BaseException:
        store.close()
        raise
    return _signed_in(store, me, device_id, server_url, "offline", credentials)


def sign_in_again(
    signed: SignedIn,
    password: str,
    *,
    clock: Clock,
    transport: httpx.BaseTransport | None = None,
    username: str | None = None,
) -> None:
    """Sign the user of an open session in online again, when the bank ended their session.

    Signs in (``POST /auth/token``) as the same user with the same device id, and checks with
    ``GET /me`` that the server signed in the very user of ``signed``. Then keeps a fresh offline
    verifier of the password (which resets the failed-unlock count), the ``/me`` answer and the
    time in the cache, appends a ``login`` audit event (``mode`` ``"again"``), stores the new
    refresh token in place of the old one (so ``signed.connect`` and ``signed.online`` resume
    with it) and marks ``signed.credentials.mode`` online. Nothing changes when it fails.

    Permissions and policy of the new ``/me`` are remembered for the next start; ``signed``
    keeps those it began with (it is frozen, and the window was built from them).

    Runs network calls and a slow KDF: never on the GUI thread. After it, "Sync now" resumes sync.

    Args:
        signed: The open session whose server session ended.
        password: What the user typed; kept only as a slow-KDF verifier.
        clock: Now, in UTC.
        transport: An httpx transport instead of the network (tests); the session's when omitted.
        username: The user name to sign in with; the one typed at the first sign-in (or the user
            id) when omitted.

    Raises:
        DifferentUser: The server signed in another user; that session is ended again at once.
        SyncError: Sign-in failed (``BadCredentials``, ``AccountLocked``, ``Offline`` …).
        StoreError: The cache could not be written; the new session is not kept.
    """
    credentials = signed.credentials
    name = (username or credentials.username or signed.user.id).strip()
    with credentials.new_client(clock=clock, transport=transport) as client:
        session = client.login(name, password)
        me = client.me()
        if me.user.id != signed.user.id:
            # Another user's session on this device would be kept by nobody: end it now.
            with contextlib.suppress(SyncError):
                client.logout()
            raise DifferentUser()
        now = clock()
        with signed.store.write() as conn:
            remember_password(conn, signed.user.id, password, cost=credentials.kdf_cost)
            remember_me(conn, _me_record(me))
            note_online_sign_in(conn, now)
            append_audit(
                conn,
                ts=_stamp(now),
                action=LOGIN,
                user_id=signed.user.id,
                device_id=signed.device_id,
                detail={"mode": AGAIN},
            )
        credentials.keep(session.refresh_token)
    credentials.mode = "online"
    # The online calls' client may still hold the ended session: the next call resumes anew.
    signed.online.renew()


SESSION_ENDED_CODES: Final = frozenset(
    {"invalid_grant", "invalid_token", "unauthorized", "token_expired"}
)
"""Problem codes that mean the bank ended the session (the ``SessionExpired`` ones of
:mod:`rm_desk.sync.errors`)."""


def session_ended(status: SyncStatus) -> bool:
    """Whether sync stopped because the bank ended the session, so signing in again helps.

    The sync worker says so itself (``status.session_ended``) when its last problem is a
    ``SessionExpired``: a code of :data:`SESSION_ENDED_CODES` (or any other ``401``), or no session
    to resume at all (an offline unlock after a sign-out, a token the credential store lost). A
    revoked device (``device_revoked``) is not an ended session: signing in cannot help.
    """
    return status.session_ended


def check_unlock(signed_in: SignedIn, password: str, now: datetime) -> UnlockCheck:
    """Check the password of a locked window (the user menu's "Lock") and audit the attempt.

    Returns the check; the caller shows its outcome. Runs a slow KDF: never on the GUI thread.
    """
    with signed_in.store.write() as conn:
        check = check_password(
            conn, signed_in.user.id, password, now, signed_in.policy.max_failed_unlocks
        )
        append_audit(
            conn,
            ts=_stamp(now),
            action=UNLOCK if check.verified else UNLOCK_FAILED,
            user_id=signed_in.user.id,
            device_id=signed_in.device_id,
            detail={"mode": "lock", "outcome": check.outcome.value},
        )
    return check


def sign_out(signed_in: SignedIn, *, wait_s: float = SIGN_OUT_WAIT_S) -> None:
    """End the session: tell the server when it can be reached, forget the refresh token, close
    the cache (which keeps its data and unsent changes for the next sign-in).

    The server is given at most ``wait_s`` seconds; sign-out never waits longer than that for it.
    Call it off the GUI thread, after stopping ``SyncService``.
    """
    token = signed_in.credentials.forget()
    signed_in.online.close()
    with contextlib.suppress(RmDeskError), signed_in.store.write() as conn:
        append_audit(
            conn,
            ts=_stamp(signed_in.store.clock()),
            action=LOGOUT,
            user_id=signed_in.user.id,
            device_id=signed_in.device_id,
        )
    if token is not None:
        credentials = signed_in.credentials
        # A daemon thread: a hung DNS lookup (not covered by httpx's timeouts) must not hold up
        # sign-out, nor the app's exit.
        thread = threading.Thread(
            target=_log_out_on_server, args=(credentials, token), name="rm-desk-logout", daemon=True
        )
        thread.start()
        thread.join(wait_s)
    signed_in.store.close()


def _log_out_on_server(credentials: SessionCredentials, token: str) -> None:
    try:
        from rm_desk.sync.client import Timeouts

        timeouts = Timeouts(connect=SIGN_OUT_CONNECT_S, read=SIGN_OUT_READ_S)
        with credentials.new_client(timeouts) as client:
            client.resume(token)
            client.logout()
    except Exception as error:  # best effort: the token is forgotten here either way
        log.info("server logout skipped: %s", type(error).__name__)


def _raise_unless_verified(check: UnlockCheck) -> None:
    if check.outcome is UnlockOutcome.VERIFIED:
        return
    if check.outcome is UnlockOutcome.WRONG:
        raise WrongPassword(check.attempts_left, check.retry_after_s)
    if check.outcome is UnlockOutcome.THROTTLED:
        raise UnlockThrottled(check.retry_after_s)
    if check.outcome is UnlockOutcome.LOCKED_OUT:
        raise UnlockBlocked()
    raise NoOfflineSignIn()


def _signed_in(
    store: Store,
    me: MeInfo | _RememberedMe,
    device_id: str,
    server_url: str,
    mode: Mode,
    credentials: SessionCredentials,
) -> SignedIn:
    return SignedIn(
        store=store,
        user=me.user,
        permissions=me.permissions,
        policy=me.policy,
        device_id=device_id,
        server_url=server_url,
        mode=mode,
        connect=credentials.connect,
        online=OnlineSession(credentials),
        credentials=credentials,
    )


# --- /me, kept for offline starts ---------------------------------------------------------------


def _me_record(me: MeInfo) -> dict[str, Any]:
    return {
        "user": asdict(me.user) | {"role": me.user.role.value},
        "permissions": sorted(me.permissions),
        "policy": asdict(me.policy),
    }


@dataclass(frozen=True, slots=True)
class _RememberedMe:
    """``GET /me`` as the cache keeps it for offline starts: the fields of
    :class:`~rm_desk.sync.client.MeInfo`, without loading the HTTP client's module."""

    user: User
    permissions: frozenset[str]
    policy: Policy


def _me_from(record: Mapping[str, Any] | None) -> _RememberedMe | None:
    if record is None:
        return None
    try:
        user = record["user"]
        known = {f.name for f in fields(Policy)}
        policy = {k: int(v) for k, v in record["policy"].items() if k in known}
        return _RememberedMe(
            user=User(
                id=str(user["id"]),
                name=str(user["name"]),
                role=Role(user["role"]),
                team_id=str(user["team_id"]),
                branch_id=str(user["branch_id"]),
            ),
            permissions=frozenset(str(p) for p in record["permissions"]),
            policy=Policy(**policy),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


__all__ = [
    "SESSION_ENDED_CODES",
    "SESSION_SERVICE",
    "DifferentUser",
    "KeyringTokenStore",
    "MemoryTokenStore",
    "NoOfflineSignIn",
    "OfflineLeaseExpired",
    "OnlineSession",
    "SessionCredentials",
    "SignedIn",
    "TokenStore",
    "UnlockBlocked",
    "UnlockRefused",
    "UnlockThrottled",
    "WrongPassword",
    "can_unlock_offline",
    "check_unlock",
    "default_token_store",
    "session_ended",
    "sign_in_again",
    "sign_in_online",
    "sign_out",
    "token_name_for",
    "unlock_offline",
]
