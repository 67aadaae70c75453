"""The ``crm-server`` command: the reference CRM server for API.md.

The server itself is the next step of the build; until it exists this command says so and exits
with status 2, so no script mistakes it for a running server.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    print(
        "crm-server: the reference CRM server is not built yet; see README.md, 'Status'.",
        file=sys.stderr,
    )
    return 2
