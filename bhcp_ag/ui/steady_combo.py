"""A drop-down list that the mouse wheel never changes.

A plain ``QComboBox`` takes the wheel: scrolling a long form over a drop-down changes
its answer without a word (tried as a GP would: scrolling the dermatology questions
down to the attachments turned "Photo attached" into "No photo"), and the wheel gives it
focus too. Here the wheel goes to what holds the list, so the form scrolls; the answer
changes only by a click on the list or the keyboard.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QComboBox, QWidget


class SteadyComboBox(QComboBox):
    """A ``QComboBox`` that leaves the mouse wheel to the form it is in."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # not WheelFocus

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.ignore()  # passed on to the scroll area
