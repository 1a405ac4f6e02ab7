"""The filters above the conversation list: status, specialty, overdue only and search.

Each choice narrows the signed-in user's scope (:meth:`CurrentUser.list_scope`) into one
:class:`ConversationFilter` that the list runs as SQL. Typing in the search box waits a
quarter of a second for the next key before filtering, so a 10-digit NHS number is one
query, not ten.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from bhcp_ag.domain.conversation import Status
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.store.conversations import ConversationFilter
from bhcp_ag.ui.conversation_model import OVERDUE_STATUSES

SEARCH_DELAY_MS = 250
NO_STATUS = ("-",)
"""A status no conversation has: what "overdue only" leaves of a status that cannot be late."""

OPEN_STATUSES = tuple(status.value for status in Status if status.is_open)


def status_choices() -> list[tuple[str, tuple[str, ...]]]:
    """(label, statuses) of the status filter: All, Open, then each status."""
    return [
        ("All", ()),
        ("Open", OPEN_STATUSES),
        *((status.label, (status.value,)) for status in Status),
    ]


class FilterBar(QWidget):
    """Status, specialty, "Overdue only" and search; ``changed`` fires when they change."""

    changed = Signal()

    def __init__(
        self,
        catalogue: SpecialtyCatalogue,
        scope: ConversationFilter,
        now: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._scope = scope
        self._now = now
        self._statuses = status_choices()
        self.status = QComboBox()
        for label, _statuses in self._statuses:
            self.status.addItem(label)
        self.specialty = QComboBox()
        self.specialty.addItem("All", None)
        for specialty in catalogue.all():
            if not scope.specialty_codes or specialty.tfc_code in scope.specialty_codes:
                self.specialty.addItem(specialty.short_name, specialty.tfc_code)
        self.overdue = QCheckBox("&Overdue only")
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText("NHS number or words of the question")
        self.search.setMinimumWidth(160)
        self.search.setMaximumWidth(420)
        for combo in (self.status, self.specialty):  # shrink on a small screen, not overflow
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._layout()
        self._search_timer.timeout.connect(self.changed)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.status.currentIndexChanged.connect(lambda _index: self.changed.emit())
        self.specialty.currentIndexChanged.connect(lambda _index: self.changed.emit())
        self.overdue.toggled.connect(lambda _checked: self.changed.emit())

    def _layout(self) -> None:
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        for text, widget in (
            ("S&tatus", self.status),
            ("S&pecialty", self.specialty),
            ("Sear&ch", self.search),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            widget.setAccessibleName(text.replace("&", ""))
            layout.addWidget(label)
            layout.addWidget(widget, 1 if widget is self.search else 0)
            layout.addSpacing(8)
            if widget is self.specialty:
                layout.addWidget(self.overdue)
                layout.addSpacing(8)
        self.overdue.setAccessibleName("Overdue only")
        layout.addStretch(1)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def conversation_filter(self) -> ConversationFilter:
        """The user's scope narrowed by every choice on the bar."""
        statuses = self._statuses[self.status.currentIndex()][1]
        overdue = self.overdue.isChecked()
        if overdue:
            statuses = tuple(s for s in statuses or OVERDUE_STATUSES if s in OVERDUE_STATUSES)
            statuses = statuses or NO_STATUS
        code = self.specialty.currentData()
        return dataclasses.replace(
            self._scope,
            statuses=statuses,
            specialty_codes=(code,) if code else self._scope.specialty_codes,
            text=self.search.text().strip(),
            overdue_at=self._now() if overdue else None,
        )

    def save(self, settings: QSettings) -> None:
        settings.setValue("filters/status", self.status.currentText())
        settings.setValue("filters/specialty", self.specialty.currentData() or "")
        settings.setValue("filters/overdue", self.overdue.isChecked())

    def restore(self, settings: QSettings) -> None:
        """Bring back the last choices (the search text is not kept: it names a patient)."""
        status = self.status.findText(str(settings.value("filters/status", "All")))
        specialty = self.specialty.findData(str(settings.value("filters/specialty", "")))
        self.blockSignals(True)  # the list is built from these afterwards
        self.status.setCurrentIndex(max(status, 0))
        self.specialty.setCurrentIndex(max(specialty, 0))
        self.overdue.setChecked(bool(settings.value("filters/overdue", False, type=bool)))
        self.blockSignals(False)
