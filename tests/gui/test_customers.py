"""The Customers screen as an RM and a team lead use it, over a real synced cache."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from rm_desk.domain.enums import Tier
from rm_desk.domain.masking import contains_unmasked
from rm_desk.local_store import open_store
from rm_desk.local_store.audit import verify_chain
from rm_desk.local_store.saved_filters import saved_filters
from rm_desk.views import formatting
from rm_desk.views.csv_export import EXPORT_ACTION
from rm_desk.views.customer_table import Column
from rm_desk.views.customers import CustomersScreen
from rm_desk.views.watermark import watermark_line
from rm_desk.views.workbench import Permission, Workbench
from tests.conftest import FakeClock, PersistentTestVault
from tests.gui.conftest import NOW, StoreWrites, WorkerThreadRunner

MakeBench = Callable[..., Workbench]


SMALL_PAGE = 4  # the fixture book (tens of customers) spans many pages


def _open(qtbot: QtBot, bench: Workbench, page_size: int = SMALL_PAGE) -> CustomersScreen:
    screen = CustomersScreen(bench, page_size=page_size)
    qtbot.addWidget(screen)
    screen.resize(1200, 800)
    # A short table, so a small page more than fills it and only scrolling fetches the next one
    # (a view fetches by itself while its last row is visible).
    screen.table.setFixedHeight(110)
    screen.show()
    qtbot.waitExposed(screen)
    return screen


def _scroll_to_end(qtbot: QtBot, screen: CustomersScreen) -> int:
    """Scroll down as a user would until nothing more loads; how many times rows were added."""
    model, bar = screen.model, screen.table.verticalScrollBar()
    loads = 0
    while True:
        qtbot.wait(5)  # the view lays out the rows it has (its scroll range follows)
        before = model.rowCount()
        bar.setValue(bar.maximum())
        qtbot.wait(5)  # the view asks canFetchMore/fetchMore at the end of its range
        if model.rowCount() == before:
            return loads
        loads += 1


def _shown_ids(qtbot: QtBot, screen: CustomersScreen) -> set[str]:
    _scroll_to_end(qtbot, screen)
    return {screen.model.customer_id(row) for row in range(screen.model.rowCount())}


def _ids(bench: Workbench, sql: str, **params: Any) -> set[str]:
    with bench.store.read() as conn:
        return {row[0] for row in conn.execute(text(sql), params)}


def _audit_events(bench: Workbench, action: str) -> list[Any]:
    with bench.store.read() as conn:
        return list(
            conn.execute(
                text("SELECT detail FROM audit_log WHERE action = :action"), {"action": action}
            )
        )


def test_screen_lists_as_many_customers_as_the_store_holds(qtbot: QtBot, bench: Workbench) -> None:
    screen = _open(qtbot, bench)
    everyone = _ids(bench, "SELECT id FROM customer")

    assert screen.title() == "Customers"
    assert screen.model.rowCount() == SMALL_PAGE  # one page at first, not the whole book
    loads = _scroll_to_end(qtbot, screen)

    assert loads >= 2  # scrolling fetched further pages
    assert {screen.model.customer_id(r) for r in range(screen.model.rowCount())} == everyone
    assert screen.model.rowCount() == len(everyone)
    assert screen.count_label.text() == f"Customers: {len(everyone)}"


def test_filter_by_tier_shows_exactly_the_customers_of_that_tier(
    qtbot: QtBot, bench: Workbench
) -> None:
    screen = _open(qtbot, bench)
    (tier,) = _ids(bench, "SELECT tier FROM customer GROUP BY tier ORDER BY count(*) DESC LIMIT 1")

    screen.filter_bar.tier.choose(tier)

    expected = _ids(bench, "SELECT id FROM customer WHERE tier = :tier", tier=tier)
    assert 0 < len(expected) < len(_ids(bench, "SELECT id FROM customer"))
    assert _shown_ids(qtbot, screen) == expected
    assert screen.model.total_count == len(expected)


def test_filter_by_risk_level_and_tag_together(qtbot: QtBot, bench: Workbench) -> None:
    screen = _open(qtbot, bench)
    (tag,) = _ids(
        bench, "SELECT name FROM customer_tag GROUP BY name ORDER BY count(*) DESC, name LIMIT 1"
    )
    (risk,) = _ids(
        bench,
        "SELECT c.risk_level FROM customer c JOIN customer_tag t ON t.customer_id = c.id "
        "WHERE t.name = :tag GROUP BY c.risk_level ORDER BY count(*) DESC LIMIT 1",
        tag=tag,
    )

    screen.filter_bar.tag.choose(tag)
    tagged = _ids(bench, "SELECT customer_id FROM customer_tag WHERE name = :tag", tag=tag)
    assert _shown_ids(qtbot, screen) == tagged
    screen.filter_bar.risk.choose(risk)

    expected = _ids(
        bench,
        "SELECT c.id FROM customer c WHERE c.risk_level = :risk AND EXISTS "
        "(SELECT 1 FROM customer_tag t WHERE t.customer_id = c.id AND t.name = :tag)",
        risk=risk,
        tag=tag,
    )
    assert expected and expected <= tagged
    assert _shown_ids(qtbot, screen) == expected
    assert screen.filter_bar.tag.text() == f"Tag: {tag}"


def test_filter_by_aum_range_typed_in_thousands(qtbot: QtBot, bench: Workbench) -> None:
    screen = _open(qtbot, bench)
    amounts = sorted(
        Decimal(a) for a in _ids(bench, "SELECT aum FROM customer WHERE aum IS NOT NULL")
    )
    low, high = amounts[len(amounts) // 4], amounts[3 * len(amounts) // 4]
    low_k, high_k = int(low // 1000), int(high // 1000) + 1  # whole thousands around them

    screen.filter_bar.aum_min.setValue(low_k)
    screen.filter_bar.aum_max.setValue(high_k)
    screen.filter_bar.apply_amounts_now()

    expected = _ids(
        bench,
        "SELECT id FROM customer WHERE aum_num >= :low AND aum_num <= :high",
        low=low_k * 1000 * 100,
        high=high_k * 1000 * 100,
    )
    assert 0 < len(expected) < len(amounts)
    assert _shown_ids(qtbot, screen) == expected


def test_amounts_wait_for_typing_to_pause(qtbot: QtBot, bench: Workbench) -> None:
    screen = _open(qtbot, bench)
    queries: list[Any] = []
    screen.filter_bar.filter_changed.connect(queries.append)

    for value in (1, 10, 100):
        screen.filter_bar.aum_min.setValue(value)

    assert queries == []
    qtbot.waitUntil(lambda: len(queries) == 1, timeout=2000)
    assert queries[0].aum_min == Decimal(100_000)


def test_clear_shows_everyone_again(qtbot: QtBot, bench: Workbench) -> None:
    screen = _open(qtbot, bench)
    everyone = screen.model.total_count
    screen.filter_bar.tier.choose("private")
    screen.filter_bar.risk.choose("C1")
    assert screen.model.total_count < everyone

    screen.filter_bar.clear_button.click()

    assert screen.model.total_count == everyone
    assert screen.filter_bar.tier.text() == "Any tier"


def test_no_match_says_so(qtbot: QtBot, bench: Workbench) -> None:
    screen = _open(qtbot, bench)
    screen.filter_bar.aum_min.setValue(9_000_000)  # ¥9 billion
    screen.filter_bar.apply_amounts_now()
    assert screen.model.rowCount() == 0
    assert screen.count_label.text() == "No customers match these filters."


def test_header_click_sorts_the_whole_book_by_aum(qtbot: Any, bench: Workbench) -> None:
    screen = _open(qtbot, bench)
    section = screen.model.column_of(Column.AUM)
    header = screen.table.horizontalHeader()
    where = QPoint(header.sectionViewportPosition(section) + 5, 5)
    orders = []
    for _ in range(2):  # once, then again for the other direction
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
        descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        orders.append(descending)
        _scroll_to_end(qtbot, screen)
        direction = "DESC" if descending else "ASC"
        with bench.store.read() as conn:
            expected = [
                r[0]
                for r in conn.execute(
                    text(
                        f"SELECT id FROM customer "
                        f"ORDER BY aum_num IS NULL, aum_num {direction}, id {direction}"
                    )
                )
            ]
        assert header.sortIndicatorSection() == section
        assert [screen.model.customer_id(r) for r in range(screen.model.rowCount())] == expected
    assert sorted(orders) == [False, True]


def test_clicking_an_unsortable_header_keeps_order_and_indicator(
    qtbot: QtBot, bench: Workbench
) -> None:
    screen = _open(qtbot, bench)
    header = screen.table.horizontalHeader()
    before = [screen.model.customer_id(r) for r in range(screen.model.rowCount())]

    header.setSortIndicator(screen.model.column_of(Column.TAGS), Qt.SortOrder.AscendingOrder)

    assert header.sortIndicatorSection() == screen.model.column_of(Column.NAME)
    assert [screen.model.customer_id(r) for r in range(screen.model.rowCount())] == before


def test_enter_and_double_click_open_the_customer(qtbot: Any, bench: Workbench) -> None:
    screen = _open(qtbot, bench)
    opened: list[tuple[str, str]] = []
    bench.navigator.customer_requested.connect(lambda cid, tab: opened.append((cid, tab)))

    screen.table.setFocus()
    screen.table.setCurrentIndex(screen.model.index(2, 0))
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    where = screen.table.visualRect(screen.model.index(0, 1)).center()
    qtbot.mouseClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=where)

    assert opened == [(screen.model.customer_id(2), ""), (screen.model.customer_id(0), "")]


def test_a_saved_filter_survives_reopening_the_cache(
    qtbot: QtBot,
    bench: Workbench,
    vault: PersistentTestVault,
) -> None:
    screen = _open(qtbot, bench)
    screen.filter_bar.tier.choose("gold")
    screen.filter_bar.risk.choose("C3")
    screen.filter_bar.ask_name = lambda _parent, _typed: "Gold balanced"
    screen.filter_bar.save_button.click()
    saved_filter = screen.model.filters
    assert screen.filter_bar.saved_box.currentText() == "Gold balanced"
    path = bench.store.path
    screen.close()
    bench.store.close()

    reopened = open_store(path, vault, clock=FakeClock(NOW))
    try:
        again = _open(qtbot, replace(bench, store=reopened))
        assert again.model.filters.tiers == frozenset()  # a fresh screen shows everyone
        assert [f.name for f in again.filter_bar.saved()] == ["Gold balanced"]

        again.filter_bar.choose_saved("Gold balanced")

        assert again.model.filters == saved_filter
        assert again.filter_bar.tier.text() == "Tier: Gold"
        assert again.filter_bar.delete_button.isEnabled()
        again.filter_bar.delete_button.click()
        assert again.filter_bar.saved() == ()
        assert again.filter_bar.saved_box.count() == 0
    finally:
        reopened.close()


def test_a_blank_filter_name_is_refused_with_words(qtbot: QtBot, bench: Workbench) -> None:
    screen = _open(qtbot, bench)
    screen.filter_bar.ask_name = lambda _parent, _typed: "   "
    screen.filter_bar.save_button.click()
    assert screen.filter_bar.saved() == ()
    assert screen.notice.text() == "Change not saved: Give the filter a name."


def _unquoted(statements: list[str]) -> list[str]:
    return [statement.replace('"', "") for statement in statements]


def _stored_filters(bench: Workbench) -> list[str]:
    with bench.store.read() as conn:
        return [saved.name for saved in saved_filters(conn, bench.user.id)]


def test_saving_and_deleting_a_filter_write_the_cache_off_the_gui_thread(
    qtbot: QtBot, make_bench: MakeBench
) -> None:
    bench = make_bench(runner=WorkerThreadRunner())
    screen = _open(qtbot, bench)
    bar = screen.filter_bar
    bar.tier.choose("gold")
    bar.ask_name = lambda _parent, _typed: "Gold book"

    with StoreWrites() as writes:
        bar.save_button.click()

    assert writes.gui_thread_statements() == []
    assert "INSERT INTO sync_state" in _unquoted(writes.off_gui_thread_to(bench.store))
    assert _stored_filters(bench) == ["Gold book"]
    assert bar.saved_box.currentText() == "Gold book"
    assert bar.delete_button.isEnabled() and bar.save_button.isEnabled()

    with StoreWrites() as writes:
        bar.delete_button.click()

    assert writes.gui_thread_statements() == []
    assert "INSERT INTO sync_state" in _unquoted(writes.off_gui_thread_to(bench.store))
    assert _stored_filters(bench) == []
    assert bar.saved_box.count() == 0 and not bar.delete_button.isEnabled()


def test_a_refused_filter_name_is_offered_again_on_the_next_save(
    qtbot: QtBot, make_bench: MakeBench
) -> None:
    bench = make_bench(runner=WorkerThreadRunner())
    screen = _open(qtbot, bench)
    bar = screen.filter_bar
    bar.tier.choose("gold")
    too_long = "Gold customers to call before the end of the quarter"
    offered: list[str] = []

    def ask(_parent: Any, typed: str) -> str:
        offered.append(typed)
        return too_long if len(offered) == 1 else typed[:20]

    bar.ask_name = ask
    bar.save_button.click()

    assert screen.notice.text() == (
        "Change not saved: A filter name can have at most 40 characters."
    )
    assert _stored_filters(bench) == [] and bar.saved_box.count() == 0
    assert bar.tier.selected() == frozenset({"gold"})  # the filter itself is untouched

    bar.save_button.click()

    assert offered == ["", too_long]  # the refused name comes back to be shortened
    assert _stored_filters(bench) == [too_long[:20].strip()]
    assert bar.saved_box.currentText() == too_long[:20].strip()


def test_without_the_permission_export_is_disabled_and_explained(
    qtbot: QtBot, make_bench: MakeBench, tmp_path: Path
) -> None:
    bench = make_bench(permissions=frozenset({Permission.PII_REVEAL.value}))
    screen = _open(qtbot, bench)
    asked: list[str] = []

    def choose(_parent: Any, name: str) -> Path:
        asked.append(name)
        return tmp_path / "x.csv"

    screen.choose_export_path = choose

    assert not screen.export_button.isEnabled()
    assert "permission" in screen.export_button.toolTip()
    screen.export_csv()  # even called directly, nothing happens

    assert asked == []
    assert not (tmp_path / "x.csv").exists()
    assert _audit_events(bench, EXPORT_ACTION) == []


def test_export_writes_every_matching_customer_watermarked_and_audits_it(
    qtbot: QtBot, bench: Workbench, tmp_path: Path
) -> None:
    screen = _open(qtbot, bench)
    (tier,) = _ids(bench, "SELECT tier FROM customer GROUP BY tier ORDER BY count(*) DESC LIMIT 1")
    screen.filter_bar.tier.choose(tier)
    expected = _ids(bench, "SELECT id FROM customer WHERE tier = :tier", tier=tier)
    assert len(expected) > screen.model.rowCount()  # more than the rows loaded so far
    target = tmp_path / "export.csv"
    suggested: list[str] = []

    def choose(_parent: Any, name: str) -> Path:
        suggested.append(name)
        return target

    screen.choose_export_path = choose
    assert screen.export_button.isEnabled()
    screen.export_button.click()

    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese text
    content = raw.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(content)))
    assert lines[0] == [watermark_line(bench.user.id, bench.device_id, NOW)]
    assert lines[1][0] == "Name" and "Mobile" in lines[1]
    body = lines[2:]
    assert len(body) == len(expected)
    names = _ids(bench, "SELECT name FROM customer WHERE tier = :tier", tier=tier)
    assert {row[0] for row in body} == names
    assert not contains_unmasked(content)
    mobiles = _ids(bench, "SELECT mobile_masked FROM customer WHERE tier = :tier", tier=tier)
    mobile_column = lines[1].index("Mobile")
    assert {row[mobile_column] for row in body} <= mobiles | {""}
    assert suggested == ["customers-20261120-1700.csv"]
    assert screen.notice.text() == f"Exported {len(expected)} customers to export.csv."

    events = _audit_events(bench, EXPORT_ACTION)
    assert len(events) == 1
    detail = orjson.loads(events[0].detail)
    assert detail["rows"] == len(expected)
    assert detail["filter"]["tiers"] == [tier]
    assert not set(detail_text(detail)) & names  # the data itself is never in the audit log
    with bench.store.read() as conn:
        assert verify_chain(conn) is None


def detail_text(detail: Any) -> list[str]:
    """Every string inside an audit detail."""
    if isinstance(detail, dict):
        return [s for value in detail.values() for s in detail_text(value)]
    if isinstance(detail, list):
        return [s for value in detail for s in detail_text(value)]
    return [detail] if isinstance(detail, str) else []


def test_export_to_a_missing_folder_fails_with_words_and_no_audit(
    qtbot: QtBot, bench: Workbench, tmp_path: Path
) -> None:
    screen = _open(qtbot, bench)
    screen.choose_export_path = lambda _parent, _name: tmp_path / "no such folder" / "x.csv"

    screen.export_button.click()

    assert screen.notice.text().startswith("Export failed: The file could not be written.")
    assert screen.export_button.isEnabled()
    assert _audit_events(bench, EXPORT_ACTION) == []
    assert not (tmp_path / "no such folder").exists()


def test_cancelling_the_file_dialog_exports_nothing(qtbot: QtBot, bench: Workbench) -> None:
    screen = _open(qtbot, bench)
    screen.choose_export_path = lambda _parent, _name: None
    screen.export_button.click()
    assert _audit_events(bench, EXPORT_ACTION) == []
    assert screen.notice.text() == ""


def test_a_team_lead_sees_and_filters_by_rm_and_an_rm_does_not(
    qtbot: QtBot, make_bench: MakeBench
) -> None:
    rm_screen = _open(qtbot, make_bench("rm001"))
    assert rm_screen.model.column_of(Column.RM) == -1
    assert not rm_screen.filter_bar.rm.isVisibleTo(rm_screen)

    lead = make_bench("lead01")
    lead_screen = _open(qtbot, lead)
    assert lead_screen.model.column_of(Column.RM) >= 0
    assert lead_screen.filter_bar.rm.isVisibleTo(lead_screen)
    rm_ids = lead_screen.filter_bar.rm.choices()
    assert len(rm_ids) >= 2  # a team: several RMs to choose from

    lead_screen.filter_bar.rm.choose(rm_ids[0])

    expected = _ids(lead, "SELECT id FROM customer WHERE primary_rm_id = :rm", rm=rm_ids[0])
    assert expected and _shown_ids(qtbot, lead_screen) == expected


def test_screen_text_never_shows_an_unmasked_number(qtbot: QtBot, make_bench: MakeBench) -> None:
    screen = _open(qtbot, make_bench("lead01"))
    _scroll_to_end(qtbot, screen)
    model = screen.model
    texts = [
        str(model.index(r, c).data(role))
        for r in range(model.rowCount())
        for c in range(model.columnCount())
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
    ]
    texts += [screen.windowTitle(), screen.count_label.text(), screen.export_button.toolTip()]
    assert model.rowCount() > 0
    assert not any(contains_unmasked(t) for t in texts)


def test_the_screen_carries_the_watermark(qtbot: QtBot, bench: Workbench) -> None:
    screen = _open(qtbot, bench)
    assert screen.watermark.text() == watermark_line(bench.user.id, bench.device_id, NOW)
    assert screen.watermark.geometry() == screen.rect()
    assert screen.watermark.isVisible()


def test_chinese_users_type_aum_bounds_in_wan(qtbot: QtBot, bench: Workbench) -> None:
    before = formatting.current_language()
    formatting.set_language("zh")
    try:
        screen = _open(qtbot, bench)
    finally:
        formatting.set_language(before)
    box = screen.filter_bar.aum_min

    box.setValue(50)
    screen.filter_bar.apply_amounts_now()

    assert box.suffix().strip() == "万"
    assert screen.model.filters.aum_min == Decimal(500_000)
    expected = _ids(bench, "SELECT id FROM customer WHERE aum_num >= 50000000")
    assert _shown_ids(qtbot, screen) == expected


def test_a_cache_change_shows_without_losing_the_filter(qtbot: QtBot, bench: Workbench) -> None:
    screen = _open(qtbot, bench)
    screen.filter_bar.tier.choose("private")
    before = screen.model.total_count
    (moved,) = _ids(bench, "SELECT id FROM customer WHERE tier != 'private' ORDER BY id LIMIT 1")
    with bench.store.write() as conn:  # as a sync round would: the bank re-tiered a customer
        conn.execute(text("UPDATE customer SET tier = 'private' WHERE id = :id"), {"id": moved})

    bench.bridge.data_changed.emit()

    assert screen.model.filters.tiers == frozenset({"private"})
    assert screen.model.total_count == before + 1
    assert moved in _shown_ids(qtbot, screen)


def test_header_click_sorts_by_tier_in_the_banks_order(qtbot: Any, bench: Workbench) -> None:
    screen = _open(qtbot, bench)
    section = screen.model.column_of(Column.TIER)
    header = screen.table.horizontalHeader()
    where = QPoint(header.sectionViewportPosition(section) + 5, 5)

    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    _scroll_to_end(qtbot, screen)

    assert header.sortIndicatorSection() == section
    tiers = [screen.model.listed(r).row.tier for r in range(screen.model.rowCount())]
    ranks = [list(Tier).index(Tier(tier)) for tier in tiers]
    descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert ranks == sorted(ranks, reverse=descending)
    assert len(set(ranks)) > 1
