"""``python -m crm_server``: the same as the ``crm-server`` command."""

from __future__ import annotations

import sys

from crm_server.cli import main

if __name__ == "__main__":
    sys.exit(main())
