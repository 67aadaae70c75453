"""Screenshots of every screen, rendered offscreen (``rm-desk --demo --screenshot-dir DIR``).

:func:`capture_all` walks a signed-in :class:`~rm_desk.views.main_window.MainWindow`: each screen
of the navigation, the global search with its results, each tab of the 360 view of the customer
with the most accounts, and the sign-in dialog. Files are named ``<language>-<nn>-<what>.png``
(``en-01-today.png``, ``zh-10-360-overview.png``), numbered in the order a reader of the README
meets them; after the 360 tabs comes the visit form (Ctrl+L) of the same customer, filled in as
after a visit. :func:`capture_in_languages` does it once per language, each with a fresh window
built after the language's translators were installed.

Everything is painted with ``QWidget.grab()``; the search results are a popup (a top-level
window of their own), so their picture is drawn onto the window's at the popup's position.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QPoint, QSize
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import func, select

from rm_desk.local_store import schema
from rm_desk.local_store.engine import Store
from rm_desk.views import formatting, i18n

WINDOW_SIZE = QSize(1440, 900)
SETTLE_MS = 300  # covers the search debounce and the bridge's coalescing timer


class CapturedWindow(Protocol):
    """What :func:`capture_all` needs of the main window (MainWindow has it)."""

    bench: Any
    search_box: Any

    @property
    def customer_view(self) -> Any: ...

    def screen_ids(self) -> tuple[Any, ...]: ...

    def show_screen(self, screen: Any) -> None: ...

    def open_customer(self, customer_id: str, tab: str = "") -> bool: ...


def settle(window: QWidget | None = None, msecs: int = SETTLE_MS) -> None:
    """Let queued work, timers and background reads land, then paint."""
    runner = getattr(getattr(window, "bench", None), "runner", None)
    clock = QElapsedTimer()
    clock.start()
    while clock.elapsed() < msecs:
        QCoreApplication.processEvents()
        if runner is not None:
            runner.wait(50)
    QCoreApplication.processEvents()


def richest_customer(store: Store) -> str | None:
    """A customer whose 360 view has something on every tab: in a household, with visits
    (the Interactions tab), with holdings (under the accounts), with relationships, then the most
    accounts (ties: the first id)."""
    account, customer, rel = schema.account, schema.customer, schema.relationship
    related = (
        select(rel.c.from_customer_id.label("customer_id"), func.count().label("n"))
        .group_by(rel.c.from_customer_id)
        .subquery()
    )
    visited = (
        select(schema.visit_customer.c.customer_id)
        .group_by(schema.visit_customer.c.customer_id)
        .subquery()
    )
    holding = select(schema.holding.c.customer_id).group_by(schema.holding.c.customer_id).subquery()
    with store.read() as conn:
        row = conn.execute(
            select(account.c.customer_id)
            .join(customer, customer.c.id == account.c.customer_id)
            .outerjoin(related, related.c.customer_id == account.c.customer_id)
            .outerjoin(visited, visited.c.customer_id == account.c.customer_id)
            .outerjoin(holding, holding.c.customer_id == account.c.customer_id)
            .group_by(account.c.customer_id)
            .order_by(
                func.max(customer.c.household_id.is_not(None)).desc(),
                func.max(visited.c.customer_id.is_not(None)).desc(),
                func.max(holding.c.customer_id.is_not(None)).desc(),
                func.max(func.coalesce(related.c.n, 0)).desc(),
                func.count().desc(),
                account.c.customer_id,
            )
            .limit(1)
        ).first()
    return None if row is None else str(row[0])


def search_query(store: Store, customer_id: str | None) -> str:
    """What to type into the search for the screenshot: the customer's surname (one character
    finds a screenful of customers), or a common surname in an empty cache."""
    if customer_id is not None:
        with store.read() as conn:
            name = conn.execute(
                select(schema.customer.c.name).where(schema.customer.c.id == customer_id)
            ).scalar_one_or_none()
        if name:
            return str(name)[0]
    return "王"


def grab_with_popup(window: QWidget, popup: QWidget | None) -> QPixmap:
    """The window's picture with a visible top-level popup drawn where it shows on screen."""
    picture = window.grab()
    if popup is not None and popup.isVisible() and popup.isWindow():
        offset = popup.mapToGlobal(QPoint(0, 0)) - window.mapToGlobal(QPoint(0, 0))
        painter = QPainter(picture)
        painter.drawPixmap(offset, popup.grab())
        painter.end()
    return picture


def sign_in_dialog(window: CapturedWindow, folder: Path, server_url: str = "") -> QWidget:
    """The sign-in dialog as a person first sees it: the server and the user filled in, no
    password. It is only shown, never used: its paths point into ``folder`` and its key vault is
    in memory."""
    from dataclasses import replace

    from rm_desk.config import Config
    from rm_desk.local_store.keys import MemoryVault
    from rm_desk.paths import AppPaths
    from rm_desk.views.sign_in import SignInDialog

    config = Config()
    if server_url:
        config = replace(config, server_url=server_url)
    bench = window.bench
    return SignInDialog(
        config,
        AppPaths(folder, folder, folder),
        vault=MemoryVault(),
        runner=bench.runner,
        clock=bench.clock,
        username=bench.user.id,
    )


def fill_visit_form(form: Any) -> None:
    """The visit form as an RM leaves it before Ctrl+Enter: purpose, outcome, a line of notes,
    a follow-up in three days."""
    translate = QCoreApplication.translate
    form.purposes.buttons()[1].setChecked(True)  # portfolio review
    form.outcomes.buttons()[0].setChecked(True)  # positive
    form.location.setText(translate("Screenshots", "Customer's office"))
    form.notes.setPlainText(
        translate(
            "Screenshots",
            "Reviewed the portfolio; the customer asked about a pension plan for next year.",
        )
    )
    form.next_steps.setText(translate("Screenshots", "Send two pension plan options"))
    form.set_due_in(3)


def capture_all(
    window: CapturedWindow, directory: Path, language: str, *, server_url: str = ""
) -> list[Path]:
    """Render every screen of ``window`` into ``directory``; the files written, in order.

    Args:
        window: A signed-in main window (shown or not; it is shown offscreen here).
        directory: Where the PNGs go (created when missing).
        language: The prefix of the file names (``"en"``, ``"zh"``); the translators must already
            be installed (:func:`capture_in_languages` does both).
        server_url: The server the sign-in dialog shows (the config's when empty).
    """
    directory.mkdir(parents=True, exist_ok=True)
    widget: QWidget = window  # type: ignore[assignment]
    numbers = itertools.count(1)
    written: list[Path] = []

    def save(what: str, picture: QPixmap) -> None:
        path = directory / f"{language}-{next(numbers):02d}-{what}.png"
        if not picture.save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        written.append(path)

    widget.resize(WINDOW_SIZE)
    widget.show()
    settle(widget)
    for screen in window.screen_ids():
        window.show_screen(screen)
        settle(widget)
        save(str(screen.value).replace("_", "-"), widget.grab())

    store = window.bench.store
    customer_id = richest_customer(store)

    screens = window.screen_ids()
    if screens:
        window.show_screen(screens[0])  # the results over Today, where a morning search starts
    box = window.search_box
    box.run_query(search_query(store, customer_id))
    settle(widget)
    popup = box.popup()
    save("search", grab_with_popup(widget, popup))
    box.clear()  # the later pictures show an empty search field, as after Enter
    if popup is not None:
        popup.hide()

    if customer_id is not None and window.open_customer(customer_id):
        view = window.customer_view
        for tab in view.tab_ids():
            view.select_tab(tab)
            settle(widget)
            save(f"360-{tab}".replace("_", "-"), widget.grab())
        form = view.open_visit_form()
        if form is not None:
            fill_visit_form(form)
            settle(form)
            save("visit-form", form.grab())
            form.discard()
            settle(widget, 10)

    with tempfile.TemporaryDirectory(prefix="rm-desk-shot-") as folder:
        dialog = sign_in_dialog(window, Path(folder), server_url)
        dialog.resize(max(520, dialog.sizeHint().width()), dialog.sizeHint().height())
        dialog.show()
        settle(dialog)
        save("sign-in", dialog.grab())
        dialog.close()
        dialog.deleteLater()
    return written


def capture_in_languages(
    app: QApplication,
    build_window: Callable[[], CapturedWindow],
    directory: Path,
    languages: Iterable[str] = (i18n.ENGLISH, i18n.CHINESE),
    *,
    server_url: str = "",
) -> list[Path]:
    """:func:`capture_all` once per language, each in a new window built in that language.

    The language in force before the call is put back afterwards.
    """
    before = formatting.current_language()
    written: list[Path] = []
    try:
        for language in languages:
            used = i18n.install_language(app, language)
            window = build_window()
            try:
                written += capture_all(window, directory, used, server_url=server_url)
            finally:
                widget: QWidget = window  # type: ignore[assignment]
                widget.close()
                widget.deleteLater()
                settle(None, 10)
    finally:
        i18n.install_language(app, before)
    return written


__all__ = [
    "capture_all",
    "capture_in_languages",
    "fill_visit_form",
    "grab_with_popup",
    "richest_customer",
    "search_query",
    "settle",
]
