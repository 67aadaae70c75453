"""Logging a visit with a follow-up task (Ctrl+L) over a real synced cache, then to the bank."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget
from sqlalchemy import create_engine, func, select

from crm_server.schema import record as schema_record
from rm_desk.domain.enums import Entity, OpKind, TaskKind, TaskStatus
from rm_desk.domain.masking import mask_name
from rm_desk.local_store import schema
from rm_desk.local_store.writes import record_edit
from rm_desk.sync.engine import SyncEngine
from rm_desk.sync.issues import list_pending_ops
from rm_desk.views.customer360.tab import unsent_text
from rm_desk.views.formatting import BANK_ZONE
from rm_desk.views.main_window import MainWindow
from rm_desk.views.visit_form import VisitForm
from rm_desk.views.watermark import Watermark
from rm_desk.views.workbench import Workbench
from tests.gui.conftest import NOW, LiveBank

CUSTOMER = "c-000088"  # in rm001's book, with visits and tasks already


def _window(qtbot: Any, bench: Workbench) -> MainWindow:
    window = MainWindow(bench)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()  # window shortcuts act in the active window only
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    return window


def _ctrl_l_from_360(qtbot: Any, window: MainWindow) -> VisitForm:
    assert window.open_customer(CUSTOMER)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    form = window.visit_form
    assert isinstance(form, VisitForm)
    qtbot.waitExposed(form)
    form.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form, timeout=3000)
    return form


def _shown(qtbot: Any, form: VisitForm) -> VisitForm:
    qtbot.addWidget(form)
    form.open()
    qtbot.waitExposed(form)
    form.activateWindow()  # Ctrl+Enter and Esc act in the active window only
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form, timeout=3000)
    return form


def _counts(bench: Workbench) -> tuple[int, int, int]:
    with bench.store.read() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for table in (schema.visit, schema.task, schema.outbox)
        )


def _fill(qtbot: Any, form: VisitForm) -> None:
    """Purpose, outcome, notes, "+3d": what an RM does after a visit."""
    qtbot.mouseClick(form.purposes.buttons()[1], Qt.MouseButton.LeftButton)  # 资产检视
    qtbot.mouseClick(form.outcomes.buttons()[0], Qt.MouseButton.LeftButton)  # positive
    form.notes.setFocus()
    form.notes.insertPlainText("客户关注养老规划，下周带方案")  # committed by the input method
    qtbot.mouseClick(form.quick_due[3], Qt.MouseButton.LeftButton)


def test_ctrl_l_from_a_360_opens_the_form_for_that_customer(qtbot: Any, bench: Workbench) -> None:
    window = _window(qtbot, bench)
    form = _ctrl_l_from_360(qtbot, window)
    with bench.store.read() as conn:
        name = conn.execute(
            select(schema.customer.c.name).where(schema.customer.c.id == CUSTOMER)
        ).scalar_one()
    assert form.customer_id == CUSTOMER
    assert form.picker is None  # no need to ask who it was
    assert form.customer_label.text().startswith(name)
    assert mask_name(name) in form.windowTitle() and name not in form.windowTitle()
    assert form.draft().start_at == NOW.replace(second=0, microsecond=0)
    marks = form.findChildren(Watermark)
    assert marks and not marks[0].covered_by_ancestor()  # the dialog paints its own watermark


def test_ctrl_enter_writes_one_visit_and_one_follow_up_task_with_their_ops(
    qtbot: Any, bench: Workbench
) -> None:
    window = _window(qtbot, bench)
    form = _ctrl_l_from_360(qtbot, window)
    visits, tasks, ops = _counts(bench)
    _fill(qtbot, form)

    qtbot.keyClick(form.notes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    assert _counts(bench) == (visits + 1, tasks + 1, ops + 2)
    pending = list_pending_ops(bench.store)[-2:]
    assert [(p.entity, p.op) for p in pending] == [
        ("visit", OpKind.CREATE),
        ("task", OpKind.CREATE),
    ]
    sent_visit, sent_task = (dict(p.fields) for p in pending)
    visit_id, task_id = pending[0].record_id, pending[1].record_id
    assert sent_visit == {
        "customer_ids": (CUSTOMER,),
        "channel": "onsite",
        "purpose": "portfolio_review",
        "start_at": "2026-11-20T09:00:00Z",
        "end_at": "2026-11-20T09:30:00Z",
        "notes": "客户关注养老规划，下周带方案",
        "outcome": "positive",
        "linked_task_ids": (task_id,),
    }
    assert sent_task["kind"] == TaskKind.MANUAL.value
    assert sent_task["status"] == TaskStatus.NOT_STARTED.value
    assert (sent_task["customer_id"], sent_task["related_entity"], sent_task["related_id"]) == (
        CUSTOMER,
        "visit",
        visit_id,
    )
    assert sent_task["assignee_id"] == bench.user.id
    assert "rm_id" not in sent_visit and "assigner_id" not in sent_task  # the server stamps them
    assert not form.isVisible()

    # The 360 shows both at once, marked as not synced yet.
    view: Any = window.customer_view
    shown_visits = [
        view.interactions.model.row_at(r).id for r in range(view.interactions.model.rowCount())
    ]
    assert visit_id in shown_visits
    row = shown_visits.index(visit_id)
    when = view.interactions.model.index(row, 0).data()
    assert when.endswith(unsent_text("", True).strip())
    task_rows = [view.tasks.model.row_at(r) for r in range(view.tasks.model.rowCount())]
    (task,) = [t for t in task_rows if t.id == task_id]
    assert task.title.startswith("Follow up")
    assert "sent to the bank" in window.statusBar().currentMessage()


def test_plus_3d_sets_the_due_date_three_days_on(qtbot: Any, bench: Workbench) -> None:
    form = VisitForm(bench, CUSTOMER)
    qtbot.addWidget(form)
    form.show()
    assert not form.follow_up.isChecked()
    qtbot.mouseClick(form.quick_due[3], Qt.MouseButton.LeftButton)
    assert form.follow_up.isChecked()
    assert form.draft().task_due == bench.today() + timedelta(days=3)
    qtbot.mouseClick(form.quick_due[7], Qt.MouseButton.LeftButton)
    assert form.draft().task_due == bench.today() + timedelta(days=7)

    qtbot.mouseClick(form.purposes.buttons()[2], Qt.MouseButton.LeftButton)
    assert form.save()
    (task_op,) = [p for p in list_pending_ops(bench.store) if p.entity == "task"][-1:]
    due = datetime.fromisoformat(task_op.fields["due_at"].replace("Z", "+00:00"))
    assert due.astimezone(BANK_ZONE).date() == bench.today() + timedelta(days=7)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no purpose", "Choose the purpose of the visit."),
        ("end before start", "The visit ends before it starts; check the end time."),
    ],
)
def test_invalid_input_shows_the_message_and_writes_nothing(
    qtbot: Any, bench: Workbench, case: str, message: str
) -> None:
    form = VisitForm(bench, CUSTOMER)
    qtbot.addWidget(form)
    form.show()
    before = _counts(bench)
    if case == "end before start":
        qtbot.mouseClick(form.purposes.buttons()[0], Qt.MouseButton.LeftButton)
        form.end.setDateTime(form.start.dateTime().addSecs(-3600))
    form.notes.insertPlainText("要记的话")

    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)

    assert form.problems_label.isVisible()
    assert message in form.problems_label.text()
    assert _counts(bench) == before
    assert form.isVisible() and form.notes.toPlainText() == "要记的话"


def test_without_a_customer_the_form_asks_through_the_search(qtbot: Any, bench: Workbench) -> None:
    window = _window(qtbot, bench)  # on Today: no customer in view
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    form = window.visit_form
    assert isinstance(form, VisitForm) and form.picker is not None
    qtbot.mouseClick(form.purposes.buttons()[0], Qt.MouseButton.LeftButton)
    before = _counts(bench)
    assert not form.save()
    assert "Choose the customer you met." in form.problems_label.text()
    assert _counts(bench) == before

    with bench.store.read() as conn:
        name = conn.execute(
            select(schema.customer.c.name).where(schema.customer.c.id == CUSTOMER)
        ).scalar_one()
    hits = form.picker.run_query(name)
    assert CUSTOMER in [hit.customer_id for hit in hits]
    row = [hit.customer_id for hit in hits].index(CUSTOMER)
    form.picker.popup().list.setCurrentIndex(form.picker.results_model().index(row))
    form.picker.setFocus()
    qtbot.keyClick(form.picker, Qt.Key.Key_Return)

    assert form.customer_id == CUSTOMER
    assert window.stack.currentWidget() is window.screen(window.screen_ids()[0])  # no 360 opened
    assert form.save()
    assert _counts(bench)[0] == before[0] + 1


def test_esc_with_text_asks_before_discarding(qtbot: Any, bench: Workbench) -> None:
    form = _shown(qtbot, VisitForm(bench, CUSTOMER))
    form.location.insert("客户公司")

    qtbot.keyClick(form, Qt.Key.Key_Escape)
    prompt = form.discard_prompt
    assert prompt is not None and prompt.isVisible()
    keep = [
        b for b in prompt.buttons() if prompt.buttonRole(b) == QMessageBox.ButtonRole.RejectRole
    ]
    qtbot.mouseClick(keep[0], Qt.MouseButton.LeftButton)
    assert form.isVisible() and form.location.text() == "客户公司"

    qtbot.keyClick(form, Qt.Key.Key_Escape)
    prompt = form.discard_prompt
    assert prompt is not None and prompt.isVisible()
    (discard,) = [
        b
        for b in prompt.buttons()
        if prompt.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole
    ]
    qtbot.mouseClick(discard, Qt.MouseButton.LeftButton)
    assert not form.isVisible()


def test_esc_on_an_untouched_form_closes_it_without_asking(qtbot: Any, bench: Workbench) -> None:
    form = _shown(qtbot, VisitForm(bench, CUSTOMER))
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert not form.isVisible() and form.discard_prompt is None


def test_a_save_the_store_refuses_keeps_the_text_and_writes_nothing(
    qtbot: Any, bench: Workbench
) -> None:
    form = _shown(qtbot, VisitForm(bench, CUSTOMER))
    _fill(qtbot, form)
    form.task_title.insert("寄送养老方案")
    # Another write took the visit's id first (a double submit): the store refuses the create,
    # and the follow-up task, written in the same transaction, must not land either.
    record_edit(
        bench.store,
        Entity.VISIT.value,
        form.visit_id,
        OpKind.CREATE,
        {
            "customer_ids": [CUSTOMER],
            "channel": "phone",
            "purpose": "care",
            "start_at": "2026-11-19T02:00:00Z",
        },
    )
    before = _counts(bench)

    qtbot.keyClick(form.notes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    assert _counts(bench) == before
    assert form.isVisible()
    assert form.banner.isVisible() and "already exists" in form.banner.text()
    assert form.notes.toPlainText() == "客户关注养老规划，下周带方案"
    assert form.task_title.text() == "寄送养老方案"
    assert form.purposes.checkedButton() is form.purposes.buttons()[1]
    assert form.save_button.isEnabled()


def test_every_control_has_an_accessible_name(qtbot: Any, bench: Workbench) -> None:
    form = VisitForm(bench, None)
    qtbot.addWidget(form)
    form.show()
    unnamed = [
        w.objectName() or type(w).__name__
        for w in form.findChildren(QWidget)
        if w.focusPolicy() != Qt.FocusPolicy.NoFocus
        and w.isVisible()
        and not isinstance(w, QLabel)
        and not w.accessibleName()
        and w.parent() is form
    ]
    assert unnamed == []


def test_a_visit_logged_offline_reaches_the_bank_once_after_sync(
    qtbot: Any, bench: Workbench, live_bank: LiveBank, tmp_path: Path
) -> None:
    form = VisitForm(bench, CUSTOMER)
    qtbot.addWidget(form)
    form.show()
    _fill(qtbot, form)
    assert form.save()  # offline: bench has no connection at all
    visit_id, task_id = form.visit_id, form.task_id

    with live_bank.client("rm001") as client:
        engine = SyncEngine(bench.store, client)
        engine.run_round()
        engine.run_round()  # a second round sends nothing again

    assert list_pending_ops(bench.store) == ()
    bank = create_engine(f"sqlite:///{tmp_path / 'live-bank' / 'crm.db'}")
    try:
        with bank.connect() as conn:
            rec = conn.execute(
                select(schema_record.c.entity, schema_record.c.data).where(
                    schema_record.c.id.in_([visit_id, task_id])
                )
            ).all()
    finally:
        bank.dispose()
    assert sorted(r.entity for r in rec) == ["task", "visit"]
    data = {r.entity: orjson.loads(r.data) for r in rec}
    assert data["visit"]["rm_id"] == "rm001"
    assert data["visit"]["purpose"] == "portfolio_review"
    assert data["visit"]["linked_task_ids"] == [task_id]
    assert data["task"]["related_id"] == visit_id
    assert data["task"]["assigner_id"] == "rm001"
    due = datetime.fromisoformat(data["task"]["due_at"].replace("Z", "+00:00"))
    assert due.astimezone(BANK_ZONE).date() == NOW.astimezone(BANK_ZONE).date() + timedelta(days=3)
    with bench.store.read() as conn:
        cached_rev = conn.execute(
            select(schema.visit.c.rev).where(schema.visit.c.id == visit_id)
        ).scalar_one()
    assert cached_rev > 0  # the bank's copy replaced the local one
