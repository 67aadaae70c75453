"""Password hashes: scrypt with a per-user random salt, parameters kept in the hash string.

A hash reads ``scrypt$<n>$<r>$<p>$<salt>$<key>`` (salt and key in URL-safe base64), so the cost
can be raised for new hashes without breaking old ones.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_R = 8
_P = 1
_KEY_BYTES = 32
_DUMMY_SALT = b"crm-server-dummy-salt"


def hash_password(password: str, *, cost: int) -> str:
    """Hash a password for storage.

    Args:
        password: The password in clear.
        cost: scrypt's ``n`` (a power of two, at least 2).

    Returns:
        The self-describing hash string.
    """
    if cost < 2 or cost & (cost - 1):
        raise ValueError("cost must be a power of two")
    salt = secrets.token_bytes(16)
    key = _scrypt(password, salt, cost, _R, _P)
    return "$".join(("scrypt", str(cost), str(_R), str(_P), _b64(salt), _b64(key)))


def verify_password(password: str, stored: str | None, *, dummy_cost: int = 2**14) -> bool:
    """Check a password against a stored hash, in constant time.

    With ``stored`` ``None`` (an unknown user) a hash is still computed, so the answer takes as
    long as for a known user and does not tell which usernames exist; ``dummy_cost`` should be
    the cost of current hashes.
    """
    if stored is None:
        _scrypt(password, _DUMMY_SALT, dummy_cost, _R, _P)
        return False
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        computed = _scrypt(password, _unb64(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(computed, _unb64(key))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=256 * r * n + 1024 * 1024,
        dklen=_KEY_BYTES,
    )


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
