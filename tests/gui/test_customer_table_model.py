"""The customer list model: keyset pages on demand, sorting in SQL, cells as the user reads them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from sqlalchemy import text

from rm_desk.domain.masking import contains_unmasked
from rm_desk.local_store.customer_list import customer_count
from rm_desk.local_store.queries import CustomerFilter, CustomerSort
from rm_desk.views import formatting
from rm_desk.views.customer_table import CUSTOMER_ID_ROLE, Column, CustomerTableModel
from rm_desk.views.workbench import Workbench

SMALL_PAGE = 3
BY_NAME = "SELECT id FROM customer ORDER BY name_pinyin IS NULL, name_pinyin, id"
BY_AUM_DESCENDING = "SELECT id FROM customer ORDER BY aum_num IS NULL, aum_num DESC, id DESC"
TAGS_BY_CUSTOMER = (
    "SELECT customer_id, group_concat(name, '|') AS names FROM customer_tag GROUP BY customer_id"
)


def _model(bench: Workbench, page_size: int = SMALL_PAGE) -> CustomerTableModel:
    return CustomerTableModel(
        bench.store, show_rm=bench.is_team_lead, today=bench.today, page_size=page_size
    )


def _sql(bench: Workbench, sql: str, **params: Any) -> list[Any]:
    with bench.store.read() as conn:
        return list(conn.execute(text(sql), params))


def _fetch_all(model: CustomerTableModel) -> int:
    pages = 0
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        pages += 1
    return pages


def _cell(model: CustomerTableModel, row: int, column: Column) -> str:
    return str(model.index(row, model.column_of(column)).data())


@pytest.fixture
def english() -> Iterator[None]:
    before = formatting.current_language()
    formatting.set_language("en")
    yield
    formatting.set_language(before)


@pytest.fixture
def chinese() -> Iterator[None]:
    before = formatting.current_language()
    formatting.set_language("zh")
    yield
    formatting.set_language(before)


def test_model_passes_the_model_tester_while_paging(bench: Workbench, qtmodeltester: Any) -> None:
    model = _model(bench)
    model.set_query()
    qtmodeltester.check(model)  # the tester itself calls fetchMore
    assert model.rowCount() > SMALL_PAGE

    sorted_model = _model(bench)
    sorted_model.set_query()
    sorted_model.fetchMore(QModelIndex())
    sorted_model.sort(sorted_model.column_of(Column.AUM), Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(sorted_model)


def test_lead_model_passes_the_model_tester(
    make_bench: Callable[..., Workbench], qtmodeltester: Any
) -> None:
    model = _model(make_bench("lead01"))
    model.set_query()
    qtmodeltester.check(model)


def test_a_new_query_reads_one_page_and_knows_how_many_match(bench: Workbench) -> None:
    model = _model(bench)
    counts: list[int] = []
    model.count_changed.connect(counts.append)
    model.set_query()

    (stored,) = _sql(bench, "SELECT count(*) FROM customer")[0]
    assert stored > SMALL_PAGE * 3  # enough customers for paging to mean something
    assert model.total_count == stored
    assert counts == [stored]
    assert model.rowCount() == SMALL_PAGE
    assert model.canFetchMore(QModelIndex())


def test_fetching_to_the_end_reads_every_customer_once_in_name_order(bench: Workbench) -> None:
    model = _model(bench)
    model.set_query()
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))

    pages = _fetch_all(model)

    expected = [row.id for row in _sql(bench, BY_NAME)]
    ids = [model.customer_id(row) for row in range(model.rowCount())]
    assert ids == expected
    assert pages == -(-len(expected) // SMALL_PAGE) - 1  # every page after the first, no empty one
    assert inserted[0] == (SMALL_PAGE, 2 * SMALL_PAGE - 1)  # rows inserted, not a reset
    assert model.fetch_page() == 0


def test_header_click_sorts_by_aum_in_sql_across_pages(bench: Workbench) -> None:
    model = _model(bench)
    model.set_query()
    model.sort(model.column_of(Column.AUM), Qt.SortOrder.DescendingOrder)
    _fetch_all(model)

    expected = [row.id for row in _sql(bench, BY_AUM_DESCENDING)]
    assert [model.customer_id(row) for row in range(model.rowCount())] == expected
    assert model.sort_order == (CustomerSort.AUM, True)


def test_header_click_on_a_column_without_sql_order_changes_nothing(bench: Workbench) -> None:
    model = _model(bench)
    model.set_query(sort=CustomerSort.LAST_CONTACT)
    before = [model.customer_id(row) for row in range(model.rowCount())]
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))

    model.sort(model.column_of(Column.TAGS), Qt.SortOrder.DescendingOrder)

    assert resets == []
    assert model.sort_order == (CustomerSort.LAST_CONTACT, False)
    assert [model.customer_id(row) for row in range(model.rowCount())] == before


def test_filters_narrow_the_count_to_the_matching_customers(bench: Workbench) -> None:
    model = _model(bench)
    model.set_query(filters=CustomerFilter(tiers=frozenset({"gold", "platinum"})))
    _fetch_all(model)

    (stored,) = _sql(bench, "SELECT count(*) FROM customer WHERE tier IN ('gold', 'platinum')")[0]
    assert 0 < stored < customer_count_all(bench)
    assert model.total_count == model.rowCount() == stored
    tiers = {model.listed(row).row.tier for row in range(model.rowCount())}
    assert tiers <= {"gold", "platinum"}


def customer_count_all(bench: Workbench) -> int:
    with bench.store.read() as conn:
        return customer_count(conn)


def test_cells_read_as_the_user_expects_in_english(bench: Workbench, english: None) -> None:
    model = _model(bench, page_size=500)
    model.set_query()
    gold = next(row for row in range(model.rowCount()) if model.listed(row).row.tier == "gold")
    listed = model.listed(gold)

    assert _cell(model, gold, Column.TIER) == "Gold"
    assert _cell(model, gold, Column.NAME) == listed.row.name
    assert _cell(model, gold, Column.MOBILE) == (listed.row.mobile_masked or "—")
    assert _cell(model, gold, Column.AUM) == formatting.money(listed.row.aum, "en")
    assert model.index(gold, 0).data(CUSTOMER_ID_ROLE) == listed.row.id
    texts = [
        str(model.index(row, column).data())
        for row in range(model.rowCount())
        for column in range(model.columnCount())
    ]
    assert not any(contains_unmasked(text_) for text_ in texts)


def test_tags_of_each_row_are_shown(bench: Workbench, english: None) -> None:
    model = _model(bench, page_size=500)
    model.set_query()
    tagged = _sql(
        bench,
        TAGS_BY_CUSTOMER,
    )
    assert tagged
    customer_id, names = tagged[0]
    row = next(r for r in range(model.rowCount()) if model.customer_id(r) == customer_id)
    assert _cell(model, row, Column.TAGS).split(", ") == sorted(names.split("|"))


def test_chinese_users_read_aum_in_wan(bench: Workbench, chinese: None) -> None:
    model = _model(bench)
    model.set_query(sort=CustomerSort.AUM, descending=True)
    top = model.listed(0).row.aum
    assert top is not None and top >= 10_000
    assert _cell(model, 0, Column.AUM).endswith(("万", "亿"))


def test_only_a_team_lead_gets_the_rm_column(make_bench: Callable[..., Workbench]) -> None:
    rm_model = _model(make_bench("rm001"))
    lead_model = _model(make_bench("lead01"))
    lead_model.set_query()

    assert rm_model.column_of(Column.RM) == -1
    section = lead_model.column_of(Column.RM)
    assert section >= 0
    assert lead_model.headerData(section, Qt.Orientation.Horizontal) == "RM"
    names = {
        row.id: row.name for row in _sql(make_bench("lead01"), "SELECT id, name FROM employee")
    }
    first = lead_model.listed(0).row
    assert _cell(lead_model, 0, Column.RM) == names.get(
        first.primary_rm_id or "", first.primary_rm_id
    )


def test_reload_keeps_the_rows_already_read(bench: Workbench) -> None:
    model = _model(bench)
    model.set_query()
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.reload()
    assert model.rowCount() == 3 * SMALL_PAGE
    assert model.canFetchMore(QModelIndex())
