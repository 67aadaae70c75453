"""The global search (Ctrl+K): type a key, press Enter, the right customer's 360 opens.

Every key typed here is read from the fixture cache (a customer's name, its pinyin, the visible
last 4 of a masked number, a tag), never hard-coded, and the customer chosen for a key is, where
the data allows, the only one with that key.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QInputMethodEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from rm_desk.domain.masking import contains_unmasked, last4
from rm_desk.domain.pinyin import name_pinyin
from rm_desk.errors import StoreError
from rm_desk.local_store import schema
from rm_desk.local_store.search import search_customers
from rm_desk.local_store.search_results import (
    MatchedOn,
    SearchResult,
    digit_terms,
    digits_matched_on,
)
from rm_desk.views import search as search_view
from rm_desk.views.search import SearchBox
from rm_desk.views.search_model import (
    AUM_ROLE,
    CUSTOMER_ID_ROLE,
    MATCHED_ROLE,
    MOBILE_ROLE,
    NAME_ROLE,
    TIER_ROLE,
    SearchResultsModel,
)
from rm_desk.views.workbench import Workbench

# ---- the fixture cache's keys ---------------------------------------------------------------


@dataclass(frozen=True)
class Book:
    """The customers of the cache and every search key each one has."""

    names: dict[str, str]
    mobiles: dict[str, str]  # customer id -> visible last 4
    id_numbers: dict[str, str]
    accounts: dict[str, list[str]]
    tags: dict[str, list[str]]
    aums: dict[str, Decimal]

    def digits_owners(self) -> Counter[str]:
        """How many customers show each last 4, on any of their numbers."""
        owners: Counter[str] = Counter()
        for cid in self.names:
            numbers = {self.mobiles.get(cid, ""), self.id_numbers.get(cid, "")}
            numbers.update(self.accounts.get(cid, []))
            owners.update(n for n in numbers if n)
        return owners


def _read_book(bench: Workbench) -> Book:
    c, a, t = schema.customer, schema.account, schema.customer_tag
    with bench.store.read() as conn:
        customers = conn.execute(
            c.select().with_only_columns(
                c.c.id, c.c.name, c.c.mobile_masked, c.c.id_no_masked, c.c.aum
            )
        ).all()
        accounts = conn.execute(
            a.select().with_only_columns(a.c.customer_id, a.c.number_masked)
        ).all()
        tags = conn.execute(t.select().with_only_columns(t.c.customer_id, t.c.name)).all()
    book = Book({}, {}, {}, {}, {}, {})
    for cid, name, mobile, id_no, aum in customers:
        book.names[cid] = name
        book.aums[cid] = Decimal(aum or 0)
        if last4(mobile):
            book.mobiles[cid] = last4(mobile)
        if last4(id_no):
            book.id_numbers[cid] = last4(id_no)
    for cid, number in accounts:
        if last4(number):
            book.accounts.setdefault(cid, []).append(last4(number))
    for cid, name in tags:
        book.tags.setdefault(cid, []).append(name)
    return book


def _unique_digits(book: Book, numbers: dict[str, str]) -> tuple[str, str]:
    """A customer and a last 4 of theirs that no other customer shows on any number."""
    owners = book.digits_owners()
    for cid, digits in sorted(numbers.items()):
        if owners[digits] == 1:
            return cid, digits
    raise AssertionError("the fixture has no customer with a last 4 of their own")


# ---- the box under test ---------------------------------------------------------------------


@pytest.fixture
def window(qtbot: Any) -> QWidget:
    host = QWidget()
    host.resize(1200, 800)
    qtbot.addWidget(host)
    return host


@pytest.fixture
def box(bench: Workbench, window: QWidget, qtbot: Any) -> SearchBox:
    layout = QVBoxLayout(window)
    search = SearchBox(bench, window)
    layout.addWidget(search)
    layout.addStretch(1)
    window.show()
    qtbot.waitExposed(window)
    search.activate()
    return search


@pytest.fixture
def book(bench: Workbench) -> Book:
    return _read_book(bench)


@pytest.fixture
def queried(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the box actually searched for, in order."""
    texts: list[str] = []
    real = search_view.search_results

    def recording(conn: Any, text: str, *, limit: int = 20) -> list[SearchResult]:
        texts.append(text)
        return real(conn, text, limit=limit)

    monkeypatch.setattr(search_view, "search_results", recording)
    return texts


def _type(qtbot: Any, box: SearchBox, text: str) -> None:
    """Type ``text`` as a user would: keys for ASCII, an input method's commit for Chinese."""
    for ascii_run, chars in itertools.groupby(text, key=str.isascii):
        run = "".join(chars)
        if ascii_run:
            qtbot.keyClicks(box, run)
        else:  # what a pinyin IME sends when the user picks the characters
            event = QInputMethodEvent("", [])
            event.setCommitString(run)
            QApplication.sendEvent(box, event)


def _shown_ids(box: SearchBox) -> list[str]:
    model = box.results_model()
    return [model.index(r).data(CUSTOMER_ID_ROLE) for r in range(model.rowCount())]


@dataclass(frozen=True)
class _Opened:
    matched: str  # what the opened row said matched
    row: int  # its row, so the Down presses before Enter


def _type_and_open(
    qtbot: Any, box: SearchBox, bench: Workbench, key: str, customer_id: str
) -> _Opened:
    """Type ``key``, move down to ``customer_id``'s hit, press Enter.

    Fails unless the customer is among the hits and Enter asked the navigator for them.
    """
    _type(qtbot, box, key)
    qtbot.waitUntil(lambda: box.popup().isVisible() and box.text() == key, timeout=2000)
    shown = _shown_ids(box)
    assert customer_id in shown, f"{customer_id} not found by {key!r}"
    row = shown.index(customer_id)
    for _ in range(row):
        qtbot.keyClick(box, Qt.Key.Key_Down)
    assert box.selected_row() == row
    index = box.results_model().index(row)
    matched = index.data(MATCHED_ROLE)
    with qtbot.waitSignal(bench.navigator.customer_requested, timeout=1000) as opened:
        qtbot.keyClick(box, Qt.Key.Key_Return)
    assert opened.args == [customer_id, ""]
    assert not box.popup().isVisible() and box.text() == ""
    return _Opened(matched, row)


# ---- each key type opens the right customer -------------------------------------------------


def test_full_name_opens_that_customer(
    qtbot: Any, box: SearchBox, bench: Workbench, book: Book
) -> None:
    counts = Counter(book.names.values())
    cid, name = next((c, n) for c, n in sorted(book.names.items()) if counts[n] == 1)
    opened = _type_and_open(qtbot, box, bench, name, cid)
    assert opened.matched == "by name"


def test_full_pinyin_opens_that_customer(
    qtbot: Any, box: SearchBox, bench: Workbench, book: Book
) -> None:
    spelled = {cid: name_pinyin(name).full for cid, name in book.names.items()}
    counts = Counter(spelled.values())
    cid, pinyin = next((c, p) for c, p in sorted(spelled.items()) if counts[p] == 1)
    opened = _type_and_open(qtbot, box, bench, pinyin, cid)
    assert opened.matched == "by pinyin"


def test_initials_open_that_customer_even_among_others(
    qtbot: Any, box: SearchBox, bench: Workbench, book: Book
) -> None:
    # Initials are often shared (zw: 张伟, 赵文 …): the customer is picked with Down.
    candidates = []
    for cid, name in sorted(book.names.items()):
        py = name_pinyin(name)
        if len(py.syllables) >= 2 and not py.full.startswith(py.initials):
            candidates.append((cid, py.initials))
    cid, initials = candidates[-1]
    opened = _type_and_open(qtbot, box, bench, initials, cid)
    assert opened.matched == "by initials"


def test_down_then_enter_opens_the_highlighted_customer_not_the_first(
    qtbot: Any, box: SearchBox, bench: Workbench, book: Book
) -> None:
    # A letter that starts several customers' initials: they are hits in the prefix tier, the
    # richest first, so the poorest of them is below the first row and needs Down presses.
    initials = {cid: name_pinyin(name).initials for cid, name in book.names.items()}
    letters = Counter(i[:1] for i in initials.values() if i)
    letter, count = letters.most_common(1)[0]
    assert count >= 2
    poorest = min(
        (cid for cid, i in initials.items() if i.startswith(letter)),
        key=lambda cid: (book.aums[cid], cid),
    )
    opened = _type_and_open(qtbot, box, bench, letter, poorest)
    assert opened.row >= 1


def test_last_4_of_mobile_opens_that_customer(
    qtbot: Any, box: SearchBox, bench: Workbench, book: Book
) -> None:
    cid, digits = _unique_digits(book, book.mobiles)
    opened = _type_and_open(qtbot, box, bench, digits, cid)
    assert opened.matched == "by mobile last 4"


def test_last_4_of_id_number_opens_that_customer(
    qtbot: Any, box: SearchBox, bench: Workbench, book: Book
) -> None:
    cid, digits = _unique_digits(book, book.id_numbers)
    opened = _type_and_open(qtbot, box, bench, digits, cid)
    assert opened.matched == "by ID last 4"


def test_last_4_of_an_account_opens_that_customer(
    qtbot: Any, box: SearchBox, bench: Workbench, book: Book
) -> None:
    # The last account of each customer, so it is not merely their first one.
    accounts = {cid: numbers[-1] for cid, numbers in book.accounts.items()}
    cid, digits = _unique_digits(book, accounts)
    opened = _type_and_open(qtbot, box, bench, digits, cid)
    assert opened.matched == "by account last 4"


def test_tag_opens_that_customer(qtbot: Any, box: SearchBox, bench: Workbench, book: Book) -> None:
    holders = Counter(tag for tags in book.tags.values() for tag in set(tags))
    cid, tag = next(
        (c, t) for c, tags in sorted(book.tags.items()) for t in tags if holders[t] == 1
    )
    opened = _type_and_open(qtbot, box, bench, tag, cid)
    assert opened.matched == "by tag"


def test_enter_typed_before_the_debounce_opens_the_first_hit_of_the_typed_text(
    qtbot: Any, box: SearchBox, bench: Workbench, book: Book
) -> None:
    cid, digits = _unique_digits(book, book.mobiles)
    with qtbot.waitSignal(bench.navigator.customer_requested, timeout=1000) as opened:
        qtbot.keyClicks(box, digits)
        qtbot.keyClick(box, Qt.Key.Key_Enter)  # no event loop ran between: the query is pending
    assert opened.args == [cid, ""]


def test_clicking_a_hit_opens_it(qtbot: Any, box: SearchBox, bench: Workbench) -> None:
    hits = box.run_query("z")
    assert len(hits) >= 2
    view = box.popup().list
    rect = view.visualRect(box.results_model().index(1))
    with qtbot.waitSignal(bench.navigator.customer_requested, timeout=1000) as opened:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [hits[1].customer_id, ""]
    assert not box.popup().isVisible()


# ---- typing, keys and states ----------------------------------------------------------------


def test_fast_typing_shows_only_the_last_texts_hits(
    qtbot: Any, box: SearchBox, bench: Workbench, queried: list[str]
) -> None:
    qtbot.keyClicks(box, "zh")
    qtbot.waitUntil(lambda: box.popup().isVisible(), timeout=2000)
    first = _shown_ids(box)
    qtbot.keyClicks(box, "ang")
    qtbot.waitUntil(lambda: queried[-1:] == ["zhang"], timeout=2000)
    qtbot.wait(3 * search_view.DEBOUNCE_MS)
    with bench.store.read() as conn:
        expected = [h.customer_id for h in search_customers(conn, "zhang", limit=20)]
    # One query per burst of typing: never z, zha or zhan, whose hits would flash by.
    assert queried == ["zh", "zhang"]
    assert _shown_ids(box) == expected and expected
    assert set(first) >= set(expected)


def test_typing_keeps_the_focus_in_the_box(qtbot: Any, box: SearchBox, window: QWidget) -> None:
    window.activateWindow()
    box.activate()
    qtbot.waitUntil(box.hasFocus, timeout=2000)
    qtbot.keyClicks(box, "z")
    qtbot.waitUntil(lambda: box.popup().isVisible(), timeout=2000)
    qtbot.keyClicks(box, "h")
    assert box.hasFocus() and box.text() == "zh"
    assert box.popup().parentWidget() is window  # an overlay in the window, not a new window


def test_up_and_down_move_the_highlight_within_the_hits(qtbot: Any, box: SearchBox) -> None:
    count = len(box.run_query("z"))
    assert count >= 3
    assert box.selected_row() == 0
    qtbot.keyClick(box, Qt.Key.Key_Down)
    qtbot.keyClick(box, Qt.Key.Key_Down)
    assert box.selected_row() == 2
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert box.selected_row() == 1
    for _ in range(count + 2):
        qtbot.keyClick(box, Qt.Key.Key_Down)
    assert box.selected_row() == count - 1
    qtbot.keyClick(box, Qt.Key.Key_Home)  # an editing key: the text's cursor, not the list
    assert box.selected_row() == count - 1 and box.cursorPosition() == 0


def test_escape_closes_the_list_then_clears_the_text(
    qtbot: Any, box: SearchBox, bench: Workbench
) -> None:
    opened: list[str] = []
    bench.navigator.customer_requested.connect(lambda cid, _tab: opened.append(cid))
    qtbot.keyClicks(box, "z")
    qtbot.waitUntil(lambda: box.popup().isVisible(), timeout=2000)
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert not box.popup().isVisible() and box.text() == "z"
    qtbot.keyClick(box, Qt.Key.Key_Down)  # Down brings the list back
    assert box.popup().isVisible()
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert box.text() == "" and not box.popup().isVisible()
    qtbot.wait(3 * search_view.DEBOUNCE_MS)
    assert not box.popup().isVisible() and opened == []


def test_escape_acts_on_the_search_before_a_window_shortcut_does(
    qtbot: Any, box: SearchBox, window: QWidget
) -> None:
    closed: list[int] = []
    shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), window)
    shortcut.activated.connect(lambda: closed.append(1))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    box.run_query("z")
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # closes the list
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # clears the text
    assert closed == [] and box.text() == ""
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # nothing left to close here: the window's turn
    assert closed == [1]


def test_a_sync_under_the_open_list_rereads_it_keeping_the_highlight(
    qtbot: Any, box: SearchBox, bench: Workbench, queried: list[str]
) -> None:
    box.run_query("z")
    qtbot.keyClick(box, Qt.Key.Key_Down)
    highlighted = box.results_model().index(1).data(CUSTOMER_ID_ROLE)
    bench.bridge.data_changed.emit()
    assert queried == ["z", "z"]
    assert box.results_model().index(box.selected_row()).data(CUSTOMER_ID_ROLE) == highlighted
    assert box.selected_row() == 1


def test_text_matching_nobody_says_so_and_enter_opens_nothing(
    qtbot: Any, box: SearchBox, bench: Workbench
) -> None:
    opened: list[str] = []
    bench.navigator.customer_requested.connect(lambda cid, _tab: opened.append(cid))
    assert box.run_query("qqqqzz") == []
    assert box.popup().isVisible()
    assert box.popup().message_text() == (
        "No customers match. Try pinyin, initials or the last 4 digits."
    )
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert opened == [] and box.popup().isVisible()


def test_a_cache_failure_is_shown_in_words_in_the_list(
    box: SearchBox, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(conn: Any, text: str, *, limit: int = 20) -> list[SearchResult]:
        raise StoreError("The customer search index cannot hold this many customers.")

    monkeypatch.setattr(search_view, "search_results", failing)
    assert box.run_query("z") == []
    assert box.popup().message_text() == (
        "Local cache problem: The customer search index cannot hold this many customers."
    )
    assert box.results_model().rowCount() == 0


def test_a_pasted_full_mobile_number_is_not_echoed_in_the_list(box: SearchBox) -> None:
    box.run_query("13900001111")
    shown = box.popup().message_text() or " ".join(
        str(box.results_model().index(r).data()) for r in range(box.results_model().rowCount())
    )
    assert not contains_unmasked(shown)


def test_activate_focuses_the_box_with_its_text_selected(
    qtbot: Any, box: SearchBox, window: QWidget
) -> None:
    other = QLineEdit(window)
    window.layout().addWidget(other)
    box.setText("zhang")
    other.setFocus()
    qtbot.waitUntil(other.hasFocus, timeout=2000)
    box.activate()
    qtbot.waitUntil(box.hasFocus, timeout=2000)
    assert box.selectedText() == "zhang"


def test_the_navigators_search_request_activates_the_box(
    qtbot: Any, box: SearchBox, bench: Workbench, window: QWidget
) -> None:
    other = QLineEdit(window)
    window.layout().addWidget(other)
    other.setFocus()
    qtbot.waitUntil(other.hasFocus, timeout=2000)
    bench.navigator.search_requested.emit()
    qtbot.waitUntil(box.hasFocus, timeout=2000)


# ---- what a row shows -----------------------------------------------------------------------


def test_rows_show_name_tier_masked_mobile_aum_and_what_matched(
    box: SearchBox, bench: Workbench
) -> None:
    hits = box.run_query("z")
    model = box.results_model()
    c = schema.customer
    with bench.store.read() as conn:
        first = conn.execute(c.select().where(c.c.id == hits[0].customer_id)).one()
    index = model.index(0)
    assert index.data(NAME_ROLE) == first.name
    assert index.data(TIER_ROLE) in {"Standard", "Gold", "Platinum", "Diamond", "Private banking"}
    assert index.data(MOBILE_ROLE) == (first.mobile_masked or "")
    assert index.data(AUM_ROLE).startswith("¥")
    assert index.data(MATCHED_ROLE) in {"by pinyin", "by initials"}
    assert first.name in index.data(Qt.ItemDataRole.DisplayRole)


def test_no_row_text_holds_an_unmasked_number(box: SearchBox, book: Book) -> None:
    texts = [
        "z",
        "1",
        "0",
        "8",
        *list(book.mobiles.values())[:3],
        *book.tags[next(iter(book.tags))],
    ]
    seen = 0
    model = box.results_model()
    for text in texts:
        box.run_query(text)
        for r in range(model.rowCount()):
            index = model.index(r)
            for role in (
                Qt.ItemDataRole.DisplayRole,
                Qt.ItemDataRole.AccessibleTextRole,
                NAME_ROLE,
                MOBILE_ROLE,
                AUM_ROLE,
            ):
                assert not contains_unmasked(str(index.data(role)))
            seen += 1
    assert seen > 10  # the texts did find customers to check


def test_results_model_passes_the_model_tester(box: SearchBox, qtmodeltester: Any) -> None:
    box.run_query("z")
    model = box.results_model()
    assert model.rowCount() > 0
    qtmodeltester.check(model, force_py=True)
    box.run_query("1")
    qtmodeltester.check(model, force_py=True)


def test_empty_results_model_passes_the_model_tester(qtmodeltester: Any) -> None:
    qtmodeltester.check(SearchResultsModel(), force_py=True)


# ---- which number a digit match was on (pure) -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "mobile", "id_no", "accounts", "expected"),
    [
        ("5678", "138****5678", "110***********1234", ["**** **** **** 9999"], MatchedOn.MOBILE),
        ("1234", "138****5678", "110***********1234", ["**** **** **** 1234"], MatchedOn.ID_NUMBER),
        ("123x", None, "110***********123X", [], MatchedOn.ID_NUMBER),
        ("99", "138****5678", "110***********1234", ["**** **** **** 9911"], MatchedOn.ACCOUNT),
        (
            "１３８００１３８５６７８",
            "138****5678",
            None,
            [],
            MatchedOn.MOBILE,
        ),  # pasted, full-width
        ("zhang 9999", None, None, [None, "**** **** **** 9999"], MatchedOn.ACCOUNT),
        ("4321", "138****5678", None, [], MatchedOn.DIGITS),
    ],
)
def test_digit_match_is_named_after_the_number_that_shows_it(
    text: str,
    mobile: str | None,
    id_no: str | None,
    accounts: list[str | None],
    expected: MatchedOn,
) -> None:
    assert digits_matched_on(digit_terms(text), mobile, id_no, accounts) is expected


# ---- how it looks ---------------------------------------------------------------------------


def _differs_from(image: QImage, background: QColor) -> int:
    step = 7
    return sum(
        1
        for y in range(0, image.height(), step)
        for x in range(0, image.width(), step)
        if image.pixelColor(x, y) != background
    )


def test_open_list_paints_under_the_box(
    qtbot: Any, box: SearchBox, window: QWidget, tmp_path: Path
) -> None:
    qtbot.keyClicks(box, "z")
    qtbot.waitUntil(lambda: box.popup().isVisible(), timeout=2000)
    popup = box.popup()
    assert popup.geometry().top() >= box.geometry().bottom()
    assert popup.width() >= search_view.POPUP_MIN_WIDTH
    shot = window.grab().toImage()
    list_shot = popup.grab().toImage()
    folder = Path(os.environ.get("RM_DESK_SEARCH_SHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    assert shot.save(str(folder / "search-window.png"))
    assert list_shot.save(str(folder / "search-popup.png"))
    background = list_shot.pixelColor(list_shot.width() - 3, list_shot.height() - 3)
    assert _differs_from(list_shot, background) > 50  # rows of text were painted
    # The window's grab holds the list: the area under the box is not the bare window.
    under = shot.copy(popup.geometry())
    assert _differs_from(under, window.palette().window().color()) > 50


def test_list_of_a_narrow_box_at_the_right_edge_stays_inside_the_window(
    qtbot: Any, bench: Workbench, window: QWidget, tmp_path: Path
) -> None:
    # Where a main window puts it: a narrow field at the top right of a toolbar.
    bar = QHBoxLayout(window)
    bar.addStretch(1)
    search = SearchBox(bench, window)
    search.setFixedWidth(360)
    bar.addWidget(search, 0, Qt.AlignmentFlag.AlignTop)
    window.show()
    qtbot.waitExposed(window)
    search.run_query("qqqqzz")
    folder = Path(os.environ.get("RM_DESK_SEARCH_SHOTS", tmp_path))
    assert window.grab().save(str(folder / "search-no-match.png"))
    search.run_query("1")
    assert window.grab().save(str(folder / "search-right-edge.png"))
    popup = search.popup().geometry()
    assert popup.width() >= search_view.POPUP_MIN_WIDTH > search.width()
    assert window.rect().contains(popup)
    assert popup.top() > search.geometry().bottom()
    assert popup.right() == search.geometry().right()  # grown leftwards from the box's edge


def test_a_key_after_a_pause_is_searched_without_waiting_for_the_debounce(
    qtbot: Any, box: SearchBox, queried: list[str]
) -> None:
    qtbot.keyClicks(box, "z")
    # One pass of the event loop, far shorter than the debounce: the first key of a burst is
    # searched as soon as the loop is free.
    QApplication.processEvents()
    assert queried == ["z"]
    assert box.popup().isVisible()
