"""``python -m benchmarks``: see :func:`benchmarks.harness.main`."""

from __future__ import annotations

import sys

from benchmarks.harness import main

sys.exit(main())
