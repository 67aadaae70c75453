"""The server's OpenAPI document, as committed in ``docs/openapi.json`` (``make openapi``).

The document is the bank-facing contract: it is built from the app without the ``/dev`` calls,
and written with sorted keys, two-space indents and a final newline, so that a change of the
routes or the wire models shows as a readable diff. ``python -m crm_server.openapi PATH`` writes
it; ``--check`` only compares and exits 1 when the file is out of date.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crm_server.app import create_app
from crm_server.database import Database
from crm_server.services import build_services
from crm_server.settings import Settings

DEFAULT_PATH = Path("docs") / "openapi.json"


def build_document(*, dev: bool = False) -> dict[str, Any]:
    """The OpenAPI document of the app as a bank deploys it, or with ``dev`` as tests run it
    (with the ``/dev`` calls)."""
    # The app needs its parts to be built, but describing it reads no database: the engine of
    # this throwaway file is never connected.
    with tempfile.TemporaryDirectory(prefix="crm-openapi-") as folder:
        settings = Settings(db_url=f"sqlite:///{Path(folder) / 'unused.db'}", dev=dev)
        database = Database(settings.db_url)
        try:
            return create_app(build_services(settings, database)).openapi()
        finally:
            database.dispose()


def render(document: dict[str, Any]) -> str:
    """The committed text of a document: sorted keys, indented, UTF-8 kept, final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write (or with ``--check`` compare) the document; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m crm_server.openapi",
        description="Write the reference server's OpenAPI document (the bank-facing contract).",
    )
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument(
        "--check", action="store_true", help="only compare; exit 1 if the file is out of date"
    )
    args = parser.parse_args(argv)
    text = render(build_document())
    current = args.path.read_text(encoding="utf-8") if args.path.exists() else None
    if args.check:
        if current != text:
            print(f"{args.path} is out of date: run `make openapi`", file=sys.stderr)
            return 1
        return 0
    if current != text:
        args.path.parent.mkdir(parents=True, exist_ok=True)
        args.path.write_text(text, encoding="utf-8")
        print(f"wrote {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
