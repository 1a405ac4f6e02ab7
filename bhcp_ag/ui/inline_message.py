"""The line under a form's field that says what is wrong with it, holding its place.

:class:`InlineMessage` keeps one line's height whether or not it has anything to say, so
a message appearing or going never moves what is below it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy


class InlineMessage(QLabel):
    """A field's problem, on one line in ``colour`` whose space is kept while there is none.

    Appearing or going, a message never moves the fields below it, so the GP's next
    click lands where they aimed. A message too long for the line ends in an ellipsis;
    the whole of it is the tooltip (and the accessible description, read out in full).
    """

    def __init__(self, colour: QColor) -> None:
        super().__init__()
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.WindowText, colour)
        self.setPalette(palette)
        # Ignored across: a long message must not widen the form; fixed down: one line.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._keep_one_line()

    def say(self, message: str) -> None:
        """Show ``message``; an empty one leaves the line blank, its space kept."""
        self.setText(message)
        self.setToolTip(message)
        self.setAccessibleDescription(message)
        self.update()

    def _keep_one_line(self) -> None:
        self.setFixedHeight(self.fontMetrics().lineSpacing() + 2)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._keep_one_line()
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        rect = self.contentsRect()
        elide = Qt.TextElideMode.ElideRight
        shown = self.fontMetrics().elidedText(self.text(), elide, rect.width())
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            rect,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            self.palette(),
            self.isEnabled(),
            shown,
            QPalette.ColorRole.WindowText,
        )
