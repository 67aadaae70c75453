"""``python -m crm_server.synth [demo|bench|N]``: generate and print counts and timings."""

from __future__ import annotations

from crm_server.synth.generate import main

raise SystemExit(main())
