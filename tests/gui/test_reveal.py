"""The reveal flow: reason, permission, connection, 30 seconds, masked copy, one audit event."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import select

from rm_desk.domain.masking import (
    contains_unmasked,
    last4,
    mask_account_number,
    mask_id_number,
    mask_mobile,
)
from rm_desk.local_store import schema
from rm_desk.views.customer360 import Customer360View
from rm_desk.views.reveal import MaskedValue, RevealField, RevealTarget
from rm_desk.views.workbench import Workbench
from tests.gui.conftest import StoreWrites, WorkerThreadRunner

CUSTOMER = "c-000088"
SHORT_MS = 300


def _audit_rows(bench: Workbench) -> list[Any]:
    with bench.store.read() as conn:
        return list(conn.execute(select(schema.audit_log)).mappings())


def _mobile_target(bench: Workbench, customer_id: str = CUSTOMER) -> RevealTarget:
    with bench.store.read() as conn:
        masked = conn.execute(
            select(schema.customer.c.mobile_masked).where(schema.customer.c.id == customer_id)
        ).scalar_one()
    return RevealTarget(customer_id, RevealField.MOBILE, masked)


@pytest.fixture
def online_bench(make_bench: Callable[..., Workbench], live_bank: Any) -> Iterator[Workbench]:
    with live_bank.client("rm001") as client:
        yield make_bench(online=client)


def _masked_value(bench: Workbench, qtbot: Any, target: RevealTarget) -> MaskedValue:
    widget = MaskedValue(bench, field_name="mobile", reveal_ms=SHORT_MS)
    qtbot.addWidget(widget)
    widget.set_target(target)
    widget.show()
    return widget


def test_revealed_mobile_shows_for_a_while_then_reverts_with_one_audit_event(
    online_bench: Workbench, qtbot: Any
) -> None:
    target = _mobile_target(online_bench)
    widget = _masked_value(online_bench, qtbot, target)
    assert widget.value_label.text() == target.masked

    with qtbot.waitSignal(widget.revealed, timeout=5000):
        widget.reveal_with_reason("contact: call about maturity")
    full = widget.value_label.text()
    assert full != target.masked and mask_mobile(full) == target.masked
    assert widget.is_revealed()
    assert full not in widget.toolTip() and full not in widget.button.toolTip()

    events = _audit_rows(online_bench)
    assert len(events) == 1
    event = events[0]
    assert (event["action"], event["entity"], event["record_id"], event["field"]) == (
        "reveal",
        "customer",
        CUSTOMER,
        "mobile",
    )
    assert event["reason"] == "contact: call about maturity"
    assert event["user_id"] == "rm001"
    assert not any(full in str(value) for value in event.values())

    assert widget.button.text() == "Hide"
    with qtbot.waitSignal(widget.concealed, timeout=SHORT_MS * 10):
        pass
    assert widget.button.text() == "Reveal"
    assert widget.value_label.text() == target.masked
    assert not widget.is_revealed()
    assert len(_audit_rows(online_bench)) == 1


def test_the_reveals_audit_event_is_written_off_the_gui_thread(
    make_bench: Callable[..., Workbench], live_bank: Any, qtbot: Any
) -> None:
    with live_bank.client("rm001") as client:
        bench = make_bench(online=client, runner=WorkerThreadRunner())
        target = _mobile_target(bench)
        widget = _masked_value(bench, qtbot, target)

        with StoreWrites() as writes, qtbot.waitSignal(widget.revealed, timeout=5000):
            widget.reveal_with_reason("contact")

    assert writes.gui_thread_statements() == []
    written = [what.replace('"', "") for what in writes.off_gui_thread_to(bench.store)]
    assert written == ["INSERT INTO audit_log"]
    assert mask_mobile(widget.value_label.text()) == target.masked
    assert widget.is_revealed()
    ((action, record_id, field),) = [
        (event["action"], event["record_id"], event["field"]) for event in _audit_rows(bench)
    ]
    assert (action, record_id, field) == ("reveal", CUSTOMER, "mobile")


def test_copy_while_revealed_puts_only_the_masked_value_on_the_clipboard(
    online_bench: Workbench, qtbot: Any
) -> None:
    target = _mobile_target(online_bench)
    widget = _masked_value(online_bench, qtbot, target)
    QGuiApplication.clipboard().setText("")
    with qtbot.waitSignal(widget.revealed, timeout=5000):
        widget.reveal_with_reason("verification")
    assert widget.is_revealed()
    assert widget.value_label.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction
    widget.copy_action.trigger()
    copied = QGuiApplication.clipboard().text()
    assert copied == target.masked
    assert not contains_unmasked(copied)


def test_reveal_through_the_reason_dialog_needs_a_reason_and_details_for_other(
    online_bench: Workbench, qtbot: Any
) -> None:
    bench = online_bench
    view = Customer360View(bench)
    qtbot.addWidget(view)
    view.show()
    assert view.show_customer(CUSTOMER)
    id_no = view.header.id_no
    masked = id_no.masked_text()

    qtbot.mouseClick(id_no.button, Qt.MouseButton.LeftButton)
    dialog = id_no.reason_dialog()
    assert dialog is not None and dialog.isVisible()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # no reason chosen yet
    dialog.choice.setCurrentIndex(dialog.choice.findData("other"))
    assert not ok.isEnabled()  # "Other" needs words
    dialog.details.setText("customer disputes a transfer at the counter")
    assert ok.isEnabled()
    with qtbot.waitSignal(id_no.revealed, timeout=5000):
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    shown = id_no.value_label.text()
    assert mask_id_number(shown) == masked
    assert contains_unmasked(shown)  # the full number, on purpose, in this one label
    (event,) = _audit_rows(bench)
    assert event["field"] == "id_no"
    assert event["reason"] == "other: customer disputes a transfer at the counter"
    assert view.caption() == "王* · Customer 360"

    view.select_tab("accounts")  # the header stays; switching customers conceals
    assert view.show_customer("c-000067")
    assert not id_no.is_revealed()
    assert not contains_unmasked(id_no.value_label.text())


def test_account_number_of_the_selected_account_can_be_revealed(
    online_bench: Workbench, qtbot: Any
) -> None:
    view = Customer360View(online_bench)
    qtbot.addWidget(view)
    view.show()
    assert view.show_customer(CUSTOMER, "accounts")
    account = view.data().view.accounts[0]  # type: ignore[union-attr]
    assert view.accounts.select_account(account.id)
    number = view.accounts.account_number
    assert number.masked_text() == account.number_masked
    with qtbot.waitSignal(number.revealed, timeout=5000):
        number.reveal_with_reason("servicing")
    shown = number.value_label.text()
    assert mask_account_number(shown) == account.number_masked
    assert last4(shown) == last4(account.number_masked)
    (event,) = _audit_rows(online_bench)
    assert (event["entity"], event["record_id"], event["field"]) == (
        "account",
        account.id,
        "account_number",
    )


def test_hiding_the_value_or_clicking_hide_conceals_it_at_once(
    online_bench: Workbench, qtbot: Any
) -> None:
    target = _mobile_target(online_bench)
    widget = MaskedValue(online_bench, field_name="mobile")  # the real 30 s
    qtbot.addWidget(widget)
    widget.set_target(target)
    widget.show()
    with qtbot.waitSignal(widget.revealed, timeout=5000):
        widget.reveal_with_reason("contact")
    widget.hide()
    assert widget.value_label.text() == target.masked
    widget.show()
    with qtbot.waitSignal(widget.revealed, timeout=5000):
        widget.reveal_with_reason("contact")
    qtbot.mouseClick(widget.button, Qt.MouseButton.LeftButton)  # "Hide"
    assert widget.value_label.text() == target.masked
    assert len(_audit_rows(online_bench)) == 2  # one event per reveal


def test_offline_reveal_explains_and_changes_nothing(bench: Workbench, qtbot: Any) -> None:
    assert bench.online is None
    target = _mobile_target(bench)
    widget = _masked_value(bench, qtbot, target)
    assert widget.button.isEnabled()  # permitted; the connection is checked on click
    qtbot.mouseClick(widget.button, Qt.MouseButton.LeftButton)
    notice = widget.notice()
    assert notice is not None
    assert notice.windowTitle() == "Reveal needs a connection"
    assert "offline" in notice.text()
    assert widget.reason_dialog() is None
    assert widget.value_label.text() == target.masked
    assert _audit_rows(bench) == []


def test_without_the_reveal_permission_the_button_is_disabled_and_says_why(
    make_bench: Callable[..., Workbench], qtbot: Any
) -> None:
    bench = make_bench(permissions=frozenset())
    widget = _masked_value(bench, qtbot, _mobile_target(bench))
    assert not widget.button.isEnabled()
    assert "pii.reveal" in widget.button.toolTip()
    widget.request_reveal()  # even if called, nothing happens
    assert widget.reason_dialog() is None and widget.notice() is None
    assert _audit_rows(bench) == []


def test_refused_reveal_shows_the_servers_words_and_writes_no_local_audit(
    online_bench: Workbench, qtbot: Any
) -> None:
    # A customer outside rm001's book: the real server answers 404 not_found.
    widget = _masked_value(
        online_bench, qtbot, RevealTarget("c-999999", RevealField.MOBILE, "138****0000")
    )
    widget.reveal_with_reason("contact")
    notice = widget.notice()
    assert notice is not None
    assert notice.windowTitle() == "Not found"
    assert "not in your book" in notice.text()
    assert widget.value_label.text() == "138****0000"
    assert not widget.is_revealed()
    assert widget.button.isEnabled()
    assert _audit_rows(online_bench) == []
