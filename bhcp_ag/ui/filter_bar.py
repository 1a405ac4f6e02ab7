"""The filters above the conversation list: status, specialty, overdue only, claim, search.

Each choice narrows the signed-in user's scope (:meth:`CurrentUser.list_scope`) into one
:class:`ConversationFilter` that the list runs as SQL. Typing in the search box waits a
quarter of a second for the next key before filtering, so a 10-digit NHS number is one
query, not ten.

A specialist also gets a claim filter (all, unclaimed, claimed by me) and starts on the
open conversations. Beside "Overdue only" a red badge counts the overdue requests in the
user's scope (the window sets it with :meth:`FilterBar.set_overdue_count`); a click on it
turns "Overdue only" on or off, so nobody has to go looking for a late request.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from bhcp_ag.domain.conversation import Role, Status
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.urgency import escalated_if_due_before
from bhcp_ag.store.conversations import ConversationFilter
from bhcp_ag.ui.conversation_model import OVERDUE_STATUSES
from bhcp_ag.ui.flow_layout import FlowLayout
from bhcp_ag.ui.theme import colours

SEARCH_DELAY_MS = 250
NO_STATUS = ("-",)
"""A status no conversation has: what "overdue only" leaves of a status that cannot be late."""

OPEN_STATUSES = tuple(status.value for status in Status if status.is_open)
QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum" width
BADGE_STYLE = "QPushButton {{ color: {colour}; font-weight: bold; padding: 0 6px; }}"


class ClaimChoice(StrEnum):
    """The claim filter's choices (a specialist's; the value is what settings keep)."""

    ALL = "all"
    UNCLAIMED = "unclaimed"
    MINE = "mine"

    @property
    def label(self) -> str:
        return {"all": "All", "unclaimed": "Unclaimed", "mine": "Claimed by me"}[self.value]


RECENT_DAYS = 30
OPEN_AND_RECENT = "Open and recent"
"""The choice of open conversations and those that ended in the last :data:`RECENT_DAYS`."""


def default_status_for(role: Role | None) -> str:
    """The status filter's label before the user chooses: a specialist's queue is "Open";
    a practice's list is its open conversations and those that ended recently."""
    if role is Role.SPECIALIST:
        return "Open"
    if role in (Role.GP, Role.PRACTICE_MANAGER):
        return OPEN_AND_RECENT
    return "All"


def status_choices() -> list[tuple[str, tuple[str, ...]]]:
    """(label, statuses) of the status filter: All, Open, open and recent, each status."""
    return [
        ("All", ()),
        ("Open", OPEN_STATUSES),
        (OPEN_AND_RECENT, ()),
        *((status.label, (status.value,)) for status in Status),
    ]


class FilterBar(QWidget):
    """Status, specialty, "Overdue only", claim and search; ``changed`` fires on a change."""

    changed = Signal()

    def __init__(
        self,
        catalogue: SpecialtyCatalogue,
        scope: ConversationFilter,
        now: Callable[[], datetime],
        parent: QWidget | None = None,
        *,
        role: Role | None = None,
        user_id: str | None = None,
        led_codes: tuple[str, ...] = (),
    ) -> None:
        """``role`` and ``user_id`` are the signed-in user's: a specialist (with an id) gets
        the claim filter and starts on open conversations; without them the bar is as a
        GP's. ``led_codes``: the specialties the user leads, whose requests overdue by a
        working day are escalated to them."""
        super().__init__(parent)
        self._scope = scope
        self._now = now
        self._user_id = user_id
        self._statuses = status_choices()
        self._default_status = default_status_for(role)
        self._claims_shown = role is Role.SPECIALIST
        self.status = QComboBox()
        for label, _statuses in self._statuses:
            self.status.addItem(label)
        self.status.setCurrentIndex(self.status.findText(self._default_status))
        self.specialty = QComboBox()
        self.specialty.addItem("All", None)
        for specialty in catalogue.all():
            if not scope.specialty_codes or specialty.tfc_code in scope.specialty_codes:
                self.specialty.addItem(specialty.short_name, specialty.tfc_code)
        self.claim = QComboBox()
        for choice in ClaimChoice:
            if choice is not ClaimChoice.MINE or user_id is not None:
                self.claim.addItem(choice.label, choice.value)
        self.overdue = QCheckBox("&Overdue only")
        self.overdue_badge = self._badge()
        # A GP's: what waits for them (a referral to make, a question to answer).
        self.action_needed = QCheckBox("&Action needed")
        self.action_needed_badge = self._badge()
        self._gp_actions_shown = role in (Role.GP, None)
        # A specialty lead's: requests overdue by a further working day, escalated to them.
        self._led_codes = led_codes
        self.escalated = QCheckBox("Escalated to me")
        self.escalated_badge = self._badge()
        self.search = self._search_box()
        for combo in (self.status, self.specialty, self.claim):
            # Shrink on a small screen rather than overflow.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._layout()
        self._connect()

    def _connect(self) -> None:
        self._search_timer.timeout.connect(self.changed)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        for combo in (self.status, self.specialty, self.claim):
            combo.currentIndexChanged.connect(lambda _index: self.changed.emit())
        self.overdue.toggled.connect(lambda _checked: self.changed.emit())
        self.overdue_badge.clicked.connect(self.overdue.toggle)
        self.action_needed.toggled.connect(lambda _checked: self.changed.emit())
        self.action_needed_badge.clicked.connect(self.action_needed.toggle)
        self.escalated.toggled.connect(lambda _checked: self.changed.emit())
        self.escalated_badge.clicked.connect(self.escalated.toggle)

    @staticmethod
    def _search_box() -> QLineEdit:
        search = QLineEdit()
        search.setClearButtonEnabled(True)
        search.setPlaceholderText("NHS number or words of the question")
        search.setMinimumWidth(160)
        search.setMaximumWidth(420)
        return search

    @staticmethod
    def _badge() -> QPushButton:
        badge = QPushButton()
        badge.setFlat(True)
        badge.setStyleSheet(BADGE_STYLE.format(colour=colours().overdue.name()))
        badge.setCursor(Qt.CursorShape.PointingHandCursor)
        badge.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        badge.hide()  # until there is something overdue to count
        return badge

    def _layout(self) -> None:
        """Each label beside its field; the fields wrap onto a second line when narrow."""
        layout = FlowLayout(self, spacing=14)
        layout.setContentsMargins(0, 0, 0, 0)
        for text, widget in (
            ("S&tatus", self.status),
            ("S&pecialty", self.specialty),
            ("Cla&im", self.claim),
            ("Sear&ch", self.search),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            widget.setAccessibleName(text.replace("&", ""))
            group = _group(label, widget)
            layout.addWidget(group)
            if widget is self.claim:
                for part in (group, label, widget):
                    part.setVisible(self._claims_shown)
            if widget is self.specialty:
                layout.addWidget(_group(self.overdue, self.overdue_badge))
                actions = _group(self.action_needed, self.action_needed_badge)
                layout.addWidget(actions)
                actions.setVisible(self._gp_actions_shown)
                escalations = _group(self.escalated, self.escalated_badge)
                layout.addWidget(escalations)
                escalations.setVisible(bool(self._led_codes))
        self.overdue.setAccessibleName("Overdue only")
        self.action_needed.setAccessibleName(
            "Action needed: a referral to make or a specialist's question to answer"
        )
        self.escalated.setAccessibleName(
            "Escalated to me: requests overdue by a working day in the specialties I lead"
        )

    @property
    def overdue_count(self) -> int:
        """The count the badge shows (0 when hidden)."""
        return int(self.overdue_badge.property("count") or 0)

    def set_overdue_count(self, count: int) -> None:
        """Show ``count`` overdue requests on the badge; it hides at 0."""
        noun = "request is" if count == 1 else "requests are"
        _show_count(
            self.overdue_badge,
            count,
            f"{count:,} overdue",
            f"{count:,} {noun} past the due time. Click to show only overdue requests, "
            "and again to show everything.",
            f"{count:,} overdue: show only overdue requests",
        )

    @property
    def gp_actions(self) -> int:
        """The count the action-needed badge shows (0 when hidden)."""
        return int(self.action_needed_badge.property("count") or 0)

    def set_gp_actions(self, count: int) -> None:
        """Show ``count`` conversations waiting for the GP (a referral, a question)."""
        noun = "conversation waits" if count == 1 else "conversations wait"
        _show_count(
            self.action_needed_badge,
            count if self._gp_actions_shown else 0,
            f"{count:,} action needed",
            f"{count:,} {noun} for you: a referral the specialist recommended (refer, then "
            "close with 'Referred', or say why not) or a question to answer. Click to show "
            "only these.",
            f"{count:,} action needed: show what waits for you",
        )

    @property
    def escalated_count(self) -> int:
        return int(self.escalated_badge.property("count") or 0)

    def set_escalated_count(self, count: int) -> None:
        """Show ``count`` requests of the user's specialties overdue by a working day."""
        noun = "request is" if count == 1 else "requests are"
        _show_count(
            self.escalated_badge,
            count if self._led_codes else 0,
            f"{count:,} escalated to you",
            f"{count:,} {noun} overdue by a working day or more in the specialties you lead. "
            "Click to show only these.",
            f"{count:,} escalated to you: show only those requests",
        )

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def conversation_filter(self) -> ConversationFilter:
        """The user's scope narrowed by every choice on the bar."""
        statuses = self._statuses[self.status.currentIndex()][1]
        overdue = self.overdue.isChecked()
        escalated = bool(self._led_codes) and self.escalated.isChecked()
        if overdue or escalated:
            statuses = tuple(s for s in statuses or OVERDUE_STATUSES if s in OVERDUE_STATUSES)
            statuses = statuses or NO_STATUS
        code = self.specialty.currentData()
        codes = (code,) if code else self._scope.specialty_codes
        if escalated:
            codes = tuple(c for c in codes or self._led_codes if c in self._led_codes) or ("-",)
        claim = self._claim_choice()
        due_before = self._now() if overdue else None
        if escalated:
            due_before = escalated_if_due_before(self._now())
        recent = self.status.currentText() == OPEN_AND_RECENT
        return dataclasses.replace(
            self._scope,
            statuses=statuses,
            specialty_codes=codes,
            text=self.search.text().strip(),
            overdue_at=due_before,
            claimed_by_id=self._user_id if claim is ClaimChoice.MINE else None,
            unclaimed_only=claim is ClaimChoice.UNCLAIMED,
            gp_action_needed=self._gp_actions_shown and self.action_needed.isChecked(),
            recent_since=self._now() - timedelta(days=RECENT_DAYS) if recent else None,
        )

    def _claim_choice(self) -> ClaimChoice:
        if not self._claims_shown:
            return ClaimChoice.ALL
        return ClaimChoice(self.claim.currentData() or ClaimChoice.ALL)

    def save(self, settings: QSettings) -> None:
        settings.setValue("filters/status", self.status.currentText())
        settings.setValue("filters/specialty", self.specialty.currentData() or "")
        settings.setValue("filters/overdue", self.overdue.isChecked())
        settings.setValue("filters/claim", self.claim.currentData() or ClaimChoice.ALL.value)

    def restore(self, settings: QSettings) -> None:
        """Bring back the last choices (the search text is not kept: it names a patient)."""
        status = self.status.findText(str(settings.value("filters/status", self._default_status)))
        specialty = self.specialty.findData(str(settings.value("filters/specialty", "")))
        claim = self.claim.findData(str(settings.value("filters/claim", ClaimChoice.ALL.value)))
        self.blockSignals(True)  # the list is built from these afterwards
        self.status.setCurrentIndex(max(status, 0))
        self.specialty.setCurrentIndex(max(specialty, 0))
        self.claim.setCurrentIndex(max(claim, 0))
        self.overdue.setChecked(bool(settings.value("filters/overdue", False, type=bool)))
        self.blockSignals(False)


def _show_count(badge: QPushButton, count: int, text: str, tip: str, name: str) -> None:
    """Show ``count`` on ``badge`` with its words; the badge hides at 0."""
    badge.setProperty("count", count)
    badge.setVisible(count > 0)
    if count > 0:
        badge.setText(text)
        badge.setToolTip(tip)
        badge.setAccessibleName(name)


def _group(first: QWidget, second: QWidget) -> QWidget:
    """``first`` and ``second`` side by side, kept on one line of the bar together.

    The group grows when the field does, up to the field's maximum width.
    """
    group = QWidget()
    row = QHBoxLayout(group)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(6)
    row.addWidget(first)
    row.addWidget(second, 1)
    policy = second.sizePolicy().horizontalPolicy()
    group.setSizePolicy(policy, QSizePolicy.Policy.Preferred)
    if second.maximumWidth() < QWIDGETSIZE_MAX:
        group.setMaximumWidth(second.maximumWidth() + first.sizeHint().width() + 6)
    return group
