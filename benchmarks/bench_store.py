"""Benchmarks of the encrypted cache: bulk ingest, customer search and the 360 view.

=============  ==================================================  ================================
benchmark      what is timed                                       baseline, in the same run
=============  ==================================================  ================================
ingest_1m      1,000,000 mixed feed records through ``apply_page``  the same code on plain SQLite
               in pages of 10,000 (goal ≥ 250,000 records/s, and
               ≤ 1.3× the plain SQLite time)
search_100k    ~200 seeded Ctrl+K queries against 100,000           ``name LIKE '%q%' OR
               customers, one read transaction each                 mobile_masked LIKE '%q'``
               (goal p95 ≤ 10 ms)
customer_list  Customers list pages of 200 (every sort, both       pages of the same size in the
_100k          ways, 40 pages deep) over the same 100,000           table's primary-key order
               customers, as the table reads them scrolling
customer_list  the same under six filters (a rare and a common     the same
_100k          tier, the rarest tag, tier and tag, an AUM floor,
.filtered      one RM), 3 pages deep
customer_360   ``customer_360`` of a customer with 2,000            the same SELECTs returning raw
               transactions, 100 times after 5 warm-ups             rows, no domain objects
               (goal p95 ≤ 20 ms)
=============  ==================================================  ================================

Latencies include checking a connection out of the pool and the ``BEGIN``/``COMMIT`` of
:meth:`Store.read`, as a screen pays them. Feeds and queries are generated before the clock starts.
Where a ratio matters, the measured code and its baseline take turns (page by page for the ingests,
run by run for the 360), so a burst of load from elsewhere on a shared machine falls on both alike.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, exc, func, or_, select, text

from benchmarks import feeds
from benchmarks.harness import (
    Better,
    Context,
    GoalOn,
    Result,
    Skip,
    current_rss_mib,
    peak_rss_mib,
    percentile,
)
from benchmarks.stores import (
    STDLIB_SQLITE,
    UNKEYED_SQLCIPHER,
    PlainDriver,
    encrypted_store,
    plain_store,
)
from rm_desk.local_store import schema
from rm_desk.local_store.customer_list import customer_count
from rm_desk.local_store.engine import Store
from rm_desk.local_store.ingest import apply_page
from rm_desk.local_store.queries import (
    TRANSACTIONS_FIRST_PAGE,
    CustomerFilter,
    CustomerSort,
    PageKey,
    customer_page,
    visits_of,
)

INGEST_GOAL_RECORDS_PER_S = 250_000
INGEST_GOAL_TIME_RATIO = 1.3
SEARCH_GOAL_P95_MS = 10.0
SEARCH_LIMIT = 50
CUSTOMER_360_GOAL_P95_MS = 20.0
BIG_CUSTOMER_ID = "c-9000000"

T = TypeVar("T")

LIST_FILTERED_DEEP = 3  # pages of each filtered list read, every sort both ways
LIST_PAGE = 200  # the Customers table's page (views/customer_table.py PAGE_SIZE)
LIST_PAGES_DEEP = 40
ID_ORDER_PAGE_SQL = text(
    "SELECT id, name, tier, risk_level, aum, mobile_masked FROM customer"
    " WHERE id > :after ORDER BY id LIMIT :limit"
)

NAIVE_SEARCH_SQL = text(
    "SELECT id FROM customer WHERE name LIKE :contains OR mobile_masked LIKE :suffix LIMIT :limit"
)


def run(ctx: Context) -> list[Result]:
    return ctx.run_each(
        {
            "ingest_1m": ingest_1m,
            "search_100k": search_100k,
            "customer_360": customer_360,
        }
    )


# ---- shared steps -------------------------------------------------------------------------------


@contextlib.contextmanager
def _frozen_heap() -> Iterator[None]:
    """Keep the generated feed out of the garbage collector's way while the clock runs.

    The app parses one page at a time; a benchmark holding a million records in memory would
    otherwise pay full collections over all of them, which the app never does.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _apply(store: Store, page: Sequence[feeds.Change], number: int) -> float:
    """Apply one page as sync does; the seconds it took. Fails if a record was refused."""
    started = time.perf_counter()
    result = apply_page(store, page, f"bench-cursor-{number}")
    seconds = time.perf_counter() - started
    if result.quarantined:
        first = result.quarantined[0]
        raise RuntimeError(
            f"{len(result.quarantined)} generated records were quarantined, e.g. "
            f"{first.entity} {first.record_id}: {first.reason}; the benchmark feed is wrong"
        )
    return seconds


def _entity_rows(store: Store) -> int:
    with store.read() as conn:
        return sum(
            int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for table in schema.ENTITY_TABLES.values()
        )


def _load(store: Store, changes: Sequence[feeds.Change], page_size: int = 10_000) -> float:
    """Ingest ``changes`` (a benchmark's set-up, not its measurement); the seconds it took."""
    return sum(_apply(store, page, n) for n, page in enumerate(feeds.pages(changes, page_size)))


def _turns(names: Sequence[str], round_number: int) -> list[str]:
    """``names`` rotated by ``round_number``, so that no variant always goes first."""
    shift = round_number % len(names)
    return [*names[shift:], *names[:shift]]


def _timed_read(store: Store, call: Callable[[Connection], object]) -> float:
    """Milliseconds of ``call`` in its own :meth:`Store.read`, as a screen would run it."""
    started = time.perf_counter()
    with store.read() as conn:
        call(conn)
    return (time.perf_counter() - started) * 1000


def _latencies_ms(
    store: Store, calls: Sequence[Callable[[Connection], object]], *, passes: int, warmup: int
) -> list[float]:
    """Milliseconds of each call over ``passes`` passes after ``warmup`` passes, in call order."""
    samples: list[float] = []
    for number in range(warmup + passes):
        for call in calls:
            ms = _timed_read(store, call)
            if number >= warmup:
                samples.append(ms)
    return samples


def _paired_latencies_ms(
    store: Store, variants: Mapping[str, Callable[[Connection], object]], *, runs: int, warmup: int
) -> dict[str, list[float]]:
    """Milliseconds of each variant over ``runs`` runs after ``warmup``, the variants taking turns
    run by run so that load from elsewhere on the machine falls on all of them alike."""
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for number in range(warmup + runs):
        for name in _turns(list(variants), number):
            ms = _timed_read(store, variants[name])
            if number >= warmup:
                samples[name].append(ms)
    return samples


# ---- ingest_1m ----------------------------------------------------------------------------------


def ingest_1m(ctx: Context) -> list[Result]:
    total = ctx.size(1_000_000)
    page_size = ctx.size(10_000)
    ctx.log(f"ingest_1m: generating {total:,} feed records")
    changes = feeds.mixed_feed(total)
    pages = feeds.pages(changes, page_size)
    rss_after_feed = current_rss_mib()

    plain_driver, fallback = _plain_driver(ctx)
    makers: dict[str, Callable[[Path], Store]] = {
        "encrypted": encrypted_store,
        "plain": lambda folder: plain_store(folder, plain_driver),
    }
    if plain_driver is not UNKEYED_SQLCIPHER:
        makers["unkeyed"] = lambda folder: plain_store(folder, UNKEYED_SQLCIPHER)

    # Warm-up on a small separate feed, so first-use costs (imports, the pinyin tables) are paid
    # outside the clock.
    warm = feeds.mixed_feed(min(total, 2_000))
    for make in makers.values():
        with ctx.temp_dir("warmup") as folder:
            store = make(folder)
            try:
                _load(store, warm, page_size)
            finally:
                store.close()

    with _frozen_heap():
        seconds = _ingest_side_by_side(ctx, makers, pages, total)
    encrypted, plain, unkeyed = seconds["encrypted"], seconds["plain"], seconds.get("unkeyed")

    enc_s, plain_s = sum(encrypted), sum(plain)
    feed_note = f" ({rss_after_feed:,.0f} MiB after generating the feed)" if rss_after_feed else ""
    rate_note = (
        f"{total:,} records ({-(-total // feeds.RECORDS_PER_CUSTOMER):,} customers) in "
        f"{len(pages)} pages of {page_size:,}; slowest page {max(encrypted):.2f} s encrypted, "
        f"{max(plain):.2f} s plain; peak RSS {peak_rss_mib():,.0f} MiB{feed_note}"
    )
    time_note = f"plain = {plain_driver.label}{fallback}"
    if unkeyed is not None:
        time_note += (
            f"; vs {UNKEYED_SQLCIPHER.label}: {sum(unkeyed):.2f} s, time ratio "
            f"{enc_s / sum(unkeyed):.2f} (the same SQLite release: encryption alone)"
        )
    return [
        Result(
            "ingest_1m",
            total / enc_s,
            "records/s",
            goal=f"≥ {INGEST_GOAL_RECORDS_PER_S:,} records/s",
            better=Better.HIGHER,
            baseline_name="plain SQLite",
            baseline_value=total / plain_s,
            goal_limit=INGEST_GOAL_RECORDS_PER_S,
            note=rate_note,
        ),
        Result(
            "ingest_1m.time",
            enc_s,
            "s",
            goal=f"≤ {INGEST_GOAL_TIME_RATIO}× plain SQLite time",
            better=Better.LOWER,
            baseline_name="plain SQLite",
            baseline_value=plain_s,
            goal_limit=INGEST_GOAL_TIME_RATIO,
            goal_on=GoalOn.RATIO,
            note=time_note,
        ),
    ]


def _ingest_side_by_side(
    ctx: Context,
    makers: Mapping[str, Callable[[Path], Store]],
    pages: Sequence[Sequence[feeds.Change]],
    total: int,
) -> dict[str, list[float]]:
    """Feed the same pages to a new store of each kind, page by page, the stores taking turns.

    Taking turns keeps the comparison fair on a shared machine: a burst of load from elsewhere
    falls on every store within seconds, where store-after-store runs would give it all to one.

    Returns:
        Per store, the seconds each page took.

    Raises:
        RuntimeError: a store did not end up with one row per record.
    """
    seconds: dict[str, list[float]] = {name: [] for name in makers}
    with contextlib.ExitStack() as stack:
        stores: dict[str, Store] = {}
        for name, make in makers.items():
            stores[name] = make(stack.enter_context(ctx.temp_dir(f"ingest-{name}")))
            stack.callback(stores[name].close)  # closed before its folder is removed
        report_every = max(1, len(pages) // 5)
        for number, page in enumerate(pages):
            for name in _turns(list(stores), number):
                seconds[name].append(_apply(stores[name], page, number))
            if (number + 1) % report_every == 0:
                done = ", ".join(f"{name} {sum(s):.1f} s" for name, s in seconds.items())
                ctx.log(f"ingest_1m: {number + 1}/{len(pages)} pages: {done}")
        for name, store in stores.items():
            stored = _entity_rows(store)
            if stored != total:
                raise RuntimeError(f"{name}: {stored:,} rows stored for {total:,} unique records")
    return seconds


def _plain_driver(ctx: Context) -> tuple[PlainDriver, str]:
    """The standard library's SQLite, or SQLCipher's without a key where the standard library's is
    too old for the schema; with the reason for the fallback, for the note."""
    with ctx.temp_dir("probe") as folder:
        try:
            plain_store(folder, STDLIB_SQLITE).close()
        except exc.DBAPIError as error:
            reason = str(error.orig).splitlines()[0] if error.orig else type(error).__name__
            ctx.log(f"ingest_1m: {STDLIB_SQLITE.label} cannot create the schema ({reason})")
            return (
                UNKEYED_SQLCIPHER,
                f", as {STDLIB_SQLITE.label} cannot create the schema ({reason})",
            )
    return STDLIB_SQLITE, ""


# ---- search_100k --------------------------------------------------------------------------------


def search_100k(ctx: Context) -> list[Result]:
    from rm_desk.local_store import search

    search_customers = getattr(search, "search_customers", None)
    if search_customers is None:
        raise Skip("rm_desk.local_store.search has no search_customers yet")

    customers = ctx.size(100_000)
    ctx.log(f"search_100k: generating {customers:,} customers")
    changes = list(feeds.search_book(customers))
    queries = feeds.search_queries([c["data"] for c in changes if c["entity"] == "customer"])
    passes = 1 if ctx.quick else 3

    with ctx.temp_dir("search") as folder:
        store = encrypted_store(folder)
        try:
            loaded = _load(store, changes)
            ingest_note = f"{len(changes):,} records ingested in {loaded:.1f} s"
            ctx.log(f"search_100k: {ingest_note}")
            del changes
            gc.collect()  # the generated feed is no part of the heap a screen searches with
            hits: list[int] = []

            def searcher(q: str) -> Callable[[Connection], object]:
                def call(conn: Connection) -> None:
                    hits.append(len(search_customers(conn, q, limit=SEARCH_LIMIT)))

                return call

            def naive(q: str) -> Callable[[Connection], object]:
                params = {"contains": f"%{q}%", "suffix": f"%{q}", "limit": SEARCH_LIMIT}
                return lambda conn: conn.execute(NAIVE_SEARCH_SQL, params).all()

            fts = _latencies_ms(store, [searcher(q.text) for q in queries], passes=passes, warmup=1)
            # One pass, no warm-up: each naive query scans the table (~0.5 s at full size), and
            # the searches before it have warmed the page cache as much as a scan can use.
            like = _latencies_ms(store, [naive(q.text) for q in queries], passes=1, warmup=0)
            deep = 5 if ctx.quick else LIST_PAGES_DEEP
            listing = _list_pages(store, pages=deep)
        finally:
            store.close()

    by_kind: dict[str, list[float]] = defaultdict(list)
    for index, ms in enumerate(fts):
        by_kind[queries[index % len(queries)].kind].append(ms)
    kinds = ", ".join(f"{kind} {percentile(ms, 95):.2f}" for kind, ms in sorted(by_kind.items()))
    empty = sum(1 for h in hits if h == 0) / len(hits)
    note = (
        f"{len(queries)} queries x {passes} passes (naive: 1) over {customers:,} customers, "
        f"limit {SEARCH_LIMIT}; mean {sum(hits) / len(hits):.1f} hits, {empty:.0%} with none; "
        f"p95 ms by kind: {kinds}; set-up: {ingest_note}"
    )
    baseline = "naive LIKE"
    return [
        *_list_results(listing, customers, deep),
        Result(
            "search_100k",
            percentile(fts, 95),
            "ms p95",
            goal=f"p95 ≤ {SEARCH_GOAL_P95_MS:g} ms",
            better=Better.LOWER,
            baseline_name=baseline,
            baseline_value=percentile(like, 95),
            goal_limit=SEARCH_GOAL_P95_MS,
            note=note,
        ),
        Result(
            "search_100k.p50",
            percentile(fts, 50),
            "ms p50",
            better=Better.LOWER,
            baseline_name=baseline,
            baseline_value=percentile(like, 50),
            note="the naive query finds no pinyin, initials or tags: it is a cost floor only",
        ),
    ]


def _list_pages(store: Store, *, pages: int) -> dict[str, list[float]]:
    """Milliseconds of each page of the Customers list, every sort both ways, ``pages`` deep, as
    the table reads them while the user scrolls; and of the same number of pages read in the
    table's own primary-key order (the baseline: a page no sort can read faster)."""
    samples: dict[str, list[float]] = {"list": [], "id order": []}
    for sort in CustomerSort:
        for descending in (False, True):
            after: PageKey | None = None
            for _ in range(pages):
                read = partial(
                    customer_page, sort=sort, descending=descending, after=after, limit=LIST_PAGE
                )
                ms, page = _timed_value(store, read)
                samples["list"].append(ms)
                after = page.next_key
                if after is None:
                    break
    samples["filtered"] = _filtered_pages(store, pages=LIST_FILTERED_DEEP)
    last = ""
    for _ in range(len(samples["list"])):
        ms, rows = _timed_value(store, partial(_id_order_page, after=last))
        samples["id order"].append(ms)
        last = str(rows[-1][0]) if rows else ""
    return samples


def _list_filters(store: Store) -> dict[str, CustomerFilter]:
    """Filters an RM or a team lead sets on the list, from the book's own values: a rare and a
    common tier, the rarest tag, both together, an AUM floor, and the largest RM's book."""
    with store.read() as conn:
        tags = conn.execute(
            text("SELECT name FROM customer_tag GROUP BY name ORDER BY count(*), name LIMIT 1")
        ).scalars()
        rarest = frozenset(tags)
        rm = conn.execute(
            text("SELECT primary_rm_id FROM customer GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        ).scalar_one()
    return {
        "private tier": CustomerFilter(tiers=frozenset({"private"})),
        "standard tier": CustomerFilter(tiers=frozenset({"standard"})),
        "rarest tag": CustomerFilter(tags=rarest),
        "private tier with the rarest tag": CustomerFilter(
            tiers=frozenset({"private"}), tags=rarest
        ),
        "AUM from 5 million": CustomerFilter(aum_min=Decimal(5_000_000)),
        "one RM": CustomerFilter(rm_ids=frozenset({rm})),
    }


def _filtered_pages(store: Store, *, pages: int) -> list[float]:
    """Milliseconds of each page of the list under each filter of :func:`_list_filters`, every
    sort both ways, ``pages`` deep, read as the table reads them (it counts the matches once,
    when the filter is set, and hands the count to every page)."""
    samples: list[float] = []
    for filters in _list_filters(store).values():
        with store.read() as conn:
            matching = customer_count(conn, filters)
        for sort in CustomerSort:
            for descending in (False, True):
                after: PageKey | None = None
                for _ in range(pages):
                    read = partial(
                        customer_page,
                        sort=sort,
                        descending=descending,
                        filters=filters,
                        after=after,
                        limit=LIST_PAGE,
                        matching=matching,
                    )
                    ms, page = _timed_value(store, read)
                    samples.append(ms)
                    after = page.next_key
                    if after is None:
                        break
    return samples


def _id_order_page(conn: Connection, *, after: str) -> list[Any]:
    return list(conn.execute(ID_ORDER_PAGE_SQL, {"after": after, "limit": LIST_PAGE}))


def _timed_value(store: Store, call: Callable[[Connection], T]) -> tuple[float, T]:
    """Milliseconds of ``call`` in its own :meth:`Store.read`, and what it returned."""
    started = time.perf_counter()
    with store.read() as conn:
        value = call(conn)
    return (time.perf_counter() - started) * 1000, value


def _list_results(samples: dict[str, list[float]], customers: int, deep: int) -> list[Result]:
    listed, floor, filtered = samples["list"], samples["id order"], samples["filtered"]
    unfiltered = Result(
        "customer_list_100k",
        percentile(listed, 95),
        "ms p95",
        better=Better.LOWER,
        baseline_name="pages in primary-key order",
        baseline_value=percentile(floor, 95),
        note=(
            f"{len(listed)} keyset pages of {LIST_PAGE} customers over {customers:,}: every sort "
            f"of the Customers list both ways, up to {deep} pages deep, each read as "
            f"the table reads it while scrolling; p50 {percentile(listed, 50):.1f} ms, max "
            f"{max(listed):.1f} ms"
        ),
    )
    narrowed = Result(
        "customer_list_100k.filtered",
        percentile(filtered, 95),
        "ms p95",
        better=Better.LOWER,
        baseline_name="pages in primary-key order",
        baseline_value=percentile(floor, 95),
        note=(
            f"{len(filtered)} pages of the list narrowed by a filter (a rare and a common tier, "
            "the rarest tag, tier and tag, AUM from 5 million, one RM), every sort both ways, up "
            f"to {LIST_FILTERED_DEEP} pages deep; p50 {percentile(filtered, 50):.1f} ms, max "
            f"{max(filtered):.1f} ms"
        ),
    )
    return [unfiltered, narrowed]


# ---- customer_360 -------------------------------------------------------------------------------


def customer_360(ctx: Context) -> list[Result]:
    try:
        from rm_desk.local_store.queries import customer_360 as build_360
    except ImportError as error:
        raise Skip(f"rm_desk.local_store.queries cannot be imported yet ({error})") from None

    transactions = ctx.size(2_000)
    book_customers = ctx.size(3_000)
    iterations = ctx.size(100, minimum=10)
    changes = [
        *feeds.products(),
        *feeds.mixed_feed(book_customers * feeds.RECORDS_PER_CUSTOMER),
        *feeds.big_customer(BIG_CUSTOMER_ID, transactions=transactions),
    ]
    with ctx.temp_dir("360") as folder:
        store = encrypted_store(folder)
        try:
            loaded = _load(store, changes)
            ctx.log(f"customer_360: {len(changes):,} records ingested in {loaded:.1f} s")
            del changes
            gc.collect()  # the generated feed is no part of the heap a screen reads with
            with store.read() as conn:
                view = build_360(conn, BIG_CUSTOMER_ID)
            first_page = min(transactions, TRANSACTIONS_FIRST_PAGE)
            if (
                view is None
                or view.transaction_count != transactions
                or len(view.transactions) != first_page
            ):
                found = "nothing" if view is None else f"{view.transaction_count} transactions"
                raise RuntimeError(f"customer_360 of the big customer returned {found}")

            samples = _paired_latencies_ms(
                store,
                {
                    "built": lambda conn: build_360(conn, BIG_CUSTOMER_ID),
                    "raw": lambda conn: _raw_360(conn, BIG_CUSTOMER_ID),
                },
                runs=iterations,
                warmup=5,
            )
            built, raw = samples["built"], samples["raw"]
        finally:
            store.close()

    baseline = "raw rows"
    note = (
        f"{transactions:,} transactions (the view opens with the newest "
        f"{TRANSACTIONS_FIRST_PAGE} and their count; the tab pages the rest), 10 accounts, "
        f"10 holdings, 20 visits, 10 tasks in a book of {book_customers:,} customers; "
        f"{iterations} runs after 5 warm-ups, taking turns with the baseline; the ratio is the "
        "cost of building domain objects"
    )
    return [
        Result(
            "customer_360",
            percentile(built, 95),
            "ms p95",
            goal=f"p95 ≤ {CUSTOMER_360_GOAL_P95_MS:g} ms",
            better=Better.LOWER,
            baseline_name=baseline,
            baseline_value=percentile(raw, 95),
            goal_limit=CUSTOMER_360_GOAL_P95_MS,
            note=note,
        ),
        Result(
            "customer_360.p50",
            percentile(built, 50),
            "ms p50",
            better=Better.LOWER,
            baseline_name=baseline,
            baseline_value=percentile(raw, 50),
        ),
    ]


def _raw_360(conn: Connection, customer_id: str) -> list[Sequence[Any]]:
    """The SELECTs of ``queries.customer_360``, in its order, keeping the rows as they come.

    A copy, kept in step with queries.py by hand: if the two drift apart, the ratio stops meaning
    "the cost of conversion".
    """
    s = schema
    out: list[Sequence[Any]] = []

    def rows(stmt: Any) -> Sequence[Any]:
        result = conn.execute(stmt).all()
        out.append(result)
        return result

    customer = rows(select(s.customer).where(s.customer.c.id == customer_id))
    if not customer:
        return out
    holdings = rows(
        select(s.holding).where(s.holding.c.customer_id == customer_id).order_by(s.holding.c.id)
    )
    accounts = rows(
        select(s.account).where(s.account.c.customer_id == customer_id).order_by(s.account.c.id)
    )
    product_ids = sorted({r.product_id for r in (*holdings, *accounts) if r.product_id})
    rows(select(s.product).where(s.product.c.id.in_(product_ids)))
    household_id = customer[0].household_id
    if household_id and rows(select(s.household).where(s.household.c.id == household_id)):
        rows(
            select(s.customer)
            .where(s.customer.c.household_id == household_id, s.customer.c.id != customer_id)
            .order_by(s.customer.c.id)
        )
    t, rel = s.transaction, s.relationship
    rows(
        select(t)
        .where(t.c.customer_id == customer_id)
        .order_by(t.c.ts.desc(), t.c.id)
        .limit(TRANSACTIONS_FIRST_PAGE + 1)
    )
    rows(select(func.count()).select_from(t).where(t.c.customer_id == customer_id))
    rows(
        select(rel)
        .where(or_(rel.c.from_customer_id == customer_id, rel.c.to_customer_id == customer_id))
        .order_by(rel.c.id)
    )
    rows(visits_of(customer_id))
    rows(
        select(s.task)
        .where(s.task.c.customer_id == customer_id)
        .order_by(s.task.c.due_at, s.task.c.id)
    )
    o, a, g = s.opportunity, s.alert, s.customer_tag
    rows(select(o).where(o.c.customer_id == customer_id).order_by(o.c.expected_close, o.c.id))
    rows(select(a).where(a.c.customer_id == customer_id).order_by(a.c.triggered_at.desc(), a.c.id))
    rows(select(g).where(g.c.customer_id == customer_id).order_by(g.c.name))
    return out
