"""Sign-in, tokens and devices (API.md §1), kept in the database only.

Tokens are opaque random strings; the database keeps their SHA-256, never the token. A sign-in
creates a *session* (its refresh token lives ``session_max``) and an access token (``ttl``, never
past the session's end). Refreshing issues a new access token and answers the same refresh token:
refresh tokens are not rotated, so an answer lost on the network costs nothing — the client
simply refreshes again (the fault tests drop answers on purpose). Logout ends the session and its
access tokens.

Checks of ``POST /auth/token``, in order:

1. 5 failures (``lockout_failures``) for the username in 15 minutes (``lockout_window``):
   ``423 account_locked``, even with the right password;
2. unknown user or wrong password: the failure is counted, ``401 bad_credentials`` (an unknown
   user costs a hash too, so timing does not tell which names exist);
3. a revoked device: ``403 device_revoked`` with ``"wipe": true``;
4. otherwise the failures are cleared and tokens issued.

A revoked device's access tokens still authenticate, but only ``GET /device`` answers them (with
``{"status": "revoked", "wipe": true}``); every other call answers ``403 device_revoked``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, delete, func, insert, select, update

from crm_server.audit_log import record_event
from crm_server.database import Database
from crm_server.passwords import verify_password
from crm_server.problems import Code, ProblemError
from crm_server.schema import access_token, app_user, auth_session, device, login_failure
from crm_server.scope import Principal
from crm_server.settings import Settings
from crm_server.timestamps import to_epoch
from rm_desk.domain.enums import Role

_BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="rm-desk"'}


def token_hash(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def user_answer(row: Any) -> dict[str, Any]:
    """The ``user`` object of API.md §1 from a row of ``app_user``."""
    return {
        "id": row.id,
        "name": row.name,
        "role": row.role,
        "team_id": row.team_id,
        "branch_id": row.branch_id,
    }


@dataclass(frozen=True, slots=True)
class Authenticated:
    """The result of checking a bearer token."""

    principal: Principal
    device_revoked: bool


class Sessions:
    """Sign-in, refresh, sign-out and bearer-token checks.

    Args:
        database: Where users, sessions, tokens and devices live.
        settings: Lifetimes, lockout rule, clock and hash cost.
    """

    def __init__(self, database: Database, settings: Settings) -> None:
        self.db = database
        self.settings = settings

    def sign_in(
        self, username: str, password: str, device_id: str, device_name: str
    ) -> dict[str, Any]:
        """Check a password and open a session (``POST /auth/token``; checks in the module doc).

        Returns:
            The answer: ``access_token``, ``refresh_token``, ``token_type``, ``expires_in``,
            ``user``.

        Raises:
            ProblemError: 423 ``account_locked``, 401 ``bad_credentials``, 403
                ``device_revoked``.
        """
        now = self.settings.clock()
        since = to_epoch(now - self.settings.lockout_window)
        with self.db.read() as conn:
            failures = (
                conn.execute(
                    select(login_failure.c.at)
                    .where(login_failure.c.username == username, login_failure.c.at > since)
                    .order_by(login_failure.c.at)
                )
                .scalars()
                .all()
            )
            user = conn.execute(select(app_user).where(app_user.c.id == username)).first()
        if len(failures) >= self.settings.lockout_failures:
            unlock_at = failures[-self.settings.lockout_failures] + int(
                self.settings.lockout_window.total_seconds()
            )
            with self.db.write() as conn:
                record_event(
                    conn,
                    now=now,
                    action="login",
                    outcome="locked",
                    user_id=username,
                    device_id=device_id,
                )
            raise ProblemError(
                423,
                Code.ACCOUNT_LOCKED,
                "Too many failed sign-ins; the account is locked for a while.",
                headers={"Retry-After": str(max(1, unlock_at - to_epoch(now)))},
            )
        stored_hash = user.password_hash if user is not None else None
        if not verify_password(password, stored_hash, dummy_cost=self.settings.kdf_cost):
            with self.db.write() as conn:
                conn.execute(insert(login_failure).values(username=username, at=to_epoch(now)))
                record_event(
                    conn,
                    now=now,
                    action="login",
                    outcome="bad_credentials",
                    user_id=username,
                    device_id=device_id,
                )
            raise ProblemError(401, Code.BAD_CREDENTIALS, "The username or password is wrong.")
        assert user is not None
        with self.db.write() as conn:
            if self._is_revoked(conn, device_id):
                record_event(
                    conn,
                    now=now,
                    action="login",
                    outcome="device_revoked",
                    user_id=user.id,
                    device_id=device_id,
                )
                raise device_revoked_problem()
            conn.execute(delete(login_failure).where(login_failure.c.username == username))
            self._housekeep(conn, now)
            conn.execute(
                self.db.upsert(
                    device,
                    {
                        "device_id": device_id,
                        "user_id": user.id,
                        "name": device_name,
                        "status": "active",
                        "wipe": False,
                        "first_seen": to_epoch(now),
                        "last_seen": to_epoch(now),
                    },
                    keys=("device_id", "user_id"),
                    update={"name": device_name, "last_seen": to_epoch(now)},
                )
            )
            refresh = secrets.token_urlsafe(32)
            session_id = secrets.token_hex(16)
            session_end = now + self.settings.session_max
            conn.execute(
                insert(auth_session).values(
                    id=session_id,
                    user_id=user.id,
                    device_id=device_id,
                    refresh_hash=token_hash(refresh),
                    created_at=to_epoch(now),
                    expires_at=to_epoch(session_end),
                    revoked=False,
                )
            )
            access, expires_in = self._issue_access(conn, session_id, now, to_epoch(session_end))
            record_event(
                conn, now=now, action="login", outcome="ok", user_id=user.id, device_id=device_id
            )
        return _token_answer(access, refresh, expires_in, user)

    def refresh(self, refresh_token: str, device_id: str) -> dict[str, Any]:
        """Issue a new access token for a live session (``POST /auth/refresh``).

        Raises:
            ProblemError: 401 ``invalid_grant`` (unknown, ended or expired session, or another
                device's token); 403 ``device_revoked`` with ``wipe``.
        """
        now = self.settings.clock()
        with self.db.write() as conn:
            session = conn.execute(
                select(auth_session).where(auth_session.c.refresh_hash == token_hash(refresh_token))
            ).first()
            if (
                session is None
                or session.revoked
                or session.expires_at <= to_epoch(now)
                or session.device_id != device_id
            ):
                raise ProblemError(
                    401, Code.INVALID_GRANT, "This session has ended; sign in again."
                )
            if self._is_revoked(conn, device_id):
                record_event(
                    conn,
                    now=now,
                    action="refresh",
                    outcome="device_revoked",
                    user_id=session.user_id,
                    device_id=device_id,
                )
                raise device_revoked_problem()
            user = conn.execute(select(app_user).where(app_user.c.id == session.user_id)).one()
            access, expires_in = self._issue_access(conn, session.id, now, session.expires_at)
            conn.execute(
                update(device)
                .where(device.c.device_id == device_id, device.c.user_id == user.id)
                .values(last_seen=to_epoch(now))
            )
        return _token_answer(access, refresh_token, expires_in, user)

    def sign_out(self, refresh_token: str) -> None:
        """End the session of a refresh token and its access tokens; unknown tokens are ignored."""
        now = self.settings.clock()
        with self.db.write() as conn:
            session = conn.execute(
                select(auth_session.c.id, auth_session.c.user_id, auth_session.c.device_id).where(
                    auth_session.c.refresh_hash == token_hash(refresh_token)
                )
            ).first()
            if session is None:
                return
            conn.execute(
                update(auth_session).where(auth_session.c.id == session.id).values(revoked=True)
            )
            conn.execute(delete(access_token).where(access_token.c.session_id == session.id))
            record_event(
                conn,
                now=now,
                action="logout",
                outcome="ok",
                user_id=session.user_id,
                device_id=session.device_id,
            )

    def authenticate(self, token: str | None) -> Authenticated:
        """Check the bearer token of a request.

        Args:
            token: The token of the ``Authorization: Bearer`` header, ``None`` without one.

        Raises:
            ProblemError: 401 ``unauthorized`` (no bearer token), ``invalid_token`` (unknown or
                signed out) or ``token_expired``.
        """
        if token is None or not token.strip():
            raise ProblemError(
                401,
                Code.UNAUTHORIZED,
                "This call needs an access token (Authorization: Bearer …).",
                headers=_BEARER_CHALLENGE,
            )
        now = to_epoch(self.settings.clock())
        with self.db.read() as conn:
            row = conn.execute(
                select(
                    access_token.c.expires_at,
                    auth_session.c.id.label("session_id"),
                    auth_session.c.revoked,
                    auth_session.c.device_id,
                    app_user.c.id,
                    app_user.c.name,
                    app_user.c.role,
                    app_user.c.team_id,
                    app_user.c.branch_id,
                    app_user.c.permissions,
                )
                .join(auth_session, auth_session.c.id == access_token.c.session_id)
                .join(app_user, app_user.c.id == auth_session.c.user_id)
                .where(access_token.c.token_hash == token_hash(token.strip()))
            ).first()
            if row is None or row.revoked:
                raise ProblemError(
                    401,
                    Code.INVALID_TOKEN,
                    "This access token is not recognised; sign in again.",
                    headers=_BEARER_CHALLENGE,
                )
            if row.expires_at <= now:
                raise ProblemError(
                    401,
                    Code.TOKEN_EXPIRED,
                    "The access token has expired; refresh it.",
                    headers={"WWW-Authenticate": 'Bearer realm="rm-desk", error="invalid_token"'},
                )
            revoked = self._is_revoked(conn, row.device_id)
        principal = Principal(
            user_id=row.id,
            name=row.name,
            role=Role(row.role),
            team_id=row.team_id,
            branch_id=row.branch_id,
            permissions=frozenset(orjson.loads(row.permissions)),
            device_id=row.device_id,
            session_id=row.session_id,
        )
        return Authenticated(principal, revoked)

    def revoke_device(self, device_id: str) -> bool:
        """Revoke a device for every user who signed in on it; ``False`` if it is unknown."""
        now = self.settings.clock()
        with self.db.write() as conn:
            result = conn.execute(
                update(device)
                .where(device.c.device_id == device_id)
                .values(status="revoked", wipe=True)
            )
            if not result.rowcount:
                return False
            record_event(conn, now=now, action="revoke_device", outcome="ok", device_id=device_id)
        return True

    def device_state(self, principal: Principal) -> tuple[str, bool]:
        """The ``status`` and ``wipe`` flag of the signed-in user's device (``GET /device``)."""
        with self.db.read() as conn:
            row = conn.execute(
                select(device.c.status, device.c.wipe).where(
                    device.c.device_id == principal.device_id,
                    device.c.user_id == principal.user_id,
                )
            ).first()
            revoked = self._is_revoked(conn, principal.device_id)
        if revoked:
            return "revoked", True
        return ("active", False) if row is None else (str(row.status), bool(row.wipe))

    @staticmethod
    def _is_revoked(conn: Connection, device_id: str) -> bool:
        revoked = conn.execute(
            select(func.count())
            .select_from(device)
            .where(device.c.device_id == device_id, device.c.status == "revoked")
        ).scalar_one()
        return bool(revoked)

    def _issue_access(
        self, conn: Connection, session_id: str, now: datetime, session_end: int
    ) -> tuple[str, int]:
        token = secrets.token_urlsafe(32)
        expires_at = min(to_epoch(now + self.settings.access_token_ttl), session_end)
        conn.execute(
            insert(access_token).values(
                token_hash=token_hash(token), session_id=session_id, expires_at=expires_at
            )
        )
        return token, max(0, expires_at - to_epoch(now))

    def _housekeep(self, conn: Connection, now: datetime) -> None:
        """Drop what can no longer matter: ended sessions' tokens, old sign-in failures."""
        epoch = to_epoch(now)
        ended = select(auth_session.c.id).where(auth_session.c.expires_at <= epoch)
        conn.execute(delete(access_token).where(access_token.c.session_id.in_(ended)))
        conn.execute(delete(auth_session).where(auth_session.c.expires_at <= epoch))
        old = to_epoch(now - self.settings.lockout_window)
        conn.execute(delete(login_failure).where(login_failure.c.at <= old))


def device_revoked_problem() -> ProblemError:
    """The ``403 device_revoked`` answer, with ``"wipe": true``."""
    return ProblemError(
        403,
        Code.DEVICE_REVOKED,
        "This device has been revoked; its data must be wiped.",
        extra={"wipe": True},
    )


def _token_answer(access: str, refresh: str, expires_in: int, user: Any) -> dict[str, Any]:
    return {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "Bearer",
        "expires_in": expires_in,
        "user": user_answer(user),
    }
