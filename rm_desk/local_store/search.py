"""Customer search (Ctrl+K): an FTS5 index over names, pinyin, last-4 digits and tags.

The index
=========

Two objects, created by :data:`SEARCH_DDL`:

``customer_search_doc``
    One row per indexed customer, keyed by customer id: the FTS row id (``doc_id``, unique), the
    text of each column exactly as it was indexed, and the AUM the document is ordered by. It is
    the only link between the index and ``customer``: that table has a TEXT primary key, so its
    implicit rowid may change on ``VACUUM`` and is never used. The stored text lets a refresh skip
    unchanged customers and lets a hit say which column it matched.

``customer_search``
    A contentless FTS5 table (``content=''``, ``contentless_delete=1``: the text is stored once, in
    the doc table, and rows are deleted by id without replaying their old text). For 张伟明 with
    the tag 高净值 the columns hold:

    ==========  ==========================================  =====================================
    column      indexed text                                a query term matches it when
    ==========  ==========================================  =====================================
    whole       ``张伟明``: the Chinese characters, one     equal (exact tier), starts with
                token                                       (prefix tier)
    pinyin      ``zhangweiming``                            equal (exact), starts with (prefix)
    abbrev      leading syllables whole, the rest by        starts with (prefix tier):
                initial or zh/ch/sh: ``zhangwm zhwm``       ``zhangwm``, ``zhw``
    initials    ``zwm``                                     starts with (prefix tier)
    name        ``_张 _伟 _明``: one token per character    phrase ``"_伟 _明"`` (other tier)
    syllables   ``_weiming _ming``: the pinyin from each    starts with (other tier)
                later syllable on, for given names
    digits      ``5678 123x 1234``: last 4 of mobile, ID    equal, or starts with for 1–3 digits
                number and each account
    tags        ``_高净值``; ``VIP客户`` gives ``_vip _客户``  starts with
    ==========  ==========================================  =====================================

    Tokens that match only in the *other* tier carry a ``_`` mark (declared a token character).
    With it, the doclist a prefix-tier query reads (``z*``, ``伟*``) holds only tokens that start a
    name: ``伟`` typed alone reads the few names starting with 伟, not the thousands containing it.

Tokenizer: ``unicode61 remove_diacritics 2 tokenchars '_'``. The documents are split into tokens
here (a Chinese character per token in ``name``, pinyin and digits whole), so the tokenizer only
splits on spaces, folds case and folds the diacritics of latin names (José, jose). ``trigram``
was rejected: it cannot match queries shorter than three characters, and two-character names
(张伟) and one-letter pinyin (``z``) are the commonest searches; it would also find pinyin inside
syllables (``ang`` in every zhang). ``prefix='1 2 3 4 5 6'`` indexes the prefixes people type
(a pinyin syllable is at most six letters), so a prefix query reads one doclist instead of merging
every token that starts with it. ``detail=full`` because phrases need positions. ``pgsz`` and
``hashsize`` are raised for bulk builds (fewer, larger segments); ``pgsz`` stays below what a
4 KiB SQLCipher page holds without overflow.

Order without sorting every match
---------------------------------

Results are ordered by tier (exact, prefix, other), then AUM descending, then customer id. A
one-letter query matches tens of thousands of customers and sorting them by AUM costs tens of
milliseconds, so the FTS row id carries the AUM order: ``doc_id = (BAND_MAX - band) << SERIAL_BITS
| serial``, where ``band`` is the AUM in whole yuan (clamped to ``0…BAND_MAX``) and ``serial`` is
unique to the customer's document, assigned once and kept. FTS5 yields matches in row id order and
stops at the ``LIMIT``, so each tier reads only its first matches, the richest customers, plus the
rest of the last band reached so equal-yuan ties can be ordered by AUM and id in Python. When a
customer's band changes, the doc row takes the new id in place and the FTS row is replaced, in
the same transaction; an AUM change within the band only updates the doc row. When the serials
run out (after millions of customers have come and gone) the refresh rebuilds, renumbering them.

Query grammar
=============

The user's text (its first 64 characters) is NFKC-normalized (full-width letters and digits become
ASCII) and cut into *terms*: a run of Chinese characters, a run of letters, or a run of digits
(keeping a trailing ``x``, the check character of an ID number). Spaces, punctuation, emoji and
every other character only separate terms. Terms reach FTS5 only inside double-quoted strings
built here, so no input can form FTS5 syntax. Every term must match (AND): ``张 5678`` and
``张5678`` both mean 张 and 5678. A term matches when:

- Chinese ``张伟``: the name contains the characters consecutively, or a tag starts with them;
- letters ``zhangw``: the full pinyin, an abbreviated spelling (``zengzq``, ``zhw``), the initials
  (``zw``), the pinyin from a later syllable on (``wei``, ``weiming``) or a tag starts with them;
- digits: four (``5678``, ``123x``) equal a last-4; one to three start one, so every keystroke
  narrows; five or more (a pasted full number) use their last four. A tag may also start with
  the digits.

Tiers: *exact* when the name's Chinese characters equal the Chinese terms joined, or the full
pinyin equals the letter terms joined (``zhangwei``, ``zhang wei``); *prefix* when the name starts
with a Chinese term, or the pinyin, an abbreviation or the initials start with a letter term;
*other* for every remaining match.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from functools import lru_cache
from typing import Any, Final

from sqlalchemy import Connection, Row, RowMapping, text

from rm_desk.domain.pinyin import is_han, name_pinyin, sort_key
from rm_desk.errors import StoreError

SERIAL_BITS: Final = 22
BAND_BITS: Final = 40
BAND_MAX: Final = (1 << BAND_BITS) - 1
_SERIAL_LIMIT = 1 << SERIAL_BITS  # a module variable so a test can make it small
_SEPARATOR: Final = "\x1f"  # joins account numbers and tag names in group_concat
_MARK: Final = "_"  # starts every token that matches only in the "other" tier
_MAX_QUERY_CHARS: Final = 64
_MAX_HAN_TERM: Final = 16  # longer than any name; bounds the phrase a query builds
_MAX_ABBREVIATIONS: Final = 16
_INDEX_FULL: Final = "The customer search index cannot hold this many customers."

SEARCH_DDL: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS customer_search_doc (
        customer_id TEXT PRIMARY KEY,
        doc_id INTEGER NOT NULL UNIQUE,
        serial INTEGER NOT NULL UNIQUE,
        aum_num INTEGER NOT NULL,
        whole TEXT NOT NULL,
        pinyin TEXT NOT NULL,
        abbrev TEXT NOT NULL,
        initials TEXT NOT NULL,
        name TEXT NOT NULL,
        syllables TEXT NOT NULL,
        digits TEXT NOT NULL,
        tags TEXT NOT NULL
    )
    """,
    """
    CREATE VIRTUAL TABLE IF NOT EXISTS customer_search USING fts5(
        whole, pinyin, abbrev, initials, name, syllables, digits, tags,
        content = '',
        contentless_delete = 1,
        tokenize = "unicode61 remove_diacritics 2 tokenchars '_'",
        prefix = '1 2 3 4 5 6',
        detail = full
    )
    """,
    "INSERT INTO customer_search (customer_search, rank) VALUES ('pgsz', 3600)",
    "INSERT INTO customer_search (customer_search, rank) VALUES ('hashsize', 16777216)",
)

_COLUMNS: Final = ("whole", "pinyin", "abbrev", "initials", "name", "syllables", "digits", "tags")
_COLUMN_LIST: Final = ", ".join(_COLUMNS)


class MatchKind(StrEnum):
    """Which indexed column made a customer a hit, strongest first."""

    NAME = "name"
    PINYIN = "pinyin"
    INITIALS = "initials"
    DIGITS = "digits"
    TAG = "tag"


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One customer found by :func:`search_customers`."""

    customer_id: str
    name: str
    tier: str
    mobile_masked: str | None
    matched_on: MatchKind


# ---- text shared by documents and queries -------------------------------------------------------


class _Script(Enum):
    HAN = "han"
    LETTERS = "letters"
    DIGITS = "digits"


@lru_cache(maxsize=4096)
def _classify(char: str) -> tuple[_Script | None, str]:
    """The script of one character and what it contributes to a run (``None``: a separator).

    Letters count only if they fold to ASCII (é is e): the pinyin of a name is ASCII, and a letter
    SQLite's tokenizer might not know would otherwise turn a term into a bare ``_`` prefix.
    """
    if is_han(char):
        return _Script.HAN, char
    if "0" <= char <= "9":
        return _Script.DIGITS, char
    folded = _fold(char) if char.isalpha() else ""
    if folded.isascii() and folded.isalpha():
        return _Script.LETTERS, folded
    return None, ""


@lru_cache(maxsize=4096)  # tag names repeat across customers
def _runs(value: str) -> tuple[tuple[_Script, str], ...]:
    """Cut ``value`` into runs of one script; every other character only separates.

    The text is NFKC-normalized first (full-width input matches), letters are lowercased without
    diacritics, and a run of digits keeps a directly following lone ``x`` (ID check character).
    """
    chars = unicodedata.normalize("NFKC", value)
    runs: list[tuple[_Script, str]] = []
    current: list[str] = []
    script: _Script | None = None
    for i, char in enumerate(chars):
        kind, out = _classify(char)
        if out == "x" and script is _Script.DIGITS and not chars[i + 1 : i + 2].isalpha():
            kind = _Script.DIGITS
        if kind is not script:
            if script is not None:
                runs.append((script, "".join(current)))
            current.clear()
            script = kind
        current.append(out)
    if script is not None:
        runs.append((script, "".join(current)))
    return tuple(runs)


def _fold(value: str) -> str:
    """Lowercase without diacritics, as ``unicode61 remove_diacritics 2`` compares latin text."""
    if value.isascii():
        return value.lower()
    decomposed = unicodedata.normalize("NFD", value.lower())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", kept)


def _last4(masked: str | None) -> str:
    """The visible last four of a masked number: ``"138****5678"`` gives ``"5678"``."""
    if not masked:
        return ""
    tail = masked[masked.rfind("*") + 1 :].strip()
    if tail.isascii() and tail.isdigit():  # the usual shape, checked first: ingest calls it a lot
        return tail[-4:]
    tail = unicodedata.normalize("NFKC", tail).lower()
    return "".join(c for c in tail if "0" <= c <= "9" or c == "x")[-4:]


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _initial_forms(syllable: str) -> list[str]:
    """How a syllable may be abbreviated: its first letter, and zh/ch/sh where it has one."""
    digraph = syllable[:2] if len(syllable) > 2 and syllable[:2] in ("zh", "ch", "sh") else ""
    return _unique((syllable[:1], digraph))


def _abbreviations(syllables: Sequence[str]) -> list[str]:
    """Abbreviated spellings people type: 曾志强 gives ``zengzq`` and ``zzhq``.

    A spelling writes the first ``k`` syllables whole and abbreviates the rest (``k = 0`` is all
    initials), each abbreviation being the first letter or zh/ch/sh (``zhw`` for 张伟). Spellings
    another column already covers are left out: the plain initials, and prefixes of the full
    pinyin (``zhangw``). Spellings with single letters come first; those with digraphs fill up to
    ``_MAX_ABBREVIATIONS`` in all.
    """
    full = "".join(syllables)
    initials = "".join(s[:1] for s in syllables)
    forms = [_initial_forms(s) for s in syllables]
    has_digraph = any(len(f) > 1 for f in forms)
    plain: list[str] = []
    digraphs: list[str] = []
    for k in range(len(syllables)):
        head = "".join(syllables[:k])
        plain.append(head + initials[k:])
        if has_digraph:
            tails = itertools.product(*forms[k:])
            digraphs += itertools.islice((head + "".join(t) for t in tails), 1, _MAX_ABBREVIATIONS)
    kept = [s for s in _unique(plain + digraphs) if s != initials and not full.startswith(s)]
    return kept[:_MAX_ABBREVIATIONS]


@lru_cache(maxsize=65536)  # the bulk ingest sees many customers with the same name
def _name_columns(name: str) -> tuple[str, str, str, str, str, str]:
    """``whole, pinyin, abbrev, initials, name, syllables`` of a name, as indexed."""
    han = [c for c in unicodedata.normalize("NFKC", name) if is_han(c)]
    py = name_pinyin(name)
    syllables = py.syllables if py.full.isascii() else tuple(_fold(s) for s in py.syllables)
    suffixes = ("".join(syllables[i:]) for i in range(1, len(syllables)))
    return (
        "".join(han),
        "".join(syllables),
        " ".join(_abbreviations(syllables)),
        "".join(s[:1] for s in syllables),
        " ".join(_MARK + c for c in han),
        " ".join(_MARK + s for s in _unique(suffixes)),
    )


def _document(
    name: str,
    mobile_masked: str | None,
    id_no_masked: str | None,
    account_numbers: Iterable[str],
    tag_names: Iterable[str],
) -> tuple[str, ...]:
    """The indexed text of one customer, in :data:`_COLUMNS` order."""
    # Sorted, so a document does not depend on the order the database returned rows in.
    accounts = sorted(_last4(n) for n in account_numbers)
    tags = sorted(_MARK + run for tag in tag_names for _, run in _runs(tag))
    return (
        *_name_columns(name),
        " ".join(_unique([_last4(mobile_masked), _last4(id_no_masked), *accounts])),
        " ".join(_unique(tags)),
    )


def _band(aum_num: int) -> int:
    return min(max(aum_num // 100, 0), BAND_MAX)


def _band_end(doc_id: int) -> int:
    """The largest doc id in the AUM band of ``doc_id``."""
    return doc_id | ((1 << SERIAL_BITS) - 1)


# ---- maintaining the index ----------------------------------------------------------------------


def refresh_search(conn: Connection, customer_ids: Iterable[str]) -> None:
    """Recompute the search documents of ``customer_ids`` from ``customer``, accounts and tags.

    Checks, in order: documents of ids no longer in ``customer`` are deleted; every other id's
    document is rebuilt and written only if its text or AUM changed (a new AUM band moves it to a
    new doc id); ``customer.name_pinyin`` is set to :func:`~rm_desk.domain.pinyin.sort_key` where
    it is NULL or stale. Runs in the caller's transaction with a fixed number of statements,
    whatever the number of ids (the ids go through a temporary table).
    """
    ids = sorted(set(customer_ids))
    if not ids:
        return
    _temp_tables(conn)
    conn.exec_driver_sql("INSERT INTO temp._search_ids (id) VALUES (?)", [(i,) for i in ids])
    _refresh_loaded(conn, rebuilding=False)


def rebuild_search(conn: Connection) -> None:
    """Index every customer from scratch.

    No ``optimize`` afterwards: measured at 100,000 customers it costs seconds and gains no query
    time over the segments FTS5's automerge leaves.
    """
    _temp_tables(conn)
    conn.exec_driver_sql("INSERT INTO customer_search (customer_search) VALUES ('delete-all')")
    conn.exec_driver_sql("DELETE FROM customer_search_doc")
    conn.exec_driver_sql("INSERT INTO temp._search_ids (id) SELECT id FROM customer")
    _refresh_loaded(conn, rebuilding=True)


def _temp_tables(conn: Connection) -> None:
    """Create (once per connection) and empty the work tables of a refresh."""
    conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS _search_ids (id TEXT PRIMARY KEY)")
    conn.exec_driver_sql(
        "CREATE TEMP TABLE IF NOT EXISTS _search_new (customer_id TEXT PRIMARY KEY,"
        " serial INTEGER, band INTEGER NOT NULL, aum_num INTEGER NOT NULL,"
        " fresh INTEGER NOT NULL, reindex INTEGER NOT NULL, "
        + ", ".join(f"{c} TEXT NOT NULL" for c in _COLUMNS)
        + ")"
    )
    conn.exec_driver_sql("DELETE FROM temp._search_ids")
    conn.exec_driver_sql("DELETE FROM temp._search_new")


def _grouped(conn: Connection, table: str, column: str) -> dict[str, list[str]]:
    """``column`` of ``table`` per customer, for the customers being refreshed."""
    rows = conn.exec_driver_sql(
        f"SELECT customer_id, group_concat({column}, ?) FROM {table}"
        " WHERE customer_id IN (SELECT id FROM temp._search_ids) GROUP BY customer_id",
        (_SEPARATOR,),
    )
    return {cid: joined.split(_SEPARATOR) for cid, joined in rows if joined is not None}


def _refresh_loaded(conn: Connection, *, rebuilding: bool) -> None:
    """Refresh the customers whose ids are in ``temp._search_ids``."""
    # Driven by the documents, so a rebuild (no documents yet) costs nothing here.
    gone = (
        "FROM customer_search_doc AS d JOIN temp._search_ids AS s ON s.id = d.customer_id"
        " WHERE NOT EXISTS (SELECT 1 FROM customer AS c WHERE c.id = d.customer_id)"
    )
    conn.exec_driver_sql(f"DELETE FROM customer_search WHERE rowid IN (SELECT d.doc_id {gone})")
    conn.exec_driver_sql(
        f"DELETE FROM customer_search_doc WHERE customer_id IN (SELECT d.customer_id {gone})"
    )

    customers = conn.exec_driver_sql(
        "SELECT id, name, name_pinyin, mobile_masked, id_no_masked, coalesce(aum_num, 0)"
        " FROM customer WHERE id IN (SELECT id FROM temp._search_ids)"
    ).all()
    accounts = _grouped(conn, "account", "number_masked")
    tags = _grouped(conn, "customer_tag", "name")
    current: dict[str, tuple[Any, ...]] = {
        row[0]: tuple(row[1:])
        for row in conn.exec_driver_sql(
            f"SELECT customer_id, serial, aum_num, {_COLUMN_LIST} FROM customer_search_doc"
            " WHERE customer_id IN (SELECT id FROM temp._search_ids)"
        )
    }

    changed: list[tuple[Any, ...]] = []
    sort_keys: list[tuple[str, str]] = []
    for cid, name, stored_key, mobile, id_no, aum_num in customers:
        doc = _document(name, mobile, id_no, accounts.get(cid, ()), tags.get(cid, ()))
        old = current.get(cid)
        band = _band(aum_num)
        if old is None:
            changed.append((cid, None, band, aum_num, True, True, *doc))
        elif old[1:] != (aum_num, *doc):
            reindex = old[2:] != doc or _band(old[1]) != band
            changed.append((cid, old[0], band, aum_num, False, reindex, *doc))
        key = sort_key(name)
        if stored_key != key:
            sort_keys.append((key, cid))

    if changed:
        _write_documents(conn, changed, rebuilding=rebuilding)
    if sort_keys:
        conn.exec_driver_sql("UPDATE customer SET name_pinyin = ? WHERE id = ?", sort_keys)
    conn.exec_driver_sql("DELETE FROM temp._search_ids")


def _write_documents(conn: Connection, changed: list[tuple[Any, ...]], *, rebuilding: bool) -> None:
    """Write changed documents: keep serials, allocate new ones, re-index where needed.

    Each row of ``changed`` is ``customer_id, serial, band, aum_num, fresh, reindex, *columns``:
    ``fresh`` documents are new; ``reindex`` ones changed text or AUM band, so their FTS row is
    replaced (under the new doc id); the others only changed AUM within their band and keep their
    FTS row. Doc rows are updated where they are (keyed by customer), never moved.
    """
    placeholders = ", ".join("?" * (6 + len(_COLUMNS)))
    conn.exec_driver_sql(
        "INSERT INTO temp._search_new (customer_id, serial, band, aum_num, fresh, reindex, "
        f"{_COLUMN_LIST}) VALUES ({placeholders})",
        changed,
    )
    # New serials go above every serial in use, so they never collide with one being kept.
    conn.exec_driver_sql(
        "UPDATE temp._search_new SET serial = a.serial FROM ("
        " SELECT n.customer_id,"
        "  (SELECT coalesce(max(serial), -1) FROM customer_search_doc)"
        "  + row_number() OVER (ORDER BY n.customer_id) AS serial"
        " FROM temp._search_new AS n WHERE n.serial IS NULL) AS a"
        " WHERE a.customer_id = temp._search_new.customer_id"
    )
    top = conn.exec_driver_sql("SELECT max(serial) FROM temp._search_new").scalar()
    if top is not None and top >= _SERIAL_LIMIT:
        conn.exec_driver_sql("DELETE FROM temp._search_new")
        if rebuilding:  # numbered from 0 and still too many: more customers than serials
            raise StoreError(_INDEX_FULL)
        rebuild_search(conn)  # renumbers the serials from 0
        return
    doc_id = "((? - n.band) << ?) | n.serial"
    conn.exec_driver_sql(
        "DELETE FROM customer_search WHERE rowid IN (SELECT d.doc_id FROM customer_search_doc AS d"
        " JOIN temp._search_new AS n ON n.customer_id = d.customer_id WHERE n.reindex)"
    )
    conn.exec_driver_sql(
        f"UPDATE customer_search_doc SET doc_id = {doc_id}, aum_num = n.aum_num, "
        + ", ".join(f"{c} = n.{c}" for c in _COLUMNS)
        + " FROM temp._search_new AS n"
        " WHERE n.customer_id = customer_search_doc.customer_id AND NOT n.fresh",
        (BAND_MAX, SERIAL_BITS),
    )
    conn.exec_driver_sql(
        f"INSERT INTO customer_search_doc (customer_id, doc_id, serial, aum_num, {_COLUMN_LIST})"
        f" SELECT n.customer_id, {doc_id}, n.serial, n.aum_num, "
        + ", ".join("n." + c for c in _COLUMNS)
        + " FROM temp._search_new AS n WHERE n.fresh",
        (BAND_MAX, SERIAL_BITS),
    )
    conn.exec_driver_sql(
        f"INSERT INTO customer_search (rowid, {_COLUMN_LIST})"
        f" SELECT {doc_id}, "
        + ", ".join("n." + c for c in _COLUMNS)
        # Ascending row ids: FTS5 flushes its pending-terms buffer whenever a row id goes down.
        + " FROM temp._search_new AS n WHERE n.reindex ORDER BY 1",
        (BAND_MAX, SERIAL_BITS),
    )
    conn.exec_driver_sql("DELETE FROM temp._search_new")


# ---- searching ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Term:
    script: _Script
    text: str
    prefix: bool  # digits: fewer than four match the start of a last-4


def _parse(query: str) -> list[_Term]:
    """The terms of the user's text (see the module docstring); empty if nothing is searchable."""
    terms: list[_Term] = []
    for script, run in _runs(query[:_MAX_QUERY_CHARS]):
        if script is _Script.DIGITS:
            last4 = run[-4:]
            terms.append(_Term(script, last4, prefix=len(last4) < 4))
        elif script is _Script.HAN:
            terms.append(_Term(script, run[:_MAX_HAN_TERM], prefix=False))
        else:
            terms.append(_Term(script, run, prefix=True))
    return list(dict.fromkeys(terms))


def _quote(value: str) -> str:
    """An FTS5 string literal: the only form in which user text reaches a MATCH expression."""
    return '"' + value.replace('"', '""') + '"'


def _any_expr(term: _Term) -> str:
    """Everything ``term`` may match (the union of the three tiers)."""
    value = term.text
    marked = _quote(_MARK + value)
    if term.script is _Script.HAN:
        phrase = _quote(" ".join(_MARK + c for c in value))
        return f"(name : {phrase} OR tags : {marked}*)"
    if term.script is _Script.LETTERS:
        return f"({{pinyin abbrev initials}} : {_quote(value)}* OR {{syllables tags}} : {marked}*)"
    star = "*" if term.prefix else ""
    return f"(digits : {_quote(value)}{star} OR tags : {marked}*)"


def _tier_exprs(terms: Sequence[_Term]) -> list[str]:
    """The FTS5 expressions of the exact, prefix and other tiers, in rank order."""
    every = " AND ".join(_any_expr(t) for t in terms)
    han = [t.text for t in terms if t.script is _Script.HAN]
    letters = [t.text for t in terms if t.script is _Script.LETTERS]
    exact = [f"whole : {_quote(''.join(han))}"] if han else []
    exact += [f"pinyin : {_quote(''.join(letters))}"] if letters else []
    prefix = [f"whole : {_quote(h)}*" for h in han]
    prefix += [f"{{pinyin abbrev initials}} : {_quote(w)}*" for w in letters]
    tiers = []
    for anchors in (exact, prefix):
        if anchors:
            anchor = " OR ".join(anchors)
            # A lone term's anchor implies the term; more terms must all still match.
            tiers.append(anchor if len(terms) == 1 else f"({anchor}) AND {every}")
    tiers.append(every)
    return tiers


_FETCH: Final = text(
    "SELECT d.doc_id, d.customer_id, d.aum_num, "
    + ", ".join("d." + c for c in _COLUMNS)
    + ", c.name AS customer_name, c.tier, c.mobile_masked"
    " FROM customer_search AS f"
    " JOIN customer_search_doc AS d ON d.doc_id = f.rowid"
    " JOIN customer AS c ON c.id = d.customer_id"
    " WHERE f.customer_search MATCH :expr AND f.rowid > :after AND f.rowid <= :upto"
    " ORDER BY f.rowid LIMIT :n"
)
_LAST_DOC_ID: Final = (1 << 63) - 1


def _tier_rows(conn: Connection, expr: str, need: int, seen: set[str]) -> list[Row[Any]]:
    """The best ``need`` matches of ``expr`` not in ``seen``, by AUM descending then id.

    Reads matches in doc id (AUM band) order: ``need`` plus as many as may be already seen, then
    the rest of the last band reached, whose members are not in AUM and id order among themselves.
    """
    n = need + len(seen)
    params: dict[str, Any] = {"expr": expr, "after": -1, "upto": _LAST_DOC_ID, "n": n}
    rows = list(conn.execute(_FETCH, params).all())
    if len(rows) == n:
        last = rows[-1].doc_id
        params.update(after=last, upto=_band_end(last), n=-1)
        rows += conn.execute(_FETCH, params).all()
    fresh = [r for r in rows if r.customer_id not in seen]
    fresh.sort(key=lambda r: (-r.aum_num, r.customer_id))
    return fresh[:need]


def _term_kinds(doc: RowMapping, term: _Term) -> set[MatchKind]:
    """The columns of a hit's document that ``term`` matches, re-checked as FTS5 matched them."""
    kinds: set[MatchKind] = set()
    value = term.text
    if any(tag.startswith(_MARK + value) for tag in doc["tags"].split()):
        kinds.add(MatchKind.TAG)
    if term.script is _Script.HAN:
        if value in doc["whole"]:
            kinds.add(MatchKind.NAME)
    elif term.script is _Script.LETTERS:
        later = (s.startswith(_MARK + value) for s in doc["syllables"].split())
        if doc["pinyin"].startswith(value) or any(later):
            kinds.add(MatchKind.PINYIN)
        elif doc["initials"].startswith(value):
            kinds.add(MatchKind.INITIALS)
        elif any(a.startswith(value) for a in doc["abbrev"].split()):
            kinds.add(MatchKind.PINYIN)  # zengzq: whole syllables lead, so pinyin to the user
    elif any(d == value or (term.prefix and d.startswith(value)) for d in doc["digits"].split()):
        kinds.add(MatchKind.DIGITS)
    return kinds


_FALLBACK_KIND: Final = {
    _Script.HAN: MatchKind.NAME,
    _Script.LETTERS: MatchKind.PINYIN,
    _Script.DIGITS: MatchKind.DIGITS,
}


def _matched_on(doc: RowMapping, terms: Sequence[_Term]) -> MatchKind:
    """The strongest kind any term matched, in :class:`MatchKind` order."""
    kinds: set[MatchKind] = set()
    for term in terms:
        kinds |= _term_kinds(doc, term)
    for kind in MatchKind:
        if kind in kinds:
            return kind
    # Only if FTS5 folded some letter differently from _fold: name the first term's script.
    return _FALLBACK_KIND[terms[0].script]


def search_customers(conn: Connection, query: str, *, limit: int = 50) -> list[SearchHit]:
    """Customers matching the user's text, best first (grammar and order: module docstring).

    Checks, in order: text without a Chinese, letter or digit run, or a ``limit`` below 1, finds
    nothing; then the exact tier, the prefix tier and the other matches fill up to ``limit`` hits,
    each tier ordered by AUM descending then customer id. No text makes it raise.
    """
    terms = _parse(query)
    if not terms or limit < 1:
        return []
    chosen: list[Row[Any]] = []
    seen: set[str] = set()
    for expr in _tier_exprs(terms):
        need = limit - len(chosen)
        if need <= 0:
            break
        rows = _tier_rows(conn, expr, need, seen)
        chosen += rows
        seen.update(r.customer_id for r in rows)
    return [
        SearchHit(
            customer_id=r.customer_id,
            name=r.customer_name,
            tier=r.tier,
            mobile_masked=r.mobile_masked,
            matched_on=_matched_on(r._mapping, terms),
        )
        for r in chosen
    ]
