"""The core packages stay free of Qt: they run headless (sync, IT tools) and test without a GUI."""

from __future__ import annotations

import subprocess
import sys

CORE_PACKAGES = ("rm_desk.domain", "rm_desk.local_store", "rm_desk.sync")


def test_core_packages_do_not_import_qt():
    # A fresh interpreter: this test process may already have PySide6 loaded by GUI tests.
    probe = (
        "import importlib, pkgutil, sys\n"
        f"for name in {CORE_PACKAGES!r}:\n"
        "    package = importlib.import_module(name)\n"
        "    for info in pkgutil.walk_packages(package.__path__, name + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "qt_roots = {'PySide6', 'shiboken6', 'pyqtgraph'}\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in qt_roots)\n"
        "print(','.join(qt))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == ""


def test_core_packages_are_importable_modules():
    # Guards the test above: it must really have walked something in each package.
    probe = (
        "import importlib, pkgutil\n"
        f"for name in {CORE_PACKAGES!r}:\n"
        "    package = importlib.import_module(name)\n"
        "    print(name, len(list(pkgutil.walk_packages(package.__path__, name + '.'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    counts = dict(line.split() for line in result.stdout.strip().splitlines())
    assert int(counts["rm_desk.local_store"]) >= 8
    assert int(counts["rm_desk.domain"]) >= 4
