"""The customer 360 view: a header over seven tabs (DOMAIN.md, "The 360 view").

``view`` holds :class:`Customer360View`; ``header`` the header; one module per tab; ``data`` the
one read; ``models`` the table model the tabs share; ``labels`` the words for codes.

The package's names are loaded on first use (PEP 562): the search list and Today import
``labels`` at start-up, and importing the package must not build every tab's module with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rm_desk.views.customer360.view import TAB_IDS, Customer360View


def __getattr__(name: str) -> Any:
    if name in {"TAB_IDS", "Customer360View"}:
        from rm_desk.views.customer360 import view

        return getattr(view, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["TAB_IDS", "Customer360View"]
