"""Text people typed (visit notes, task titles, a conflict's values) as the screen may show it.

The cache keeps what was typed, and people type numbers: "回电 13812345678". Whatever a screen
shows of such text first goes through :func:`masked_free_text`, so a mobile, ID or card number
reads masked there as it does everywhere else (and so on the clipboard after a copy).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from rm_desk.domain.masking import (
    UNMASKED_PATTERNS,
    mask_account_number,
    mask_id_number,
    mask_mobile,
)

_MASKERS: Mapping[str, Callable[[str], str]] = {
    "mobile": mask_mobile,
    "id_number": mask_id_number,
    "card": mask_account_number,
}


def masked_free_text(text: str) -> str:
    """``text`` with every number that reads as an unmasked mobile, ID or card masked."""
    for kind, pattern in UNMASKED_PATTERNS.items():
        text = pattern.sub(_masked_match(_MASKERS[kind]), text)
    return text


def _masked_match(mask: Callable[[str], str]) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        return mask(match.group(0))

    return replace


__all__ = ["masked_free_text"]
