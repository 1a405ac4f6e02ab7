"""The place a Bay-wide report covers: the whole Bay, a network, an ICC or a practice.

An administrator reports on the whole Bay; :class:`PlaceFilter` narrows a report to one
clinical network, one ICC (Integrated Care Community) or one GP practice. The list
follows the Bay's structure: each network, its ICCs indented beneath it, and each ICC's
practices beneath those. A network or an ICC stands for all its practices
(:meth:`PlaceFilter.practice_codes`), so the report covers exactly those.

With 47 practices, the box takes typing: part of a name or a practice code ("ulver",
"BAY013", "kendal") offers the places whose names contain it, and Enter (or leaving the
box) chooses the first of them; the arrow keys step through the list as in any combo box.
Text that names no place puts the chosen place back. Each place has a key saying what it
is (``network:FP``, ``icc:KEN``, ``practice:BAY013``; "" for the whole Bay), which is what
the Reports view remembers: a key the organisation no longer has is never on offer.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from bhcp_ag.domain.organisation import Organisation

WHOLE_BAY = "Whole Bay"
DEPTH_ROLE = Qt.ItemDataRole.UserRole + 1
"""How far a place is indented in the list: 0 the Bay and networks, 1 ICCs, 2 practices."""
INDENT = "    "
"""The indentation of one level in the list (spaces, so the names read on)."""


@dataclass(frozen=True)
class Place:
    """One choice of the filter: what it is called, and the practices it covers."""

    key: str
    label: str
    depth: int
    practice_codes: tuple[str, ...]
    """The practices it covers; () for the whole Bay (no filter)."""
    within: str = ""
    """Where it sits, in words ("Kendal ICC, South Lakeland network"), for a tooltip."""


def places(organisation: Organisation) -> list[Place]:
    """The whole Bay, then each network with its ICCs, each ICC with its practices (by
    name)."""
    found = [Place("", WHOLE_BAY, 0, ())]
    for network in organisation.networks:
        iccs = organisation.iccs_in(network.code)
        members = {icc.code: organisation.practices_in(icc.code) for icc in iccs}
        every = tuple(p.code for p in organisation.practices_in_network(network.code))
        found.append(Place(f"network:{network.code}", f"{network.name} network", 0, every))
        for icc in iccs:
            codes = tuple(p.code for p in members[icc.code])
            practices = sorted(members[icc.code], key=lambda p: p.name)
            label = f"{icc.name} ICC ({network.name})"
            where = f"{network.name} network"
            found.append(Place(f"icc:{icc.code}", label, 1, codes, where))
            where = f"{icc.name} ICC, {network.name} network"
            found += [
                Place(f"practice:{p.code}", f"{p.name} ({p.code})", 2, (p.code,), where)
                for p in practices
            ]
    return found


class _Indented(QStyledItemDelegate):
    """Draws each place indented by its depth; the names themselves stay unindented, so
    typing finds them."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        depth = index.data(DEPTH_ROLE)
        if isinstance(depth, int) and depth > 0:
            option.text = INDENT * depth + option.text  # type: ignore[attr-defined]


class PlaceFilter(QComboBox):
    """Whole Bay, a network, an ICC or a practice; type part of a name to find one."""

    def __init__(
        self, organisation: Organisation, name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._places = places(organisation)
        self.setEditable(True)
        self.edit = QLineEdit()
        self.setLineEdit(self.edit)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setAccessibleName(name)
        self.edit.setAccessibleName(name)  # the text box inside takes the keys
        self.edit.setPlaceholderText("Type a network, ICC or practice")
        self.setToolTip(
            "Report on the whole Bay, a network, an ICC or one practice; type part of a "
            "name or a practice code to find it"
        )
        bold = QFont(self.font())
        bold.setBold(True)
        for row, place in enumerate(self._places):
            self.addItem(place.label, place.key)
            self.setItemData(row, place.depth, DEPTH_ROLE)
            if place.within:
                self.setItemData(row, place.within, Qt.ItemDataRole.ToolTipRole)
            if place.depth == 0:
                self.setItemData(row, bold, Qt.ItemDataRole.FontRole)
        self.setItemDelegate(_Indented(self))
        self.setMaxVisibleItems(20)
        self.view().setMinimumWidth(self._widest_line())
        completer = QCompleter(self.model(), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(12)
        self.setCompleter(completer)
        completer.activated.connect(self.choose_text)  # a suggestion clicked
        self.edit.editingFinished.connect(lambda: self.choose_text(self.currentText()))

    def _widest_line(self) -> int:
        """Room for the longest indented name in the list, so none is cut short."""
        metrics = self.view().fontMetrics()
        widest = max(metrics.horizontalAdvance(INDENT * p.depth + p.label) for p in self._places)
        return widest + 4 * metrics.averageCharWidth()

    def place(self) -> Place:
        """The place chosen (whatever is half typed in the box)."""
        return self._places[max(self.currentIndex(), 0)]

    def key(self) -> str:
        return self.place().key

    def practice_codes(self) -> tuple[str, ...]:
        """The practices the chosen place covers; () for the whole Bay."""
        return self.place().practice_codes

    def choose_key(self, key: str) -> bool:
        """Choose the place with ``key``; False (and no change) when it is not on offer."""
        row = self.findData(key)
        if row < 0:
            return False
        self.setCurrentIndex(row)
        self.setEditText(self.itemText(row))
        return True

    def choose_text(self, text: str) -> None:
        """Choose the place ``text`` names: its whole name, or else the first place whose
        name contains it (as the list of suggestions shows them); nothing typed is the
        whole Bay. Text that names no place puts the chosen place back in the box."""
        wanted = text.strip().casefold()
        labels = [place.label.casefold() for place in self._places]
        if wanted in labels:
            row = labels.index(wanted)
        else:
            row = next((r for r, label in enumerate(labels) if wanted in label), -1)
        self.choose_key(self._places[row].key if row >= 0 else self.key())
