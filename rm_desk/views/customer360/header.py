"""The header of the 360 view: who the customer is and how current the data is.

Name, tier and tier-watch flag, risk level with the assessment's expiry (red once expired), the
RM, tags as chips, a badge with the number of open alerts, the data's freshness, and the masked
mobile, ID number and address, each with its Reveal button.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rm_desk.domain.enums import AlertStatus, TagSource, Tier
from rm_desk.domain.suitability import assessment_expired, assessment_expires_on
from rm_desk.views.customer360.data import CustomerData
from rm_desk.views.customer360.labels import label
from rm_desk.views.customer360.models import MUTED, WARNING
from rm_desk.views.formatting import day, moment, relative_age
from rm_desk.views.reveal import MaskedValue, RevealField, RevealTarget
from rm_desk.views.workbench import Workbench

_TIER_COLORS = {
    Tier.STANDARD: "#e5e7eb",
    Tier.GOLD: "#fde68a",
    Tier.PLATINUM: "#e2e8f0",
    Tier.DIAMOND: "#bfdbfe",
    Tier.PRIVATE: "#ddd6fe",
}
_CHIP = "border-radius: 8px; padding: 1px 8px; background: {background}; color: {color};"


def _chip(parent: QWidget, text: str, background: str, color: str = "#111827") -> QLabel:
    chip = QLabel(text, parent)
    chip.setStyleSheet(_CHIP.format(background=background, color=color))
    return chip


class CustomerHeader(QFrame):
    """The header; :meth:`show_data` fills it.

    Signals:
        alerts_clicked(): The open-alerts badge was clicked.
        log_visit_clicked(): "Log visit" was clicked (Ctrl+L does the same).
    """

    alerts_clicked = Signal()
    log_visit_clicked = Signal()

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bench = bench
        self.setObjectName("customer_header")
        self.setFrameShape(QFrame.Shape.StyledPanel)

        self.name = QLabel(self)
        self.name.setObjectName("customer_name")
        self.name.setStyleSheet("font-size: 20px; font-weight: 600;")
        self.tier = QLabel(self)
        self.tier.setObjectName("customer_tier")
        self.tier_watch = _chip(self, self.tr("⚠ Tier watch"), "#fee2e2", WARNING.name())
        self.tier_watch.setObjectName("tier_watch")
        self.tier_watch.setToolTip(
            self.tr("AUM is near or below the tier's floor; the tier may be lowered.")
        )
        self.risk = QLabel(self)
        self.risk.setObjectName("customer_risk")
        self.alerts = QPushButton(self)
        self.alerts.setObjectName("alert_badge")
        self.alerts.setFlat(True)
        self.alerts.clicked.connect(self.alerts_clicked)
        self.freshness = QLabel(self)
        self.freshness.setObjectName("freshness")
        self.freshness.setStyleSheet(f"color: {MUTED.name()};")

        top = QHBoxLayout()
        for widget in (self.name, self.tier, self.tier_watch, self.risk, self.alerts):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.freshness)
        self.log_visit = QPushButton(self.tr("Log visit…"), self)
        self.log_visit.setObjectName("log_visit")
        self.log_visit.setAccessibleName(self.tr("Log a visit with this customer"))
        self.log_visit.setToolTip(self.tr("Log a visit, with a follow-up task (Ctrl+L)"))
        self.log_visit.clicked.connect(self.log_visit_clicked)
        top.addWidget(self.log_visit)

        self.rm = QLabel(self)
        self.rm.setObjectName("customer_rm")
        self.mobile = MaskedValue(bench, self, field_name=self.tr("mobile"))
        self.mobile.setObjectName("mobile_value")
        self.id_no = MaskedValue(bench, self, field_name=self.tr("ID number"))
        self.id_no.setObjectName("id_value")
        self.address = MaskedValue(bench, self, field_name=self.tr("address"))
        self.address.setObjectName("address_value")
        second = QHBoxLayout()
        second.addWidget(self.rm)
        second.addSpacing(16)
        for caption, value in (
            (self.tr("Mobile"), self.mobile),
            (self.tr("ID"), self.id_no),
            (self.tr("Address"), self.address),
        ):
            second.addWidget(QLabel(caption, self))
            second.addWidget(value)
        second.addStretch(1)

        self.tags = QHBoxLayout()
        self.tags.setSpacing(4)
        self._tag_chips: list[QLabel] = []

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addLayout(top)
        layout.addLayout(second)
        layout.addLayout(self.tags)

    def show_data(self, data: CustomerData) -> None:
        c = data.customer
        self.name.setText(c.name)
        self.tier.setText(label(c.tier))
        self.tier.setStyleSheet(_CHIP.format(background=_TIER_COLORS[c.tier], color="#111827"))
        self.tier_watch.setVisible(c.tier_watch)
        self._show_risk(data)
        open_alerts = sum(
            1 for a in data.view.alerts if a.status in (AlertStatus.NEW, AlertStatus.ACKNOWLEDGED)
        )
        self.alerts.setVisible(open_alerts > 0)
        self.alerts.setText(self.tr("Open alerts: {count}").format(count=open_alerts))
        self.alerts.setStyleSheet(f"color: {WARNING.name()}; font-weight: 600;")
        self._show_freshness(data)
        self.rm.setText(self.tr("RM: {name}").format(name=data.rm_name or c.primary_rm_id))
        for widget, field, masked in (
            (self.mobile, RevealField.MOBILE, c.mobile_masked),
            (self.id_no, RevealField.ID_NO, c.id_no_masked),
            (self.address, RevealField.ADDRESS, c.address_summary),
        ):
            widget.set_target(RevealTarget(c.id, field, masked or ""))
        self._show_tags(data)

    def _show_risk(self, data: CustomerData) -> None:
        c = data.customer
        if c.risk_level is None or c.risk_assessed_on is None:
            self.risk.setText(self.tr("Risk: not assessed"))
            self.risk.setStyleSheet(f"color: {WARNING.name()}; font-weight: 600;")
            self.risk.setToolTip(self.tr("No investment products may be sold until assessed."))
            return
        expires = assessment_expires_on(c.risk_assessed_on)
        if assessment_expired(c.risk_assessed_on, data.today):
            self.risk.setText(
                self.tr("Risk {level} · expired {date}").format(
                    level=c.risk_level.value, date=day(expires)
                )
            )
            self.risk.setStyleSheet(f"color: {WARNING.name()}; font-weight: 600;")
            self.risk.setToolTip(
                self.tr("The assessment is over a year old; investment sales are blocked.")
            )
        else:
            self.risk.setText(
                self.tr("Risk {level} · valid until {date}").format(
                    level=c.risk_level.value, date=day(expires)
                )
            )
            self.risk.setStyleSheet("")
            self.risk.setToolTip(self.tr("Assessed on {date}").format(date=day(c.risk_assessed_on)))

    def _show_freshness(self, data: CustomerData) -> None:
        balances = data.balances_as_of
        synced = data.synced_at
        if synced is None:
            text = self.tr("Never synced")
        elif balances is None:
            text = self.tr("Synced {age}").format(age=relative_age(synced, self.bench.clock()))
        else:
            text = self.tr("Balances as of {date} · synced {age}").format(
                date=day(balances), age=relative_age(synced, self.bench.clock())
            )
        self.freshness.setText(text)
        self.freshness.setToolTip(
            self.tr("Last successful sync: {time}").format(time=moment(synced))
        )

    def _show_tags(self, data: CustomerData) -> None:
        for chip in self._tag_chips:
            self.tags.removeWidget(chip)
            chip.deleteLater()
        self._tag_chips = []
        while self.tags.count():
            self.tags.takeAt(0)
        for tag in data.view.tags:
            background = "#dcfce7" if tag.source is TagSource.RM else "#f3f4f6"
            chip = _chip(self, tag.name, background)
            chip.setObjectName("tag_chip")
            chip.setToolTip(
                self.tr("Your tag") if tag.source is TagSource.RM else self.tr("Tag from the bank")
            )
            self.tags.addWidget(chip)
            self._tag_chips.append(chip)
        self.tags.addStretch(1)

    def tag_texts(self) -> list[str]:
        return [chip.text() for chip in self._tag_chips]


__all__ = ["CustomerHeader"]
