"""The Today screen: the RM's morning queue, worked through without leaving it.

Sections, each with its count in the header and friendly words when empty: overdue tasks, tasks
due today, new alerts grouped by rule (one expandable group per rule), this week's maturities and
this week's visits. Every item names the customer (a link to the 360 view, on the tab the item is
about), says what it is and when or how much, and carries its inline actions: "Mark done" on a
task, "Acknowledge" and "Dismiss" on an alert when the RM may decide alerts.

The whole screen is one read of the cache (:func:`~rm_desk.views.today_data.today_page`), cut to
:data:`SECTION_LIMIT` rows a section (and a rule group of alerts): a book of 50,000 customers has
thousands of overdue tasks, and one widget row each would take seconds to build. A longer section
ends with how many more there are: tasks and visits link to their own screens, which page through
all of them; maturities and alerts show another :data:`SECTION_LIMIT` rows in place.
Only the sections whose rows changed are rebuilt, in place. A whole screen of rows with their
buttons takes 200 to 400 ms to build, polish and lay out, so when the cache changed under the
screen (sync) the rebuild is spread over turns of the event loop, :data:`ROWS_PER_STEP` rows a
turn, and the window keeps answering; :meth:`TodayScreen.refresh` (showing the screen, the user's
own actions) builds everything as soon as its read is in. A section is built hidden, each row
styled as it is added, and shown whole in place of the old one (the alerts a rule group at a
time): every change to what is shown lays the screen out again, measuring each word-wrapped
label anew, and paints it, 15 to 30 ms of the GUI thread, so showing rows one by one made a
rebuild of a team lead's screen cost 500 to 770 ms of it, and showing them whole 240 to 360 ms.
While a pull lands pages (a first sync lands them for minutes), a section already showing rows
only updates its count; its rows are rebuilt once the pull is over.

Only the window's first paint reads the cache on the GUI thread (it must paint at once, and
nothing else runs yet). Every later read runs on the task runner and hands its frozen
:class:`~rm_desk.views.today_data.TodayPage` to the GUI thread; a read that lands after a newer
one was asked for is dropped. While a pull runs, the screen reads at most once every
:data:`PULL_REFRESH_MS`, and at once when the pull ends: under a first sync the GUI thread shares
the interpreter with the sync worker, and each millisecond of its own work costs several of wall
time.

Actions write through :mod:`rm_desk.local_store.worklist` (the one write path, with its outbox op)
on the task runner, since a write may wait for the sync worker's transaction; the screen then
re-reads and tells the bridge and sync that the cache changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, tzinfo
from functools import partial

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from rm_desk.domain.enums import AccountType, AlertStatus, Entity, SyncPhase, TaskPriority
from rm_desk.local_store.worklist import (
    AlertGroup,
    AlertRow,
    MaturityRow,
    TaskRow,
    TodayView,
    VisitRow,
    decide_alert,
    mark_task_done,
    may_decide_alerts,
)
from rm_desk.sync.events import SyncStatus
from rm_desk.views import formatting
from rm_desk.views.customer360.labels import label, label_of
from rm_desk.views.error_banner import ErrorBanner
from rm_desk.views.free_text import masked_free_text
from rm_desk.views.screen import Screen, screen_heading
from rm_desk.views.today_data import TodayPage, TodayTotals, today_page
from rm_desk.views.workbench import ScreenId, Workbench
from rm_desk.views.worklist_words import rule_name

# Tabs of the 360 view an item opens on ("" is Overview).
TAB_OVERVIEW = ""
TAB_ACCOUNTS = "accounts"
TAB_TASKS = "tasks"
TAB_INTERACTIONS = "interactions"

SECTION_LIMIT = 8
"""Rows a section shows before saying how many more there are (and rows "Show more" adds)."""
ALERT_RULE_LIMIT = 5
"""Rows a rule group of alerts shows at first: a team lead's alerts come under many rules."""
SECTION_KEYS = ("overdue", "due_today", "alerts", "maturities", "visits")
"""The sections, top to bottom."""
ROWS_PER_STEP = 1
"""Rows built in one turn of the event loop when the cache changed under the screen."""
PULL_REFRESH_MS = 2000
"""Least time between two reads while a pull lands pages (its end is read at once)."""
_PULLING = (SyncPhase.PULLING, SyncPhase.REPLACING)
_BUILDING_SECTION = "sectionBuilding"
_BUILDING_HEADER = "sectionHeaderBuilding"

PRIORITY_COLOURS = {
    TaskPriority.URGENT: "#b3261e",
    TaskPriority.HIGH: "#c25e00",
    TaskPriority.NORMAL: "#1f4e79",
    TaskPriority.LOW: "#6b7785",
}
# One rule per priority in the screen's style sheet, picked by the badge's "priority" property:
# a style sheet of its own on every badge would be parsed and polished once per row.
_PRIORITY_STYLE = "".join(
    f'QLabel#priority[priority="{priority.value}"] {{ color: {colour}; font-weight: 600; }}\n'
    for priority, colour in PRIORITY_COLOURS.items()
)

_STYLE = """
QLabel#sectionHeader { font-size: 15px; font-weight: 600; color: #1f4e79; }
QFrame#section { background: white; border: 1px solid #e1e6ec; border-radius: 6px; }
QLabel#emptyState { color: #6b7785; font-style: italic; }
QLabel#muted { color: #6b7785; }
QPushButton#customerLink { border: none; color: #1f4e79; text-align: left; padding: 0;
    font-weight: 600; }
QPushButton#customerLink:hover { text-decoration: underline; }
QToolButton#ruleGroup { border: none; font-weight: 600; color: #24313f; padding: 2px 0; }
QPushButton#moreLink { border: none; color: #1f4e79; text-align: left; padding: 0; }
QPushButton#moreLink:hover { text-decoration: underline; }
"""


@dataclass(frozen=True, slots=True)
class _ReadArgs:
    user_id: str
    today: date
    zone: tzinfo
    limits: dict[str, int]


@dataclass(frozen=True, slots=True)
class _Read:
    """One read of the cache for the screen, handed from the task runner to the GUI thread."""

    page: TodayPage
    today: date


def alert_tab(alert: AlertRow) -> str:
    """The 360 tab an alert is about: its task, its account or holding, else the overview."""
    if alert.object_entity is Entity.TASK:
        return TAB_TASKS
    if alert.object_entity in (Entity.ACCOUNT, Entity.HOLDING):
        return TAB_ACCOUNTS
    return TAB_OVERVIEW


class TodayScreen(Screen):
    """Overdue and due tasks, new alerts by rule, this week's maturities and visits."""

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(bench, parent)
        self.setObjectName("todayScreen")
        self.setStyleSheet(_STYLE + _PRIORITY_STYLE)
        self.resize(1200, 800)
        self._view: TodayView | None = None
        self._totals: TodayTotals | None = None
        self._collapsed_rules: set[str] = set()
        # Rows shown of the sections the user asked to see more of, by section key.
        self._limits: dict[str, int] = {}
        # Render even when the read equals the last one: new words, or a button to enable again.
        self._must_render = False
        self._shown: tuple[TodayView, TodayTotals, date] | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 12)
        layout.setSpacing(10)
        heading = QHBoxLayout()
        self._title = screen_heading(self.title(), self)
        self._date = QLabel(self)
        self._date.setObjectName("screenSubtitle")
        self._summary = QLabel(self)
        self._summary.setObjectName("screenSubtitle")
        heading.addWidget(self._title)
        heading.addSpacing(12)
        heading.addWidget(self._date, 0, Qt.AlignmentFlag.AlignBottom)
        heading.addStretch(1)
        heading.addWidget(self._summary, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(heading)

        self.errors = ErrorBanner(self)
        layout.addWidget(self.errors)

        self._scroll = QScrollArea(self)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout.addWidget(self._scroll, 1)
        content = QWidget()
        content.setObjectName("todayContent")
        self._column = QVBoxLayout(content)
        self._column.setContentsMargins(0, 0, 8, 0)
        self._column.setSpacing(14)
        self._column.addStretch(1)
        self._scroll.setWidget(content)

        # The sections shown (by key), their header labels, whether they show rows, and the
        # rows each was built from (a key is missing while its section is being built).
        self._frames: dict[str, QFrame] = {}
        self._headers: dict[str, QLabel] = {}
        self._has_rows: dict[str, bool] = {}
        self._built: dict[str, object] = {}
        # What the queued steps build: header texts and the rows of each section.
        self._headers_due: dict[str, str] = {}
        self._rows_due: dict[str, object] = {}
        self._steps: list[Iterator[None]] = []
        # Sections being built, hidden in the screen until placed (dropped when a newer read
        # plans the screen again).
        self._building: dict[str, QFrame] = {}
        self._stepper = QTimer(self)
        self._stepper.setSingleShot(True)
        self._stepper.setInterval(0)
        self._stepper.timeout.connect(self._step)
        # Sections whose rows wait for the running pull to end.
        self._deferred = False
        # Reads on the task runner: the newest one's number (older results are dropped), whether
        # it must build everything at once, when it was asked for, and the read put off while a
        # pull runs.
        self._generation = 0
        self._at_once_due = False
        self._requested_at: float | None = None
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.timeout.connect(self._read_put_off)
        bench.bridge.status_changed.connect(self._on_status)
        self._retranslate()

    def title(self) -> str:
        return self.tr("Today")

    def view(self) -> TodayView | None:
        """What the screen shows now (``None`` before the first refresh)."""
        return self._view

    def totals(self) -> TodayTotals | None:
        """How many items each section holds in all (``None`` before the first refresh)."""
        return self._totals

    # ---- reading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read and rebuild what changed, all of it as soon as the read is in.

        The first read (the window's first paint) runs before this returns; later ones run on the
        task runner (:meth:`_request`).
        """
        if self._shown is None:
            self._show(self._read_page(self._read_args()), at_once=True)
        else:
            self._request(at_once=True)

    def refresh_after_change(self) -> None:
        """Re-read off the GUI thread and rebuild what changed a row per turn of the event loop.

        While a pull is running, at most one read every :data:`PULL_REFRESH_MS`, and sections
        already showing rows only update their counts; their rows follow once the pull is over
        (see the module docstring).
        """
        if self._shown is None:
            self.refresh()
            return
        if self._pulling() and self._requested_at is not None:
            wait = PULL_REFRESH_MS - int((time.monotonic() - self._requested_at) * 1000)
            if wait > 0:
                if not self._later.isActive():
                    self._later.start(wait)
                return
        self._request(at_once=False)

    def _read_put_off(self) -> None:
        if self.isVisible():
            self.refresh_after_change()
        else:
            self._stale = True  # read when shown again, like any screen

    def _read_args(self) -> _ReadArgs:
        """What :func:`today_page` needs, taken on the GUI thread for the read off it."""
        return _ReadArgs(
            user_id=self.bench.user.id,
            today=self.bench.today(),
            zone=self.bench.zone,
            limits=dict(self._limits),
        )

    def _read_page(self, args: _ReadArgs) -> _Read:
        """The read itself; safe on any thread (it touches no widget)."""
        with self.bench.store.read() as conn:
            page = today_page(
                conn,
                user_id=args.user_id,
                today=args.today,
                zone=args.zone,
                limits=args.limits,
                default_limit=SECTION_LIMIT,
                alert_limit=ALERT_RULE_LIMIT,
            )
        return _Read(page=page, today=args.today)

    def _request(self, *, at_once: bool) -> None:
        """Read on the task runner; the newest read supersedes any still on its way."""
        self._later.stop()
        self._requested_at = time.monotonic()
        self._generation += 1
        generation = self._generation
        # A user's refresh superseded by a later one still wants everything built at once.
        self._at_once_due = self._at_once_due or at_once
        args = self._read_args()
        self.bench.runner.submit(
            partial(self._read_page, args),
            partial(self._arrived, generation),
            partial(self._read_failed, generation),
        )

    def _arrived(self, generation: int, read: _Read) -> None:
        # Stale (a newer read is on its way), or the screen went (a language switch rebuilds
        # the window) while the read ran.
        if generation != self._generation or not isValid(self):
            return
        at_once, self._at_once_due = self._at_once_due, False
        self._show(read, at_once=at_once)

    def _read_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation or not isValid(self):
            return
        self._at_once_due = False
        self.errors.show_error(error)

    def _show(self, read: _Read, *, at_once: bool) -> None:
        page, today = read.page, read.today
        shown = (page.view, page.totals, today)
        # Unchanged: a sync touched the cache but not what Today shows; keep the widgets.
        if shown != self._shown or self._must_render or (self._deferred and not self._pulling()):
            rebuild_all, self._must_render = self._must_render, False
            self._shown = shown
            self._view, self._totals = page.view, page.totals
            self._retranslate()
            self._date.setText(formatting.day(today))
            if page.totals.alerts == 1:
                summary = self.tr("{overdue} overdue · {due} due today · 1 new alert")
            else:
                summary = self.tr("{overdue} overdue · {due} due today · {alerts} new alerts")
            self._summary.setText(
                summary.format(
                    overdue=formatting.number(page.totals.overdue),
                    due=formatting.number(page.totals.due_today),
                    alerts=formatting.number(page.totals.alerts),
                )
            )
            self._plan(page.view, page.totals, today, rebuild_all=rebuild_all, at_once=at_once)
        if at_once:
            self._drain()
        elif self._steps:
            self._stepper.start()

    def _pulling(self) -> bool:
        status = self.bench.bridge.last_status
        return status is not None and status.phase in _PULLING

    def _on_status(self, status: SyncStatus) -> None:
        """Once the pull is over, read what it put off and build the rows left for after it."""
        if status.phase in _PULLING or not (self._deferred or self._later.isActive()):
            return
        self._later.stop()
        if self.isVisible():
            self.refresh_after_change()
        else:
            self._stale = True

    def _retranslate(self) -> None:
        self._title.setText(self.title())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange and self._view is not None:
            self._must_render = True
            self.refresh()

    # ---- building the sections -----------------------------------------------------------------

    def _plan(
        self,
        view: TodayView,
        totals: TodayTotals,
        today: date,
        *,
        rebuild_all: bool,
        at_once: bool,
    ) -> None:
        """Queue the building of every section whose rows differ from those shown."""
        pulling = self._pulling()
        self._steps.clear()
        for unfinished in self._building.values():
            unfinished.deleteLater()
        self._building.clear()
        self._deferred = False
        more_tasks = self.tr("And {count} more — see them all in Tasks")
        sections: dict[str, tuple[object, str, Callable[[], Iterator[None]]]] = {
            "overdue": (
                (view.overdue, totals.overdue, today),
                self.tr("Overdue tasks ({count})").format(count=totals.overdue),
                lambda: self._build_section(
                    "overdue",
                    self.tr("Nothing is overdue. Well done."),
                    [partial(self._task_row, task, today) for task in view.overdue],
                    lambda: self._more_link(
                        more_tasks, totals.overdue - len(view.overdue), ScreenId.TASKS
                    ),
                    at_once=at_once,
                ),
            ),
            "due_today": (
                (view.due_today, totals.due_today, today),
                self.tr("Due today ({count})").format(count=totals.due_today),
                lambda: self._build_section(
                    "due_today",
                    self.tr("No tasks are due today."),
                    [partial(self._task_row, task, today) for task in view.due_today],
                    lambda: self._more_link(
                        more_tasks, totals.due_today - len(view.due_today), ScreenId.TASKS
                    ),
                    at_once=at_once,
                ),
            ),
            "alerts": (
                (view.alert_groups, sorted(totals.alerts_by_rule.items()), may_decide_alerts()),
                self.tr("New alerts ({count})").format(count=totals.alerts),
                lambda: self._build_alerts(view.alert_groups, totals, at_once=at_once),
            ),
            "maturities": (
                (view.maturities, totals.maturities),
                self.tr("Maturing this week ({count})").format(count=totals.maturities),
                lambda: self._build_section(
                    "maturities",
                    self.tr("Nothing of your customers matures this week."),
                    [partial(self._maturity_row, item) for item in view.maturities],
                    lambda: self._show_more("maturities", len(view.maturities), totals.maturities),
                    at_once=at_once,
                ),
            ),
            "visits": (
                (view.visits, totals.visits),
                self.tr("Visits this week ({count})").format(count=totals.visits),
                lambda: self._build_section(
                    "visits",
                    self.tr("No visits are planned this week."),
                    [partial(self._visit_row, visit) for visit in view.visits],
                    lambda: self._more_link(
                        self.tr("And {count} more — see them all in Visits"),
                        totals.visits - len(view.visits),
                        ScreenId.VISITS,
                    ),
                    at_once=at_once,
                ),
            ),
        }
        for key, (rows, header, build) in sections.items():
            self._headers_due[key] = header
            if not rebuild_all and key in self._frames and self._built.get(key) == rows:
                self._headers[key].setText(header)  # the rows are the same, the count may not be
                continue
            if pulling and not rebuild_all and self._has_rows.get(key, False):
                self._headers[key].setText(header)
                self._deferred = True
                continue
            self._rows_due[key] = rows
            self._steps.append(build())

    def _step(self) -> None:
        """One step of the queued building: at most :data:`ROWS_PER_STEP` rows."""
        while self._steps:
            try:
                next(self._steps[0])
            except StopIteration:
                self._steps.pop(0)
                continue
            break
        if self._steps:
            self._stepper.start()

    def _drain(self) -> None:
        self._stepper.stop()
        while self._steps:
            for _ in self._steps.pop(0):
                pass

    def _place(self, key: str, frame: QFrame, *, has_rows: bool) -> None:
        """Put the whole section ``frame`` where the section ``key`` goes, in place of the one
        shown."""
        self._building.pop(key, None)
        self._built.pop(key, None)  # not built until its last row is
        old = self._frames.get(key)
        if old is None:
            index = sum(1 for k in SECTION_KEYS[: SECTION_KEYS.index(key)] if k in self._frames)
            self._column.insertWidget(index, frame)
        else:
            self._column.replaceWidget(old, frame)
            # Deleted later, not now: this may run inside a click of one of its buttons. Renamed
            # rather than moved out of the screen, which would restyle every widget in it.
            old.hide()
            old.setObjectName("retiredSection")
            self._headers[key].setObjectName("retiredHeader")
            old.deleteLater()
        self._frames[key] = frame
        frame.setObjectName("section")
        header = frame.findChild(QLabel, _BUILDING_HEADER)
        assert header is not None
        header.setObjectName("sectionHeader")
        self._headers[key] = header
        self._has_rows[key] = has_rows
        # Now, not on the layout's queued call: what refresh() built is there when it returns.
        frame.show()

    def _built_now(self, key: str) -> None:
        self._built[key] = self._rows_due.pop(key, None)

    def _frame(self, key: str, header: str) -> tuple[QFrame, QVBoxLayout]:
        """A new section's frame with its header, hidden in the screen until :meth:`_place`.

        Its rows are polished as they are built (:func:`_add_rows`), with the screen's style
        sheet, so showing the whole section does not polish them all at once. Named apart from
        the shown sections until placed.
        """
        frame = QFrame(self._scroll.widget())
        frame.hide()
        frame.setObjectName(_BUILDING_SECTION)
        frame.setProperty("section", key)
        body = QVBoxLayout(frame)
        body.setContentsMargins(16, 12, 16, 12)
        body.setSpacing(8)
        title = QLabel(header, frame)
        title.setObjectName(_BUILDING_HEADER)
        title.setProperty("section", key)
        body.addWidget(title)
        self._building[key] = frame
        return frame, body

    def _build_section(
        self,
        key: str,
        empty: str,
        rows: list[Callable[[], list[QWidget | None]]],
        more: Callable[[], QPushButton | None],
        *,
        at_once: bool,
    ) -> Iterator[None]:
        """Build a section, :data:`ROWS_PER_STEP` rows a step unless ``at_once`` (a generator
        of the steps); the section replaces the one shown with its first rows."""
        frame, body = self._frame(key, self._headers_due[key])
        grid: QGridLayout | None = None
        if not rows:
            body.addWidget(self._empty(empty))
        else:
            grid = _new_grid()
            body.addLayout(grid)
        for first in range(0, len(rows), ROWS_PER_STEP):
            if first:
                yield
            assert grid is not None
            _add_rows(grid, [row() for row in rows[first : first + ROWS_PER_STEP]], first)
        button = more()
        if button is not None:
            body.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        self._place(key, frame, has_rows=bool(rows))
        self._built_now(key)

    def _more_button(self, text: str, more: int) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName("moreLink")
        button.setProperty("more", more)
        button.setFlat(True)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        return button

    def _more_link(self, words: str, more: int, screen: ScreenId) -> QPushButton | None:
        """ "And N more", opening the screen that lists them all; ``None`` when none is left out."""
        if more <= 0:
            return None
        button = self._more_button(words.format(count=formatting.number(more)), more)
        button.setProperty("screen", screen.value)
        button.clicked.connect(lambda: self.bench.navigator.open_screen(screen))
        return button

    def _show_more(self, key: str, shown: int, total: int) -> QPushButton | None:
        """ "Show N more" of a section without a screen of its own; ``None`` when all are shown."""
        if total <= shown:
            return None
        step = min(SECTION_LIMIT, total - shown)
        button = self._more_button(
            self.tr("Show {count} more of {total}").format(
                count=formatting.number(step), total=formatting.number(total)
            ),
            total - shown,
        )
        button.setProperty("section", key)
        button.clicked.connect(lambda: self._expand(key, shown + SECTION_LIMIT))
        return button

    def _expand(self, key: str, rows: int) -> None:
        self._limits[key] = rows
        self.refresh()

    def _empty(self, words: str) -> QLabel:
        label = QLabel(words)
        label.setObjectName("emptyState")
        return label

    def _build_alerts(
        self, groups: tuple[AlertGroup, ...], totals: TodayTotals, *, at_once: bool
    ) -> Iterator[None]:
        """Build the alerts, :data:`ROWS_PER_STEP` rows a step unless ``at_once`` (a generator
        of the steps). A team lead's alerts come under many rules, too many rows to lay out in
        one turn: the section replaces the one shown with its first rule group, and each further
        group shows once it is whole."""
        frame, body = self._frame("alerts", self._headers_due["alerts"])
        if not groups:
            body.addWidget(self._empty(self.tr("No new alerts.")))
        placed = False
        rows = 0
        for group in groups:
            for _ in self._add_alert_group(frame, body, group, totals):
                rows += 1
                if rows % ROWS_PER_STEP == 0 and not at_once:
                    yield
            if not at_once and not placed:
                self._place("alerts", frame, has_rows=True)
                placed = True
        if not placed:
            self._place("alerts", frame, has_rows=bool(groups))
        self._built_now("alerts")

    def _add_alert_group(
        self, frame: QFrame, body: QVBoxLayout, group: AlertGroup, totals: TodayTotals
    ) -> Iterator[None]:
        """Add a rule group of alerts, yielding between its rows; the group shows once whole."""
        toggle = QToolButton(frame)
        toggle.hide()  # until the group is whole, even in a section already shown
        toggle.setObjectName("ruleGroup")
        toggle.setProperty("rule", group.rule_id)
        toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toggle.setCheckable(True)
        in_rule = totals.alerts_by_rule.get(group.rule_id, len(group.alerts))
        toggle.setText(
            self.tr("{rule} {name} ({count})").format(
                rule=group.rule_id, name=rule_name(group.rule_id), count=in_rule
            )
        )
        rows = QWidget(frame)
        rows.hide()
        rows.setProperty("rule", group.rule_id)
        rows_column = QVBoxLayout(rows)
        rows_column.setContentsMargins(20, 0, 0, 4)
        grid = _new_grid()
        rows_column.addLayout(grid)
        expanded = group.rule_id not in self._collapsed_rules
        toggle.setChecked(expanded)
        toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        toggle.toggled.connect(
            lambda on, rule=group.rule_id, box=rows, button=toggle: self._toggle_rule(
                rule, on, box, button
            )
        )
        body.addWidget(toggle)
        body.addWidget(rows)
        toggle.ensurePolished()
        rows.ensurePolished()
        for number, alert in enumerate(group.alerts):
            if number:
                yield
            _add_rows(grid, [self._alert_row(alert)], number)
        more = self._show_more(f"alert:{group.rule_id}", len(group.alerts), in_rule)
        if more is not None:
            rows_column.addWidget(more, 0, Qt.AlignmentFlag.AlignLeft)
        toggle.show()
        rows.setVisible(expanded)

    def _toggle_rule(self, rule: str, expanded: bool, rows: QWidget, button: QToolButton) -> None:
        if expanded:
            self._collapsed_rules.discard(rule)
        else:
            self._collapsed_rules.add(rule)
        rows.setVisible(expanded)
        button.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)

    # ---- rows ----------------------------------------------------------------------------------

    def _customer_link(self, customer_id: str | None, name: str | None, tab: str) -> QWidget:
        shown = name or self.tr("Unknown customer")
        if not customer_id:
            return QLabel(shown)
        link = QPushButton(shown)
        link.setObjectName("customerLink")
        link.setProperty("customer_id", customer_id)
        link.setProperty("tab", tab)
        link.setCursor(Qt.CursorShape.PointingHandCursor)
        link.setFlat(True)
        link.setAccessibleName(self.tr("Open {name}").format(name=shown))
        link.clicked.connect(lambda: self.bench.navigator.open_customer(customer_id, tab))
        return link

    def _task_row(self, task: TaskRow, today: date) -> list[QWidget | None]:
        priority = _badge(label(task.priority), task.priority)
        what = QLabel(masked_free_text(task.title))
        what.setWordWrap(True)
        due = QLabel(self._due_words(task, today))
        due.setObjectName("muted")
        done = QPushButton(self.tr("Mark done"))
        done.setObjectName("markDone")
        done.setProperty("task_id", task.id)
        done.setAccessibleName(self.tr("Mark the task done"))
        done.clicked.connect(lambda: self._mark_done(task.id, done))
        return [
            priority,
            self._customer_link(task.customer_id, task.customer_name, TAB_TASKS),
            what,
            due,
            done,
        ]

    def _due_words(self, task: TaskRow, today: date) -> str:
        if task.due_at is None:
            return self.tr("No due date")
        local = task.due_at.astimezone(self.bench.zone)
        if local.date() == today:
            return self.tr("Due today {time}").format(time=f"{local:%H:%M}")
        if local.date() < today:
            return self.tr("Overdue since {day}").format(
                day=formatting.day(local.date(), with_year=local.year != today.year)
            )
        return self.tr("Due {day}").format(day=formatting.day(local.date()))

    def _alert_row(self, alert: AlertRow) -> list[QWidget | None]:
        severity = _badge(label(alert.severity), alert.severity)
        message = QLabel(masked_free_text(alert.message))
        message.setWordWrap(True)
        message.setTextFormat(Qt.TextFormat.PlainText)
        when = QLabel(formatting.moment(alert.triggered_at))
        when.setObjectName("muted")
        buttons: list[QPushButton] = []
        if may_decide_alerts():
            acknowledge = QPushButton(self.tr("Acknowledge"))
            acknowledge.setObjectName("acknowledgeAlert")
            acknowledge.setProperty("alert_id", alert.id)
            dismiss = QPushButton(self.tr("Dismiss"))
            dismiss.setObjectName("dismissAlert")
            dismiss.setProperty("alert_id", alert.id)
            acknowledge.clicked.connect(
                lambda: self._decide(alert.id, AlertStatus.ACKNOWLEDGED, acknowledge)
            )
            dismiss.clicked.connect(lambda: self._decide(alert.id, AlertStatus.DISMISSED, dismiss))
            buttons = [acknowledge, dismiss]
        return [
            severity,
            self._customer_link(alert.customer_id, alert.customer_name, alert_tab(alert)),
            message,
            when,
            _actions(*buttons) if buttons else None,
        ]

    def _maturity_row(self, item: MaturityRow) -> list[QWidget | None]:
        kind_words = (
            label_of(AccountType, item.account_type)
            if item.account_type is not None
            else self.tr("Holding")
        )
        kind = QLabel(kind_words)
        kind.setObjectName("muted")
        what = QLabel(item.product_name or kind_words)
        what.setWordWrap(True)
        when = QLabel(
            self.tr("Matures {day} · {amount}").format(
                day=formatting.day(item.matures_on, with_year=False),
                amount=formatting.money(item.amount),
            )
        )
        when.setObjectName("muted")
        return [
            kind,
            self._customer_link(item.customer_id, item.customer_name, TAB_ACCOUNTS),
            what,
            when,
            None,
        ]

    def _visit_row(self, visit: VisitRow) -> list[QWidget | None]:
        channel = QLabel(label(visit.channel))
        channel.setObjectName("muted")
        purpose = QLabel(label(visit.purpose))
        when = QLabel(formatting.moment(visit.start_at))
        when.setObjectName("muted")
        return [
            channel,
            self._customer_link(visit.customer_id, visit.customer_name, TAB_INTERACTIONS),
            purpose,
            when,
            None,
        ]

    # ---- actions -------------------------------------------------------------------------------

    def _mark_done(self, task_id: str, button: QPushButton) -> None:
        store, user_id = self.bench.store, self.bench.user.id
        self._run(lambda: mark_task_done(store, task_id, user_id=user_id), button)

    def _decide(self, alert_id: str, decision: AlertStatus, button: QPushButton) -> None:
        store = self.bench.store
        self._run(lambda: decide_alert(store, alert_id, decision), button)

    def _run(self, write: Callable[[], object], button: QPushButton) -> None:
        """Write off the GUI thread (it may wait for sync's transaction), then re-read."""
        button.setEnabled(False)  # one click, one change
        self.bench.runner.submit(write, self._written, self._failed)

    def _written(self, _result: object) -> None:
        self.errors.hide()
        self.bench.bridge.local_write()
        if self.bench.sync is not None:
            self.bench.sync.notify_local_write()
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        self.errors.show_error(error)
        self._must_render = True
        self.refresh()  # the row may have gone, or its button must work again


def _actions(*buttons: QPushButton) -> QWidget:
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(6)
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    return box


def _badge(words: str, priority: TaskPriority) -> QLabel:
    """A priority or severity in its colour (the screen's style sheet colours it)."""
    badge = QLabel(words)
    badge.setObjectName("priority")
    badge.setProperty("priority", priority.value)
    return badge


def _new_grid() -> QGridLayout:
    grid = QGridLayout()
    grid.setHorizontalSpacing(16)
    grid.setVerticalSpacing(6)
    grid.setColumnMinimumWidth(0, 70)
    grid.setColumnMinimumWidth(1, 110)
    grid.setColumnStretch(2, 1)
    return grid


def _add_rows(grid: QGridLayout, rows: list[list[QWidget | None]], first: int) -> None:
    """Put ``rows`` in ``grid`` from row number ``first`` on, each cell polished (styled) now."""
    for number, cells in enumerate(rows, first):
        for column, cell in enumerate(cells):
            if cell is None:
                continue
            if column == 2:
                cell.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            # A lone button sits at the right edge, as the actions box's stretch put it.
            align = Qt.AlignmentFlag.AlignRight if isinstance(cell, QPushButton) else None
            if align is not None and column == len(cells) - 1:
                grid.addWidget(cell, number, column, align)
            else:
                grid.addWidget(cell, number, column)
            cell.ensurePolished()  # in its section, with the screen's style sheet


__all__ = [
    "ALERT_RULE_LIMIT",
    "SECTION_LIMIT",
    "TAB_ACCOUNTS",
    "TAB_INTERACTIONS",
    "TAB_OVERVIEW",
    "TAB_TASKS",
    "TodayScreen",
]
