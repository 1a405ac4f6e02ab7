"""The conversations behind one figure of a report (a drill-down).

:class:`DrillDownDialog` lists them in the conversation list's own table, filtered to
exactly those ids and, as ever, to the user's own scope (their practice, their
specialties, never a colleague's drafts), so it shows only what the viewer may see.
The count above the list is the figure itself for a count; for a rate it is the
conversations of the numerator, for a median those the median was taken over.
Double-clicking (or Enter on) a conversation emits ``conversation_requested(id)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from bhcp_ag.domain.metrics import BY_KEY, CountOf, QuantileOf, RatioOf, SumOf
from bhcp_ag.services.current_user import CurrentUser
from bhcp_ag.store.db import Store
from bhcp_ag.ui.conversation_model import ConversationTableModel, default_sort_for
from bhcp_ag.ui.conversation_table import ConversationTable
from bhcp_ag.ui.formatting import count_text


def what_is_listed(measure_key: str) -> str:
    """Which conversations stand behind a figure of ``measure_key``, in words."""
    measure = BY_KEY[measure_key]
    if isinstance(measure, RatioOf):
        return f"the conversations counted in {BY_KEY[measure.numerator].label.lower()}"
    if isinstance(measure, QuantileOf):
        return "the conversations it was worked out from"
    if isinstance(measure, SumOf):
        return "the conversations it adds up"
    assert isinstance(measure, CountOf)
    return "the conversations counted"


class _DrillTable(ConversationTable):
    """The conversation table, with Enter opening a conversation as a double-click does."""

    opened = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.opened.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


class DrillDownDialog(QDialog):
    """The conversations behind one figure, in the viewer's scope."""

    conversation_requested = Signal(str)

    def __init__(
        self,
        store: Store,
        user: CurrentUser,
        ids: Sequence[str],
        title: str,
        measure_key: str,
        now: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.resize(980, 520)
        self.model: ConversationTableModel | None = None
        self.table: _DrillTable | None = None
        layout = QVBoxLayout(self)
        heading = QLabel(f"<b>{title}</b>")
        heading.setTextFormat(Qt.TextFormat.RichText)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Number of conversations")
        layout.addWidget(self.count_label)
        if ids:
            scope = dataclasses.replace(user.list_scope(), ids=tuple(ids))
            self.model = ConversationTableModel(
                store, scope, now, self, default_sort=default_sort_for(user.role), user_id=user.id
            )
            self.table = _DrillTable(self.model, user.role)
            self.table.setAccessibleName("Conversations behind the figure")
            self.table.doubleClicked.connect(self._open)
            self.table.opened.connect(self._open)
            layout.addWidget(self.table, 1)
        shown = self.model.rowCount() if self.model is not None else 0
        words = count_text(shown, "conversation")
        self.count_label.setText(f"{words}: {what_is_listed(measure_key)}.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName("Close the list")
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    @property
    def count(self) -> int:
        """How many conversations are listed."""
        return self.model.rowCount() if self.model is not None else 0

    def _open(self, index: QModelIndex) -> None:
        if self.model is not None and index.isValid():
            self.conversation_requested.emit(self.model.conversation_id(index.row()))

    @classmethod
    def show_for(
        cls,
        parent: QWidget,
        store: Store,
        user: CurrentUser,
        ids: Sequence[str],
        title: str,
        measure_key: str,
        now: Callable[[], datetime],
    ) -> DrillDownDialog:
        """Open the list (not modal: the report stays usable beside it) and return it."""
        dialog = cls(store, user, ids, title, measure_key, now, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog
