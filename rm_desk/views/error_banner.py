"""A screen's inline error line: what went wrong with the user's last action, in the error's own
words, without a modal dialog in the middle of working through a list.

It shows the translated ``title`` and ``message`` of an :class:`~rm_desk.errors.RmDeskError`
(:func:`~rm_desk.views.error_words.error_words`), never ``repr(error)``, and hides again when the
user closes it or the next action succeeds.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from rm_desk.views.error_words import error_words


class ErrorBanner(QFrame):
    """A one-line error notice, hidden until :meth:`show_error`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.setStyleSheet(
            "QFrame#errorBanner { background: #fdecea; border: 1px solid #f5c2bd;"
            " border-radius: 4px; }"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._label.setTextFormat(Qt.TextFormat.PlainText)
        close = QToolButton(self)
        close.setText("×")  # a symbol, the same in every language
        close.setAccessibleName(self.tr("Close the message"))
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        layout.addWidget(self._label, 1)
        layout.addWidget(close)
        self.hide()

    def show_error(self, error: BaseException) -> None:
        title, message = error_words(error)
        self._label.setText(self.tr("{title}: {message}").format(title=title, message=message))
        self.show()

    def text(self) -> str:
        return self._label.text()


__all__ = ["ErrorBanner"]
