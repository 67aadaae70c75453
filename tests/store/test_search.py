"""Customer search over the encrypted cache: matching, ordering, refresh and hostile input."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
import sqlcipher3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, delete, event, insert, select, update

from rm_desk.domain.pinyin import sort_key
from rm_desk.errors import StoreError
from rm_desk.local_store import schema, search
from rm_desk.local_store.search import (
    SEARCH_DDL,
    MatchKind,
    SearchHit,
    rebuild_search,
    refresh_search,
    search_customers,
)

# ---- a small encrypted cache of our own (the shared store fixture will replace it) --------------


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    key = secrets.token_hex(32)
    eng = sqlalchemy.create_engine(
        "sqlite+pysqlite:///" + str(tmp_path / "t.db"), module=sqlcipher3.dbapi2
    )

    @event.listens_for(eng, "connect")
    def _key(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA key = \"x'{key}'\"")
        dbapi_connection.execute("PRAGMA temp_store = MEMORY")  # as the app's store sets it
        dbapi_connection.execute("PRAGMA synchronous = OFF")  # speed; durability is not tested here

    schema.metadata.create_all(eng)
    with eng.begin() as conn:
        for statement in SEARCH_DDL:
            conn.exec_driver_sql(statement)
    yield eng
    eng.dispose()


@pytest.fixture
def conn(engine: Engine) -> Iterator[Connection]:
    with engine.begin() as connection:
        yield connection


_customer_columns = {c.name for c in schema.customer.columns if c.computed is None}


def add_customer(conn: Connection, cid: str, name: str, **fields: Any) -> None:
    row: dict[str, Any] = dict.fromkeys(_customer_columns)
    row.update(id=cid, name=name, tier="普通", rev=1, tier_watch=False)
    row.update(risk_is_lowest=False, is_qualified_investor=False, is_corporate=False)
    row.update(fields)
    conn.execute(insert(schema.customer).values(row))


def add_account(conn: Connection, aid: str, customer_id: str, number_masked: str) -> None:
    conn.execute(
        insert(schema.account).values(
            id=aid, rev=1, customer_id=customer_id, type="活期", number_masked=number_masked
        )
    )


def add_tag(conn: Connection, tid: str, customer_id: str, name: str) -> None:
    conn.execute(
        insert(schema.customer_tag).values(
            id=tid, rev=1, customer_id=customer_id, name=name, category="manual", source="rm"
        )
    )


def ids(hits: list[SearchHit]) -> list[str]:
    return [h.customer_id for h in hits]


@pytest.fixture
def book(conn: Connection) -> Connection:
    """A small book: the customers every scenario below refers to."""
    add_customer(
        conn,
        "c-zw",
        "张伟",
        tier="金卡",
        aum="120000.00",
        mobile_masked="138****5678",
        id_no_masked="110***********123X",
    )
    add_customer(conn, "c-lwm", "李伟明", aum="800000.00", mobile_masked="139****1111")
    add_customer(conn, "c-zm", "张明", aum="50000.00", mobile_masked="137****2468")
    add_customer(conn, "c-zzq", "曾志强", aum="300000.00", mobile_masked="136****3579")
    add_customer(conn, "c-stf", "单田芳", aum="1000.00", mobile_masked="135****8642")
    add_customer(conn, "c-js", "John Smith", aum="10.00", mobile_masked="131****0001")
    add_account(conn, "a-1", "c-lwm", "**** **** **** 4321")
    add_account(conn, "a-2", "c-lwm", "**** **** **** 9090")
    add_tag(conn, "t-1", "c-zm", "高净值")
    add_tag(conn, "t-2", "c-zzq", "高净值")
    add_tag(conn, "t-3", "c-zzq", "VIP客户")
    refresh_search(conn, ["c-zw", "c-lwm", "c-zm", "c-zzq", "c-stf", "c-js"])
    return conn


# ---- what finds whom --------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["zhangw", "zw", "张伟", "5678"])
def test_pinyin_prefix_initials_name_and_mobile_last4_all_find_zhang_wei(
    book: Connection, query: str
) -> None:
    hits = search_customers(book, query)
    assert hits[0] == SearchHit(
        customer_id="c-zw",
        name="张伟",
        tier="金卡",
        mobile_masked="138****5678",
        matched_on={
            "zhangw": MatchKind.PINYIN,
            "zw": MatchKind.INITIALS,
            "张伟": MatchKind.NAME,
            "5678": MatchKind.DIGITS,
        }[query],
    )


def test_one_character_finds_every_name_containing_it(book: Connection) -> None:
    assert set(ids(search_customers(book, "伟"))) == {"c-zw", "c-lwm"}


def test_any_run_of_consecutive_characters_matches_but_not_a_gap(book: Connection) -> None:
    assert ids(search_customers(book, "伟明")) == ["c-lwm"]
    assert ids(search_customers(book, "李明")) == []


def test_last4_of_an_account_finds_its_owner(book: Connection) -> None:
    hits = search_customers(book, "9090")
    assert ids(hits) == ["c-lwm"]
    assert hits[0].matched_on is MatchKind.DIGITS


@pytest.mark.parametrize("query", ["123X", "123x", "123"])
def test_last4_of_the_id_number_finds_its_owner(book: Connection, query: str) -> None:
    assert ids(search_customers(book, query)) == ["c-zw"]


def test_three_digits_match_the_start_of_a_last4(book: Connection) -> None:
    assert ids(search_customers(book, "567")) == ["c-zw"]


def test_a_pasted_full_mobile_number_matches_by_its_last4(book: Connection) -> None:
    assert ids(search_customers(book, "13812345678")) == ["c-zw"]


def test_a_tag_prefix_finds_the_tagged_customers(book: Connection) -> None:
    hits = search_customers(book, "高净")
    assert set(ids(hits)) == {"c-zm", "c-zzq"}
    assert {h.matched_on for h in hits} == {MatchKind.TAG}


def test_a_mixed_script_tag_is_found_by_each_part_and_whole(book: Connection) -> None:
    for query in ("vip", "VIP客户", "客户"):
        assert ids(search_customers(book, query)) == ["c-zzq"], query


@pytest.mark.parametrize("query", ["zengzq", "zzq", "zengzhiqiang", "zengzhiq", "zhiqiang"])
def test_zeng_surname_is_read_zeng(book: Connection, query: str) -> None:
    assert ids(search_customers(book, query)) == ["c-zzq"]


@pytest.mark.parametrize(
    ("query", "cid"), [("zhw", "c-zw"), ("zhangwm", None), ("liwm", "c-lwm"), ("zzhq", "c-zzq")]
)
def test_abbreviations_mix_whole_syllables_initials_and_digraphs(
    book: Connection, query: str, cid: str | None
) -> None:
    hits = search_customers(book, query)
    assert ids(hits) == ([cid] if cid else [])
    assert all(h.matched_on is MatchKind.PINYIN for h in hits)


@pytest.mark.parametrize("query", ["cengzq", "cengzhiqiang", "czq"])
def test_zeng_surname_is_not_read_ceng(book: Connection, query: str) -> None:
    assert search_customers(book, query) == []


def test_shan_surname_is_read_shan_not_dan(book: Connection) -> None:
    assert ids(search_customers(book, "shantf")) == ["c-stf"]
    assert ids(search_customers(book, "stf")) == ["c-stf"]
    assert search_customers(book, "dantf") == []


def test_given_name_pinyin_finds_the_customer(book: Connection) -> None:
    assert ids(search_customers(book, "weim")) == ["c-lwm"]
    assert set(ids(search_customers(book, "wei"))) == {"c-zw", "c-lwm"}


def test_latin_name_is_found_by_words_and_initials(book: Connection) -> None:
    for query in ("john", "Smith", "js", "ＪＯＨＮ"):
        assert ids(search_customers(book, query)) == ["c-js"], query


def test_words_separated_by_spaces_must_all_match(book: Connection) -> None:
    assert ids(search_customers(book, "张 5678")) == ["c-zw"]
    assert ids(search_customers(book, "张5678")) == ["c-zw"]
    assert ids(search_customers(book, "张 2468")) == ["c-zm"]
    assert search_customers(book, "张 1111") == []
    assert ids(search_customers(book, "zhang 高净")) == ["c-zm"]
    assert ids(search_customers(book, "zh 高净")) == ["c-zm", "c-zzq"]  # zh in 志 zhi


def test_matched_on_names_the_strongest_column(book: Connection) -> None:
    [hit] = search_customers(book, "张 5678")
    assert hit.matched_on is MatchKind.NAME
    [hit] = search_customers(book, "zengzq")
    assert hit.matched_on is MatchKind.PINYIN


# ---- hostile and odd input ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"', []),
        ("*", []),
        ('zhang"', ["c-zw", "c-zm"]),
        ("NEAR(", []),
        ("NEAR(张伟, 2)", []),  # near + 张伟 + 2: nobody has a last-4 starting with 2 and 张伟
        ("-", []),
        ("AND", []),
        ("张 OR 李", []),  # "or" is a letter term like any other
        ("(张伟)", ["c-zw"]),
        ("😀", []),
        ("😀张伟😀", ["c-zw"]),
        ("", []),
        ("   ", []),
        ("^张", ["c-zw", "c-zm"]),
        ("'; DROP TABLE customer; --", []),
        ("a" * 200, []),
        ("张" * 200, []),
        ("伟" + "\u0000" + "明", ["c-lwm"]),
    ],
)
def test_hostile_input_gives_results_or_nothing_and_never_raises(
    book: Connection, query: str, expected: list[str]
) -> None:
    assert sorted(ids(search_customers(book, query))) == sorted(expected)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=150)
@given(query=st.text(max_size=80))
def test_any_text_gives_a_list_of_known_customers(book: Connection, query: str) -> None:
    # The fixture is only read here, so sharing it between examples is sound.
    hits = search_customers(book, query, limit=5)
    assert len(hits) <= 5
    assert set(ids(hits)) <= {"c-zw", "c-lwm", "c-zm", "c-zzq", "c-stf", "c-js"}


def test_a_limit_below_one_finds_nothing(book: Connection) -> None:
    assert search_customers(book, "张", limit=0) == []


# ---- order ------------------------------------------------------------------------------------


def test_exact_name_then_prefix_then_others_then_aum(conn: Connection) -> None:
    add_customer(conn, "1", "李张伟", aum="9000000")  # contains 张伟: other tier, richest
    add_customer(conn, "2", "张伟明", aum="500000")  # starts with 张伟: prefix tier
    add_customer(conn, "3", "张伟", aum="100")  # exact, poorest
    add_customer(conn, "4", "张伟华", aum="700000")  # prefix tier, richer than 张伟明
    refresh_search(conn, ["1", "2", "3", "4"])
    assert ids(search_customers(conn, "张伟")) == ["3", "4", "2", "1"]
    assert ids(search_customers(conn, "zhangwei")) == ["3", "4", "2", "1"]


def test_equal_aum_is_ordered_by_id(conn: Connection) -> None:
    for cid in ("b", "c", "a"):
        add_customer(conn, cid, "王芳", aum="100.00")
    add_customer(conn, "d", "王芳", aum="100.99")  # same yuan band, more AUM
    refresh_search(conn, ["a", "b", "c", "d"])
    assert ids(search_customers(conn, "王芳")) == ["d", "a", "b", "c"]


def test_a_limit_cutting_through_customers_of_equal_aum_keeps_id_order(conn: Connection) -> None:
    cids = [f"k{i:03d}" for i in range(120)]
    for i, cid in enumerate(reversed(cids)):
        add_customer(conn, cid, "王" + "明芳"[i % 2], aum="0")
    add_customer(conn, "rich", "王强", aum="5000000")
    refresh_search(conn, [*cids, "rich"])
    assert ids(search_customers(conn, "王", limit=50)) == ["rich", *cids[:49]]


def _reference_order(conn: Connection, hits: list[SearchHit], query: str) -> list[str]:
    """The order the module docstring promises, computed by brute force for one term."""
    aum = dict(conn.execute(select(schema.customer.c.id, schema.customer.c.aum_num)).all())
    docs = {
        row.customer_id: row
        for row in conn.exec_driver_sql("SELECT * FROM customer_search_doc").all()
    }

    def tier(cid: str) -> int:
        doc = docs[cid]
        if query in (doc.whole, doc.pinyin):
            return 0
        starts = [doc.whole, doc.pinyin, doc.initials, *doc.abbrev.split()]
        return 1 if any(s.startswith(query) for s in starts if s) else 2

    return sorted(ids(hits), key=lambda cid: (tier(cid), -(aum[cid] or 0), cid))


def test_every_limit_gives_a_prefix_of_the_full_order(conn: Connection) -> None:
    import random

    rnd = random.Random(11)
    surnames, given = "张王李曾赵", "伟明芳强静"
    cids = []
    for i in range(300):
        cid = f"r{i:03d}"
        cids.append(cid)
        name = rnd.choice(surnames) + "".join(rnd.choice(given) for _ in range(rnd.randint(0, 2)))
        aum = rnd.choice(["0", "100.50", "100.10", "999", str(rnd.randint(0, 10**7))])
        add_customer(conn, cid, name, aum=aum, mobile_masked=f"138****{rnd.randint(0, 99):04d}")
    refresh_search(conn, cids)
    for query in ("张", "伟", "z", "w", "zh", "00", "0", "wm"):
        everything = search_customers(conn, query, limit=1000)
        assert everything, query
        assert ids(everything) == _reference_order(conn, everything, query), query
        for limit in (1, 2, 7, 50):
            assert ids(search_customers(conn, query, limit=limit)) == ids(everything)[:limit]


# ---- keeping the index current -----------------------------------------------------------------


def test_refresh_after_a_mobile_change_finds_the_new_last4_not_the_old(book: Connection) -> None:
    book.execute(
        update(schema.customer)
        .where(schema.customer.c.id == "c-zw")
        .values(mobile_masked="138****8765")
    )
    refresh_search(book, ["c-zw"])
    assert ids(search_customers(book, "8765")) == ["c-zw"]
    assert search_customers(book, "5678") == []


def test_a_deleted_customer_disappears_after_refresh(book: Connection) -> None:
    book.execute(delete(schema.customer).where(schema.customer.c.id == "c-zw"))
    refresh_search(book, ["c-zw"])
    assert "c-zw" not in ids(search_customers(book, "张"))
    assert search_customers(book, "5678") == []
    docs = book.exec_driver_sql("SELECT count(*) FROM customer_search_doc").scalar()
    assert docs == 5


def test_a_removed_tag_and_a_new_account_are_seen_after_refresh(book: Connection) -> None:
    book.execute(delete(schema.customer_tag).where(schema.customer_tag.c.id == "t-1"))
    add_account(book, "a-9", "c-zm", "6222 **** **** 7777")
    refresh_search(book, ["c-zm"])
    assert ids(search_customers(book, "高净")) == ["c-zzq"]
    assert ids(search_customers(book, "7777")) == ["c-zm"]


def test_an_aum_change_reorders_results(book: Connection) -> None:
    assert ids(search_customers(book, "张")) == ["c-zw", "c-zm"]
    book.execute(
        update(schema.customer).where(schema.customer.c.id == "c-zm").values(aum="9000000.00")
    )
    refresh_search(book, ["c-zm"])
    assert ids(search_customers(book, "张")) == ["c-zm", "c-zw"]


def _doc(conn: Connection, cid: str) -> Any:
    return conn.exec_driver_sql(
        "SELECT doc_id, serial FROM customer_search_doc WHERE customer_id = ?", (cid,)
    ).one()


def test_a_document_keeps_its_id_until_its_aum_band_changes(book: Connection) -> None:
    before = _doc(book, "c-zw")
    refresh_search(book, ["c-zw"])  # nothing changed
    assert _doc(book, "c-zw") == before
    book.execute(
        update(schema.customer).where(schema.customer.c.id == "c-zw").values(aum="120000.40")
    )
    refresh_search(book, ["c-zw"])  # same yuan: same place in the order
    assert _doc(book, "c-zw") == before
    book.execute(
        update(schema.customer).where(schema.customer.c.id == "c-zw").values(aum="130000.00")
    )
    refresh_search(book, ["c-zw"])
    after = _doc(book, "c-zw")
    assert after.serial == before.serial
    assert after.doc_id < before.doc_id  # richer sorts first
    assert ids(search_customers(book, "zw")) == ["c-zw"]


def test_an_aum_change_within_the_same_yuan_still_reorders(conn: Connection) -> None:
    add_customer(conn, "a", "王芳", aum="100.10")
    add_customer(conn, "b", "王芳", aum="100.50")
    refresh_search(conn, ["a", "b"])
    assert ids(search_customers(conn, "王芳")) == ["b", "a"]
    before = _doc(conn, "a")
    conn.execute(update(schema.customer).where(schema.customer.c.id == "a").values(aum="100.90"))
    refresh_search(conn, ["a"])
    assert _doc(conn, "a") == before  # same band: the FTS row is left alone
    assert ids(search_customers(conn, "王芳")) == ["a", "b"]


def test_refresh_sets_a_missing_or_stale_sort_key(conn: Connection) -> None:
    add_customer(conn, "x1", "曾志强")
    add_customer(conn, "x2", "张伟", name_pinyin="stale")
    refresh_search(conn, ["x1", "x2"])
    keys = dict(conn.execute(select(schema.customer.c.id, schema.customer.c.name_pinyin)).all())
    assert keys == {"x1": sort_key("曾志强"), "x2": sort_key("张伟")}


def test_refresh_of_unknown_or_no_ids_changes_nothing(book: Connection) -> None:
    refresh_search(book, [])
    refresh_search(book, ["no-such-customer"])
    assert book.exec_driver_sql("SELECT count(*) FROM customer_search_doc").scalar() == 6


def test_rebuild_indexes_customers_never_refreshed(book: Connection) -> None:
    add_customer(book, "late", "欧阳修", aum="1")
    assert search_customers(book, "ouyang") == []
    rebuild_search(book)
    assert ids(search_customers(book, "ouyang")) == ["late"]
    assert ids(search_customers(book, "zw")) == ["c-zw"]
    assert book.exec_driver_sql("SELECT count(*) FROM customer_search_doc").scalar() == 7


def test_a_large_page_of_ids_is_refreshed_in_one_call(conn: Connection) -> None:
    cids = [f"p{i:05d}" for i in range(3000)]
    conn.execute(
        insert(schema.customer),
        [
            dict.fromkeys(_customer_columns)
            | {
                "id": cid,
                "name": "赵" + "明芳伟"[i % 3],
                "tier": "普通",
                "rev": 1,
                "tier_watch": False,
                "risk_is_lowest": False,
                "is_qualified_investor": False,
                "is_corporate": False,
                "aum": str(Decimal(i) / 4),
                "mobile_masked": f"138****{i % 10000:04d}",
            }
            for i, cid in enumerate(cids)
        ],
    )
    refresh_search(conn, cids)
    assert ids(search_customers(conn, "2999")) == ["p02999"]
    assert len(search_customers(conn, "zhao", limit=5000)) == 3000
    assert ids(search_customers(conn, "zhaom", limit=1)) == ["p02997"]  # richest 赵明


def test_running_out_of_serials_renumbers_by_rebuilding(
    book: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "_SERIAL_LIMIT", 8)  # the book's six hold serials 0-5
    for cid in ("n0", "n1"):  # serials 6 and 7: the last two
        add_customer(book, cid, "王明", aum="1")
        refresh_search(book, [cid])
    book.execute(delete(schema.customer).where(schema.customer.c.id.in_(["c-js", "c-stf"])))
    refresh_search(book, ["c-js", "c-stf"])
    add_customer(book, "n2", "王明", aum="2")
    refresh_search(book, ["n2"])  # would take serial 8: rebuilds instead
    serials = book.exec_driver_sql("SELECT serial FROM customer_search_doc").scalars().all()
    assert sorted(serials) == list(range(7))
    assert ids(search_customers(book, "王明")) == ["n2", "n0", "n1"]
    assert ids(search_customers(book, "zw")) == ["c-zw"]


def test_more_customers_than_serials_is_a_store_error_not_a_loop(
    book: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "_SERIAL_LIMIT", 6)
    add_customer(book, "n0", "王明")
    with pytest.raises(StoreError):
        refresh_search(book, ["n0"])
