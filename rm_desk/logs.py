"""Logging that cannot leak customer data.

An exception's message may quote what it failed on — a name, a mobile number, a balance — and a
library's message is not ours to vet. :func:`log_failure` therefore writes the exception's type and
the stack (files, lines, functions) but never its message, nor those of its causes.
"""

from __future__ import annotations

import logging
import traceback


def redacted_trace(error: BaseException) -> str:
    """The stack of ``error`` and its causes, with types but without messages."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = traceback.extract_tb(current.__traceback__)
        lines = [f'  File "{f.filename}", line {f.lineno}, in {f.name}' for f in frames]
        parts.append(
            "\n".join([f"{type(current).__module__}.{type(current).__qualname__}", *lines])
        )
        current = current.__cause__ or current.__context__
    return "\ncaused by ".join(parts)


def log_failure(logger: logging.Logger, what: str, error: BaseException) -> None:
    """Log an unexpected failure at ERROR with a redacted trace (see the module docstring)."""
    logger.error("%s: %s\n%s", what, type(error).__name__, redacted_trace(error))
