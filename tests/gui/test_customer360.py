"""The customer 360 view over a real synced cache: header, tabs, models, click-through, masking."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QLabel, QLineEdit, QWidget
from sqlalchemy import func, select, update

from rm_desk.domain.masking import contains_unmasked, mask_name
from rm_desk.domain.suitability import check_suitability
from rm_desk.local_store import schema
from rm_desk.local_store.queries import transaction_page
from rm_desk.views.customer360 import TAB_IDS, Customer360View
from rm_desk.views.customer360.models import Column
from rm_desk.views.customer360.transactions import TransactionsModel
from rm_desk.views.workbench import Workbench

RICH = "c-000088"  # accounts, holdings, the most transactions, visits
FAMILY = "c-000067"  # head of a household of three (spouse, a minor child)
SPOUSE = "c-000044"
WITH_ALERTS = "c-000013"  # an open alert and tasks
WITH_OPPORTUNITY = "c-000040"


@pytest.fixture
def view(bench: Workbench, qtbot: Any) -> Customer360View:
    widget = Customer360View(bench)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    return widget


@pytest.fixture
def online_client(live_bank: Any) -> Iterator[Any]:
    with live_bank.client("rm001") as client:
        yield client


def _count(bench: Workbench, table: Any, customer_id: str) -> int:
    with bench.store.read() as conn:
        stmt = select(func.count()).select_from(table).where(table.c.customer_id == customer_id)
        return int(conn.execute(stmt).scalar_one())


def _models(view: Customer360View) -> dict[str, QAbstractItemModel]:
    return {
        "categories": view.overview.categories,
        "accounts": view.accounts.accounts,
        "holdings": view.accounts.holdings,
        "transactions": view.transactions.model,
        "members": view.household.members,
        "relations": view.household.relations,
        "interactions": view.interactions.model,
        "tasks": view.tasks.model,
        "opportunities": view.opportunities.model,
    }


def _texts(root: QWidget) -> Iterator[str]:
    """Every text a user can see or hover in a widget tree, models included."""
    for widget in [root, *root.findChildren(QWidget)]:
        yield widget.toolTip()
        yield widget.windowTitle()
        yield widget.accessibleName()
        if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
            yield widget.text()
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            yield from _model_texts(widget.model())


def _model_texts(model: QAbstractItemModel) -> Iterator[str]:
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = index.data(role)
                if value is not None:
                    yield str(value)
    for column in range(model.columnCount()):
        yield str(model.headerData(column, Qt.Orientation.Horizontal) or "")


def test_360_shows_as_many_accounts_and_transactions_as_the_store_holds(
    view: Customer360View, bench: Workbench
) -> None:
    assert view.show_customer(RICH)
    accounts = _count(bench, schema.account, RICH)
    transactions = _count(bench, schema.transaction, RICH)
    assert accounts > 0 and transactions > 0
    assert view.accounts.accounts.rowCount() == accounts
    assert view.accounts.holdings.rowCount() == _count(bench, schema.holding, RICH)
    assert view.transactions.model.rowCount() == min(transactions, 200)
    assert f"of {transactions} cached" in view.transactions.summary.text()
    assert view.customer_id == RICH
    assert view.current_tab() == "overview"


def test_customer_not_in_the_cache_is_refused_and_the_shown_one_stays(
    view: Customer360View,
) -> None:
    assert view.show_customer(RICH)
    assert not view.show_customer("c-not-in-my-book")
    assert view.customer_id == RICH


def test_every_tab_renders_and_can_be_selected_by_id(view: Customer360View, qtbot: Any) -> None:
    assert (
        view.tab_ids()
        == TAB_IDS
        == (
            "overview",
            "accounts",
            "transactions",
            "household",
            "interactions",
            "tasks",
            "opportunities",
        )
    )
    assert view.show_customer(FAMILY, "household")
    assert view.current_tab() == "household"
    for tab in view.tab_ids():
        view.select_tab(tab)
        assert view.current_tab() == tab
        image = view.grab().toImage()
        assert not image.isNull() and image.width() == 1200
        # Something beyond the background was painted: more than a handful of colours.
        assert len({image.pixel(x, 300) for x in range(0, 1200, 7)}) > 3


@pytest.mark.parametrize(
    "customer_id", [RICH, FAMILY, WITH_ALERTS, WITH_OPPORTUNITY], ids=lambda c: c
)
def test_every_model_of_the_360_passes_the_model_tester(
    view: Customer360View, qtmodeltester: Any, customer_id: str
) -> None:
    assert view.show_customer(customer_id)
    for model in _models(view).values():
        qtmodeltester.check(model, force_py=True)


def test_models_are_filled_for_the_customers_that_have_such_records(
    view: Customer360View,
) -> None:
    # Guards the model-tester test against passing on empty tables only.
    assert view.show_customer(RICH)
    models = _models(view)
    for name in ("categories", "accounts", "holdings", "transactions", "interactions"):
        assert models[name].rowCount() > 0, name
    assert view.show_customer(FAMILY)
    assert models["members"].rowCount() == 3 and models["relations"].rowCount() == 2
    assert view.show_customer(WITH_ALERTS)
    assert models["tasks"].rowCount() > 0
    assert view.show_customer(WITH_OPPORTUNITY)
    assert models["opportunities"].rowCount() > 0


def test_transactions_page_in_from_the_cache_newest_first(
    bench: Workbench, qtmodeltester: Any
) -> None:
    with bench.store.read() as conn:
        first = transaction_page(conn, RICH, limit=10)

    def fetch(key: Any) -> Any:
        with bench.store.read() as conn:
            return transaction_page(conn, RICH, after=key, limit=10)

    model = TransactionsModel([Column("Time", lambda r: r.txn.ts.isoformat())])
    model.start(first, fetch)
    assert model.rowCount() == 10 and model.canFetchMore(QModelIndex())
    qtmodeltester.check(model, force_py=True)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    times = [row.txn.ts for row in model.rows()]
    assert len(times) == _count(bench, schema.transaction, RICH)
    assert times == sorted(times, reverse=True)
    assert len({row.txn.id for row in model.rows()}) == len(times)


def test_clicking_a_household_member_opens_their_360(
    view: Customer360View, bench: Workbench, qtbot: Any
) -> None:
    assert view.show_customer(FAMILY, "household")
    table = view.household.members_table
    rows = {view.household.members.row_at(n).customer_id: n for n in range(3)}
    rect = table.visualRect(view.household.members.index(rows[SPOUSE], 0))
    with qtbot.waitSignal(bench.navigator.customer_requested, timeout=2000) as blocker:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [SPOUSE, ""]


def test_clicking_the_customer_itself_in_the_household_opens_nothing(
    view: Customer360View, bench: Workbench, qtbot: Any
) -> None:
    assert view.show_customer(FAMILY, "household")
    requested: list[str] = []
    bench.navigator.customer_requested.connect(lambda cid, _tab: requested.append(cid))
    members = view.household.members
    me = next(n for n in range(members.rowCount()) if members.row_at(n).is_self)
    rect = view.household.members_table.visualRect(members.index(me, 0))
    qtbot.mouseClick(
        view.household.members_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
    )
    assert requested == []


def test_related_customer_click_opens_their_360(
    view: Customer360View, bench: Workbench, qtbot: Any
) -> None:
    assert view.show_customer(FAMILY, "household")
    relations = view.household.relations
    spouse_row = next(
        n for n in range(relations.rowCount()) if relations.row_at(n).other_id == SPOUSE
    )
    rect = view.household.relations_table.visualRect(relations.index(spouse_row, 1))
    with qtbot.waitSignal(bench.navigator.customer_requested, timeout=2000) as blocker:
        qtbot.mouseClick(
            view.household.relations_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
        )
    assert blocker.args == [SPOUSE, ""]


def test_minor_household_members_show_a_masked_name(view: Customer360View) -> None:
    assert view.show_customer(FAMILY, "household")
    members = view.household.members
    minors = [n for n in range(members.rowCount()) if members.row_at(n).is_minor]
    assert minors
    for n in minors:
        shown = members.index(n, 0).data()
        assert shown == mask_name(members.row_at(n).name)


def _set_customer(bench: Workbench, customer_id: str, **values: Any) -> None:
    # Stands in for a sync that brought a changed record from the bank.
    with bench.store.write() as conn:
        conn.execute(
            update(schema.customer).where(schema.customer.c.id == customer_id).values(**values)
        )


def test_suitability_marks_follow_the_domain_check_after_a_sync_lowers_the_risk_level(
    view: Customer360View, bench: Workbench, qtbot: Any
) -> None:
    assert view.show_customer(RICH, "accounts")
    holdings = view.accounts.holdings
    assert all(holdings.index(n, 3).data().startswith("✓") for n in range(holdings.rowCount()))

    _set_customer(bench, RICH, risk_level="C1")
    with qtbot.waitSignal(bench.bridge.data_changed, timeout=2000):
        bench.bridge.local_write()
    assert view.current_tab() == "accounts"  # the re-read kept the tab
    data = view.data()
    assert data is not None
    marks = []
    for n in range(holdings.rowCount()):
        row = holdings.row_at(n)
        expected = check_suitability(
            data.customer, row.product, data.today, held_categories=data.held_categories()
        )
        text = holdings.index(n, 3).data()
        assert text.startswith("✓" if expected.suitable else "✗")
        marks.append(text)
    assert any("above the customer's level" in m for m in marks)  # R2/R3 over C1
    assert any(m.startswith("✓") for m in marks)  # the R1 insurance still fits


def test_expired_risk_assessment_shows_red_in_the_header_and_as_an_action(
    view: Customer360View, bench: Workbench
) -> None:
    _set_customer(bench, RICH, risk_assessed_on="2025-01-10")
    assert view.show_customer(RICH)
    risk = view.header.risk
    assert "expired 10 Jan 2026" in risk.text()
    assert "#b42318" in risk.styleSheet()
    actions = [b.text() for b in view.overview.action_buttons()]
    assert any("Risk assessment expired" in text for text in actions)


def test_header_shows_tier_rm_tags_freshness_and_masked_contacts(
    view: Customer360View, bench: Workbench
) -> None:
    assert view.show_customer(RICH)
    data = view.data()
    assert data is not None
    header = view.header
    assert header.name.text() == data.customer.name
    assert header.tier.text() == "Gold"
    assert header.rm.text().startswith("RM: ")
    assert sorted(header.tag_texts()) == sorted(t.name for t in data.view.tags)
    assert header.freshness.text() == "Balances as of 19 Nov 2026 · synced just now"
    assert header.mobile.value_label.text() == data.customer.mobile_masked
    assert header.id_no.value_label.text() == data.customer.id_no_masked


def test_open_alerts_badge_and_next_action_lead_to_the_tasks_tab(
    view: Customer360View, qtbot: Any
) -> None:
    assert view.show_customer(WITH_ALERTS)
    data = view.data()
    assert data is not None
    open_alerts = [a for a in data.view.alerts if a.status.value in ("new", "acknowledged")]
    assert view.header.alerts.isVisible()
    assert view.header.alerts.text() == f"Open alerts: {len(open_alerts)}"
    alert_action = next(
        b for b in view.overview.action_buttons() if b.text().lstrip("●→ ").startswith("Alert")
    )
    qtbot.mouseClick(alert_action, Qt.MouseButton.LeftButton)
    assert view.current_tab() == "tasks"


def test_tasks_tab_lists_open_tasks_first(view: Customer360View) -> None:
    assert view.show_customer(WITH_ALERTS, "tasks")
    rows = view.tasks.model.rows()
    states = [t.status.is_open for t in rows]
    assert states == sorted(states, reverse=True)


def test_caption_for_window_titles_holds_only_the_masked_name(view: Customer360View) -> None:
    assert view.show_customer(RICH)
    data = view.data()
    assert data is not None
    caption = view.caption()
    assert mask_name(data.customer.name) in caption
    assert data.customer.name not in caption


def test_no_tab_shows_an_unmasked_mobile_id_or_card_number(
    view: Customer360View, qtbot: Any
) -> None:
    for customer_id in (RICH, FAMILY, WITH_ALERTS, WITH_OPPORTUNITY):
        assert view.show_customer(customer_id)
        for tab in view.tab_ids():
            view.select_tab(tab)
            if tab == "accounts":
                view.accounts.select_account(view.data().view.accounts[0].id)  # type: ignore[union-attr]
            texts = list(_texts(view))
            leaks = [text for text in texts if contains_unmasked(text)]
            assert leaks == [], (customer_id, tab)
            # The scan reaches the header and the tables (else it could not fail).
            data = view.data()
            assert data is not None
            assert data.customer.mobile_masked in texts
            assert {a.number_masked for a in data.view.accounts} <= set(texts)
        assert not contains_unmasked(view.caption())


def test_offline_transactions_say_older_history_needs_a_connection(
    view: Customer360View,
) -> None:
    assert view.show_customer(RICH, "transactions")
    assert not view.transactions.load_older.isVisible()
    assert view.transactions.older_note.text() == "Older history needs a connection to the bank."


def test_load_older_appends_history_from_the_bank_server(
    make_bench: Callable[..., Workbench], online_client: Any, qtbot: Any
) -> None:
    bench = make_bench(online=online_client)
    view = Customer360View(bench)
    qtbot.addWidget(view)
    view.show()
    assert view.show_customer(RICH, "transactions")
    tab = view.transactions
    cached = tab.model.rows()
    assert tab.load_older.isVisible() and tab.load_older.isEnabled()
    qtbot.mouseClick(tab.load_older, Qt.MouseButton.LeftButton)
    rows = tab.model.rows()
    older = [r for r in rows if r.online]
    assert len(rows) > len(cached) and older
    assert rows[: len(cached)] == cached  # appended, not replaced
    assert max(r.txn.ts for r in older) <= min(r.txn.ts for r in cached)
    assert len({r.txn.id for r in rows}) == len(rows)
    assert f"{len(older)} older from the bank's server" in tab.summary.text()
    assert not any(contains_unmasked(t) for t in _model_texts(tab.model))


def test_log_visit_in_the_header_saves_and_the_tabs_show_the_visit_and_task_unsynced(
    view: Customer360View, bench: Workbench, qtbot: Any
) -> None:
    assert view.show_customer(RICH, "interactions")
    before = view.interactions.model.rowCount()
    assert not any("not synced" in t for t in _model_texts(view.interactions.model))
    qtbot.mouseClick(view.header.log_visit, Qt.MouseButton.LeftButton)
    form = view.visit_form
    assert form is not None and form.isVisible() and form.customer_id == RICH
    qtbot.mouseClick(form.purposes.buttons()[2], Qt.MouseButton.LeftButton)  # customer care
    qtbot.mouseClick(form.quick_due[1], Qt.MouseButton.LeftButton)
    assert form.save()
    visit_id, task_id = form.visit_id, form.task_id

    assert view.current_tab() == "interactions"  # the tab the user was on stays
    assert view.interactions.model.rowCount() == before + 1
    shown = {view.interactions.model.row_at(r).id: r for r in range(before + 1)}
    when = view.interactions.model.index(shown[visit_id], 0)
    assert when.data().endswith("· not synced yet")
    assert "next sync" in when.data(Qt.ItemDataRole.ToolTipRole)
    tasks = view.tasks.model
    (row,) = [r for r in range(tasks.rowCount()) if tasks.row_at(r).id == task_id]
    assert tasks.index(row, 0).data() == "Follow up: Customer care · not synced yet"
    others = [tasks.index(r, 0).data() for r in range(tasks.rowCount()) if r != row]
    assert not any("not synced" in text for text in others)
