"""A mobile, ID or card number in a task's title or an alert's message shows masked on Today, as
it does on the Tasks screen and in the 360 (tests/gui/test_typed_numbers.py)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication, QLabel, QWidget
from sqlalchemy import select, text

from rm_desk.domain.masking import contains_unmasked
from rm_desk.local_store import schema
from rm_desk.views import i18n
from rm_desk.views.workbench import Workbench
from tests.gui.test_no_unmasked_c2 import widget_texts
from tests.gui.test_today import open_screen, seed_work
from tests.gui.test_typed_numbers import TYPED


def _shown_texts(screen: QWidget) -> list[str]:
    return [
        str(value)
        for widget in [screen, *screen.findChildren(QWidget)]
        if widget.isVisibleTo(screen)
        for _where, value in widget_texts(widget)
        if isinstance(value, str) and value
    ]


def test_numbers_in_a_task_title_or_an_alert_message_show_masked_on_today(
    qtbot: Any, bench: Workbench
) -> None:
    i18n.install_language(QApplication.instance(), "en")  # type: ignore[arg-type]
    seed_work(bench)  # an open, overdue task of the user's: on Today
    a = schema.alert
    with bench.store.write() as conn:
        conn.execute(
            text("UPDATE task SET title = :typed WHERE id = 'k-gui-overdue-1'"), {"typed": TYPED}
        )
        first_new = conn.execute(
            select(a.c.id).where(a.c.status == "new").order_by(a.c.id).limit(1)
        ).scalar_one()
        conn.execute(
            text("UPDATE alert SET message = :typed WHERE id = :id"),
            {"typed": TYPED, "id": first_new},
        )

    screen = open_screen(bench, qtbot)

    texts = _shown_texts(screen)
    assert sum("138****5678" in t for t in texts) >= 2, "the task and the alert are on Today"
    leaks = [t for t in texts if contains_unmasked(t)]
    assert not leaks, leaks


def test_one_new_alert_reads_as_one_in_the_summary(qtbot: Any, bench: Workbench) -> None:
    i18n.install_language(QApplication.instance(), "en")  # type: ignore[arg-type]
    a = schema.alert
    with bench.store.write() as conn:
        kept = conn.execute(
            select(a.c.id).where(a.c.status == "new").order_by(a.c.id).limit(1)
        ).scalar_one()
        conn.execute(
            text("UPDATE alert SET status = 'acknowledged' WHERE status = 'new' AND id != :id"),
            {"id": kept},
        )

    screen = open_screen(bench, qtbot)

    summary = screen.findChildren(QLabel, "screenSubtitle")
    assert any(label.text().endswith("· 1 new alert") for label in summary), [
        label.text() for label in summary
    ]
