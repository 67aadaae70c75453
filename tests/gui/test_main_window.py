"""The main window wires the screens together: navigation, Ctrl+K, the 360 page, the status bar."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTableView
from sqlalchemy import select

from rm_desk.config import Config
from rm_desk.domain.enums import SyncPhase
from rm_desk.domain.masking import contains_unmasked, mask_name
from rm_desk.local_store import schema
from rm_desk.paths import AppPaths
from rm_desk.session import MemoryTokenStore, sign_in_online
from rm_desk.sync.events import StatusChanged, SyncStatus
from rm_desk.views.idle import IdleWatch
from rm_desk.views.main_window import MainWindow
from rm_desk.views.workbench import ScreenId, Workbench
from tests.conftest import PersistentTestVault
from tests.gui.conftest import FAST_KDF, PASSWORD, LiveBank


def _window(qtbot: Any, bench: Workbench) -> MainWindow:
    window = MainWindow(bench)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()  # window shortcuts (Ctrl+K, Esc) act in the active window only
    # waitActive can return before the offscreen platform has delivered the activation.
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    return window


def _richest_customer(bench: Workbench) -> tuple[str, str]:
    c = schema.customer
    with bench.store.read() as conn:
        row = conn.execute(select(c.c.id, c.c.name).order_by(c.c.aum.desc()).limit(1)).one()
    return str(row.id), str(row.name)


def test_window_opens_on_today_and_every_navigation_item_shows_its_screen(
    qtbot: Any, bench: Workbench
) -> None:
    window = _window(qtbot, bench)
    assert window.stack.currentWidget() is window.screen(ScreenId.TODAY)
    for row, screen in enumerate(window.screen_ids()):
        window.navigation.setCurrentRow(row)
        assert window.stack.currentWidget() is window.screen(screen)
        assert window.windowTitle().endswith("RM Desk")


def test_opening_a_customer_shows_the_360_with_only_a_masked_name_in_the_title(
    qtbot: Any, bench: Workbench
) -> None:
    window = _window(qtbot, bench)
    customer_id, name = _richest_customer(bench)
    bench.navigator.open_customer(customer_id, "accounts")
    view: Any = window.customer_view
    assert view.customer_id == customer_id
    title = window.windowTitle()
    assert mask_name(name) in title
    assert name not in title or name == mask_name(name)
    assert not contains_unmasked(title)


def test_escape_returns_from_the_360_to_the_screen_it_was_opened_from(
    qtbot: Any, bench: Workbench
) -> None:
    window = _window(qtbot, bench)
    window.show_screen(ScreenId.CUSTOMERS)
    customer_id, name = _richest_customer(bench)
    assert window.open_customer(customer_id)
    # The user works in the 360 view: a click in one of its tables puts the focus there.
    table = next(t for t in window.customer_view.findChildren(QTableView) if t.isVisible())
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton)
    focused = QApplication.focusWidget()
    assert focused is table

    # Esc goes to the focused widget, as a key press does; the table does not use it, so it
    # reaches the window.
    QTest.keyClick(focused, Qt.Key.Key_Escape)

    assert window.stack.currentWidget() is window.screen(ScreenId.CUSTOMERS)
    assert mask_name(name) not in window.windowTitle()


def test_a_customer_not_in_the_cache_leaves_the_screen_and_says_so(
    qtbot: Any, bench: Workbench
) -> None:
    window = _window(qtbot, bench)
    assert not window.open_customer("c-not-in-this-book")
    assert window.stack.currentWidget() is window.screen(ScreenId.TODAY)
    assert (
        window.statusBar().currentMessage() == "This customer is not in your book on this computer."
    )


def test_ctrl_k_puts_the_cursor_in_the_search_field_from_any_screen(
    qtbot: Any, bench: Workbench
) -> None:
    window = _window(qtbot, bench)
    window.show_screen(ScreenId.TASKS)
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.search_box, timeout=2000)
    assert window.stack.currentWidget() is window.screen(ScreenId.TASKS)  # the screen stays

    QTest.keyClicks(window.search_box, "5678")  # what the user types lands there

    assert window.search_box.text() == "5678"


def test_status_bar_shows_offline_pending_changes_and_conflicts_link_to_sync_issues(
    qtbot: Any, bench: Workbench
) -> None:
    window = _window(qtbot, bench)
    status = SyncStatus(SyncPhase.OFFLINE, False, None, None, 3, 2, 0)
    bench.bridge.on_event(StatusChanged(status))
    bar: Any = window.statusBar()
    qtbot.waitUntil(lambda: "3" in bar.pending.text(), timeout=2000)
    assert "2" in bar.conflicts.text() and bar.conflicts.isVisible()
    qtbot.mouseClick(bar.conflicts, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.screen(ScreenId.SYNC_ISSUES)


def test_choosing_a_language_in_the_user_menu_asks_the_app_to_switch(
    qtbot: Any, bench: Workbench
) -> None:
    window = _window(qtbot, bench)
    chosen: list[str] = []
    window.language_requested.connect(chosen.append)
    chinese = next(action for action in window.language_menu.actions() if action.data() == "zh")
    chinese.trigger()
    assert chosen == ["zh"]


def test_idle_minutes_without_input_ask_for_the_lock_and_not_while_locked(qtbot: Any) -> None:
    watch = IdleWatch(minutes=0.001)  # 60 ms
    with qtbot.waitSignal(watch.idle, timeout=2000) as idle:
        pass
    assert idle.signal_triggered

    watch.pause()  # the window is locked: no second lock on top of it
    with qtbot.assertNotEmitted(watch.idle, wait=300):
        pass

    watch.restart()  # unlocked: the count starts again
    with qtbot.waitSignal(watch.idle, timeout=2000) as again:
        pass
    assert again.signal_triggered
    watch.stop()


def test_startup_does_not_import_the_chart_library() -> None:
    code = (
        "import os, sys; os.environ['QT_QPA_PLATFORM']='offscreen'\n"
        "import rm_desk.views.main_window, rm_desk.views.today, rm_desk.app\n"
        "print('pyqtgraph' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "False"


def test_the_window_start_imports_neither_pypinyin_nor_alembic_nor_the_360_view_nor_httpx() -> None:
    # Each costs a quarter of the start-up budget and the first screen needs none of them; names
    # are read with the reading table, never pypinyin (its import holds the interpreter lock).
    code = (
        "import os, sys; os.environ['QT_QPA_PLATFORM']='offscreen'\n"
        "import rm_desk.views.main_window, rm_desk.views.today, rm_desk.views.search\n"
        "import rm_desk.local_store.engine, rm_desk.local_store.migrate\n"
        "rm_desk.local_store.migrate._plain_head_revision()\n"
        "names = ('pypinyin', 'alembic', 'rm_desk.views.customer360.view', 'httpx')\n"
        "print(*[name in sys.modules for name in names])\n"
        "from rm_desk.domain.pinyin import name_pinyin\n"
        "print(name_pinyin('曾志强').full, 'pypinyin' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.split("\n")[:2] == ["False False False False", "zengzhiqiang False"]


_APP_START = r"""
import json, os, sys
from datetime import datetime
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"
from rm_desk import app as desk_app
from rm_desk.config import Config
from rm_desk.local_store.keys import KeyStorage
from rm_desk.paths import AppPaths
from rm_desk.session import MemoryTokenStore, unlock_offline
from PySide6.QtCore import QEvent, QObject, QTimer

keys = json.loads(os.environ["RM_DESK_TEST_KEYS"])

class Vault:  # the OS keyring holding the cache's key
    storage = KeyStorage.OS_KEYRING
    def load(self, name): return keys.get(name)
    def save(self, name, key): keys[name] = key
    def delete(self, name): keys.pop(name, None)

root, now, url, password = Path(sys.argv[1]), datetime.fromisoformat(sys.argv[2]), *sys.argv[3:]
clock = lambda: now
paths = AppPaths(root / "data", root / "config", root / "logs").ensure()
config = Config(server_url=url)
app = desk_app.make_application(["rm-desk"])
vault = Vault()
desk = desk_app.DeskApp(app, config, paths, vault, clock=clock)
names = ("httpx", "rm_desk.sync.engine")
seen = {}

class Watch(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and "paint" not in seen:
            seen["paint"] = [name in sys.modules for name in names]
        return False

signed = unlock_offline(
    config, paths, "rm001", password, vault=vault, clock=clock, tokens=MemoryTokenStore()
)
watch = Watch()
window = desk.start_session(signed)
window.installEventFilter(watch)
bar = window.statusBar()
seen["before_paint"] = [bar.connection.text(), bar.sync_now.isEnabled()]

def look():
    if desk.sync is not None:
        seen["sync"] = [bar.sync_now.isEnabled()] + [name in sys.modules for name in names]
        app.quit()

poll = QTimer()
poll.timeout.connect(look)
poll.start(20)
QTimer.singleShot(30_000, app.quit)
app.exec()
print(json.dumps(seen))
sys.stdout.flush()
os._exit(0)
"""


def test_the_app_paints_today_before_loading_the_http_client_and_the_sync_engine(
    live_bank: LiveBank, tmp_path: Path
) -> None:
    # httpx and the sync engine are a tenth of a second of the cold start: the service that
    # needs them is built once Today is on screen, and "Sync now" waits for it.
    paths = AppPaths(tmp_path / "data", tmp_path / "config", tmp_path / "logs").ensure()
    vault = PersistentTestVault()
    signed = sign_in_online(
        Config(server_url=live_bank.url),
        paths,
        "rm001",
        PASSWORD,
        vault=vault,
        clock=live_bank.clock,
        tokens=MemoryTokenStore(),
        kdf_cost=FAST_KDF,
    )
    signed.store.close()
    now = live_bank.clock().isoformat()
    out = subprocess.run(
        [sys.executable, "-c", _APP_START, str(tmp_path), now, live_bank.url, PASSWORD],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "RM_DESK_TEST_KEYS": json.dumps(vault.keys)},
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["before_paint"] == ["Connecting…", False]
    assert seen["paint"] == [False, False]
    assert seen["sync"] == [True, True, True]


def test_the_cheap_schema_check_names_the_head_alembic_names() -> None:
    from rm_desk.local_store.migrate import _plain_head_revision, head_revision

    assert _plain_head_revision() == head_revision()


def test_tabbing_into_the_navigation_keeps_the_360_and_a_click_there_leaves_it(
    qtbot: Any, bench: Workbench
) -> None:
    window = _window(qtbot, bench)
    window.show_screen(ScreenId.CUSTOMERS)
    customer_id, _ = _richest_customer(bench)
    assert window.open_customer(customer_id)
    customer_page = window.stack.currentWidget()
    assert window.navigation.selectedItems() == []  # no screen is chosen while the 360 shows

    # Keyboard users walk the window with Tab: the navigation taking the focus is no choice.
    window.navigation.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(window.navigation.hasFocus, timeout=5000)
    assert window.stack.currentWidget() is customer_page

    # A click on the screen the 360 was opened from goes back to it, selected again.
    row = list(window.screen_ids()).index(ScreenId.CUSTOMERS)
    where = window.navigation.visualItemRect(window.navigation.item(row)).center()
    qtbot.mouseClick(window.navigation.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert window.stack.currentWidget() is window.screen(ScreenId.CUSTOMERS)
    assert window.navigation.selectedItems() == [window.navigation.item(row)]
