"""``python -m rm_desk`` runs the ``rm-desk`` command."""

from rm_desk.cli import main

raise SystemExit(main())
