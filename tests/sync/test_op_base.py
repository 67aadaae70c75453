"""Each update op keeps the values its fields had before the edit: its own merge base."""

from __future__ import annotations

import pytest

from rm_desk.domain.enums import OpKind
from rm_desk.local_store import Store, schema
from rm_desk.local_store.ingest import apply_page
from rm_desk.local_store.writes import record_edit
from tests import factories
from tests.sync import records as r


@pytest.fixture
def book(store: Store) -> Store:
    r.seed_book(store)
    return store


def test_an_update_op_keeps_the_values_its_fields_had_before_the_edit(book):
    r.move_opportunity(book, "recommended")

    (op,) = r.outbox_rows(book)
    assert op["snapshot"] == {"stage": "contacted"}


def test_coalesced_edits_keep_the_first_before_of_each_field(book):
    r.move_opportunity(book, "recommended")
    r.move_opportunity(book, "closing", amount="1.00")

    (op,) = r.outbox_rows(book)
    assert op["fields"] == {"stage": "closing", "amount": "1.00"}
    assert op["snapshot"] == {"stage": "contacted", "amount": "500000.00"}


def test_an_edit_after_a_sent_one_starts_from_what_the_user_saw(book):
    r.move_opportunity(book, "recommended")
    with book.write() as conn:
        conn.execute(schema.outbox.update().values(state="sending"))
    r.move_opportunity(book, "closing")

    assert r.outbox_rows(book)[1]["snapshot"] == {"stage": "recommended"}


def test_a_pull_rebases_the_record_but_not_the_ops_base(book):
    record_edit(book, "opportunity", "o-1", OpKind.UPDATE, {"amount": "650000.00"})
    newer = r.opportunity("o-1", amount="700000.00")
    apply_page(book, [factories.change("opportunity", newer, 40)], "cursor-2")

    row = r.row(book, "opportunity", "o-1")
    assert row["base"]["amount"] == "700000.00" and row["amount"] == "650000.00"
    assert r.outbox_rows(book)[0]["snapshot"] == {"amount": "500000.00"}
