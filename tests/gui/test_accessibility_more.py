"""Accessible names where the first sweep does not look: a team lead's window (RM filter, team
leaderboard, whose KPIs the charts show) and the dialogs a person meets on the way (the reason
asked before a reveal)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QAbstractSpinBox, QWidget

from rm_desk.views.main_window import MainWindow
from rm_desk.views.reveal import RevealReasonDialog
from rm_desk.views.workbench import ScreenId
from tests.gui.test_accessibility import _unnamed_controls


def _unnamed_spin_boxes(root: QWidget) -> list[str]:
    return [
        f"{type(box).__name__} in {type(box.parentWidget()).__name__}"
        for box in root.findChildren(QAbstractSpinBox)
        if box.isVisibleTo(root) and not box.accessibleName().strip()
    ]


def test_a_team_leads_screens_name_every_control(qtbot: Any, make_bench: Any) -> None:
    window = MainWindow(make_bench("lead01"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    missing: list[str] = []
    for screen in window.screen_ids():
        window.show_screen(screen)
        missing += _unnamed_controls(window.screen(screen))
        missing += _unnamed_spin_boxes(window.screen(screen))
    charts: Any = window.screen(ScreenId.CHARTS)
    assert charts.subject_box.isVisibleTo(charts)  # the lead's extra controls were looked at
    assert not missing, "\n".join(sorted(set(missing)))


def test_the_reveal_reason_dialog_names_its_fields(qtbot: Any) -> None:
    dialog = RevealReasonDialog("mobile")
    qtbot.addWidget(dialog)
    dialog.show()
    assert not _unnamed_controls(dialog)
