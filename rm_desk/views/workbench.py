"""What every screen of a signed-in window is given: :class:`Workbench`.

A screen never reaches for globals. It gets one :class:`Workbench` holding the open cache, the
signed-in user and their permissions, the sync bridge, the task runner, the online calls (reveal,
older transactions), the clock and the :class:`Navigator` through which it asks the main window to
show another screen or a customer. The sync service comes through a :class:`SyncSlot`: the app
builds it after the window's first paint (loading the engine and the HTTP client costs a tenth of
a second Today need not wait for), so a screen built before reads ``bench.sync`` as ``None`` and
may listen for :attr:`SyncSlot.arrived`. Tests build a Workbench over a real cache with an
:class:`~rm_desk.views.runner.InlineTaskRunner` and a fixed clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal

from rm_desk.domain.enums import Role
from rm_desk.views.formatting import BANK_ZONE

if TYPE_CHECKING:
    # Types only: importing the sync client (httpx) and service (the whole write path) costs
    # about a second of start-up, and the window gets its instances from whoever builds it.
    from rm_desk.local_store.engine import Store
    from rm_desk.sync.client import TransactionPage
    from rm_desk.sync.identity import Policy, User
    from rm_desk.sync.service import SyncService
    from rm_desk.views.bridge import SyncBridge
    from rm_desk.views.runner import TaskRunner


class Permission(StrEnum):
    """Permission strings of ``GET /me`` the window acts on (API.md §1)."""

    PII_REVEAL = "pii.reveal"
    TEAM_VIEW = "team.view"
    TASK_REASSIGN = "task.reassign"
    EXPORT_CSV = "export.csv"


class ScreenId(StrEnum):
    """The screens of the left navigation, in their order."""

    TODAY = "today"
    CUSTOMERS = "customers"
    TASKS = "tasks"
    VISITS = "visits"
    OPPORTUNITIES = "opportunities"
    CHARTS = "charts"
    SYNC_ISSUES = "sync_issues"


class OnlineCalls(Protocol):
    """The calls a screen makes to the bank directly (never on the GUI thread).

    Each raises :class:`~rm_desk.sync.errors.SyncError` subclasses with words for people:
    ``Offline`` without a connection, ``PermissionDenied`` without the permission.
    """

    def reveal(
        self, customer_id: str, field: str, reason: str, *, account_id: str | None = None
    ) -> str: ...

    def older_transactions(
        self, customer_id: str, before: str | None = None, limit: int = 200
    ) -> TransactionPage: ...


class SyncSlot(QObject):
    """Where the window finds the sync service, which may arrive after the window is built.

    Signals:
        arrived(): The service is in the slot now.
    """

    arrived = Signal()

    def __init__(self, service: SyncService | None = None, *, coming: bool = False) -> None:
        """A slot holding ``service``, or empty; ``coming``: a service will be put in later."""
        super().__init__()
        self._service = service
        self._coming = coming

    @property
    def service(self) -> SyncService | None:
        return self._service

    @property
    def runs_sync(self) -> bool:
        """Whether the window runs sync: the service is here or on its way."""
        return self._service is not None or self._coming

    def fill(self, service: SyncService) -> None:
        """Put the service in and tell who waits for it."""
        self._service = service
        self._coming = False
        self.arrived.emit()


class Navigator(QObject):
    """How a screen asks the main window to show something else.

    Signals:
        customer_requested(customer_id, tab): Open the 360 view of a customer on a tab
            (``""`` for Overview).
        screen_requested(ScreenId): Show one of the navigation's screens.
        search_requested(): Focus the global search (Ctrl+K).
    """

    customer_requested = Signal(str, str)
    screen_requested = Signal(object)
    search_requested = Signal()

    def open_customer(self, customer_id: str, tab: str = "") -> None:
        self.customer_requested.emit(customer_id, tab)

    def open_screen(self, screen: ScreenId) -> None:
        self.screen_requested.emit(screen)


@dataclass(frozen=True, init=False)
class Workbench:
    """The signed-in window's shared pieces (see the module docstring).

    Attributes:
        store: The open encrypted cache; GUI-thread reads must be short (one page, one view).
        user: Who is signed in.
        permissions: Their permissions (``GET /me``; remembered for offline use).
        device_id: This installation's id (watermark, audit events).
        policy: The server's security policy.
        bridge: Sync events as Qt signals.
        runner: Off-GUI-thread work.
        navigator: Requests to show another screen or a customer.
        online: Direct calls to the bank; ``None`` in a window that never signed in online.
        sync_slot: Where the sync facade is, or arrives after the first paint; empty in tests and
            screenshots that run without sync (see :attr:`sync`).
        clock: Now, in UTC.
        zone: The bank's zone, in which "today" and due dates are read.
    """

    store: Store
    user: User
    permissions: frozenset[str]
    device_id: str
    policy: Policy
    bridge: SyncBridge
    runner: TaskRunner
    navigator: Navigator
    online: OnlineCalls | None
    sync_slot: SyncSlot
    clock: Callable[[], datetime]
    zone: tzinfo

    def __init__(
        self,
        *,
        store: Store,
        user: User,
        permissions: frozenset[str],
        device_id: str,
        policy: Policy,
        bridge: SyncBridge,
        runner: TaskRunner,
        navigator: Navigator,
        online: OnlineCalls | None = None,
        sync: SyncService | None = None,
        sync_slot: SyncSlot | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
        zone: tzinfo = BANK_ZONE,
    ) -> None:
        """The pieces; ``sync`` (a running service) takes the place of any ``sync_slot``."""
        # Written by hand for ``sync=``: ``replace(bench, sync=service)`` gives a bench its own
        # filled slot, where the generated __init__ would only know the slot.
        if sync is not None or sync_slot is None:
            sync_slot = SyncSlot(sync)
        values: dict[str, object] = {
            "store": store,
            "user": user,
            "permissions": permissions,
            "device_id": device_id,
            "policy": policy,
            "bridge": bridge,
            "runner": runner,
            "navigator": navigator,
            "online": online,
            "sync_slot": sync_slot,
            "clock": clock,
            "zone": zone,
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @property
    def sync(self) -> SyncService | None:
        """The sync facade; ``None`` without sync, or before it arrives (see :class:`SyncSlot`)."""
        return self.sync_slot.service

    def may(self, permission: Permission) -> bool:
        return permission.value in self.permissions

    @property
    def is_team_lead(self) -> bool:
        return self.user.role is Role.TEAM_LEAD

    def today(self) -> Any:
        """Today's date in the bank's zone."""
        return self.clock().astimezone(self.zone).date()

    def is_online(self) -> bool:
        """Whether the last exchange with the bank succeeded (the status bar's view)."""
        status = self.bridge.last_status
        if self.online is None:
            return False
        return bool(status is None or status.online is not False)


__all__ = ["Navigator", "OnlineCalls", "Permission", "ScreenId", "SyncSlot", "Workbench"]
