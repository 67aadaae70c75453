"""``python -m rm_desk`` runs the ``rm-desk`` command."""

from rm_desk.cli import main

if __name__ == "__main__":  # a child process that imports the module (spawn) must not start the app
    raise SystemExit(main())
