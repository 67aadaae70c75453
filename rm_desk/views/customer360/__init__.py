"""The customer 360 view: a header over seven tabs (DOMAIN.md, "The 360 view").

``view`` holds :class:`Customer360View`; ``header`` the header; one module per tab; ``data`` the
one read; ``models`` the table model the tabs share; ``labels`` the words for codes.
"""

from __future__ import annotations

from rm_desk.views.customer360.view import TAB_IDS, Customer360View

__all__ = ["TAB_IDS", "Customer360View"]
