"""The request form's specialty chooser, completed by name or code, and the note under it.

A draft is filed under a specialty, so the form asks for it first
(:data:`CHOOSE_FIRST`); :class:`SpecialtyNote` says so, and later names the specialty a
draft stays under while the chooser is clear.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QStringListModel, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QLabel, QLineEdit, QMessageBox, QWidget

from bhcp_ag.domain.specialties import Specialty, SpecialtyCatalogue
from bhcp_ag.ui.form_fields import FieldInput
from bhcp_ag.ui.steady_combo import SteadyComboBox


def specialty_text(specialty: Specialty) -> str:
    """``Dermatology (330)``: how a specialty is listed in the chooser."""
    return f"{specialty.short_name} ({specialty.tfc_code})"


class SpecialtyChooser(SteadyComboBox):
    """An editable list of specialties, completed by name or code as the GP types."""

    specialty_changed = Signal()

    def __init__(self, catalogue: SpecialtyCatalogue) -> None:
        super().__init__()
        self._catalogue = catalogue
        self.setEditable(True)
        self.edit = QLineEdit()
        self.setLineEdit(self.edit)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.addItem("", None)
        for specialty in catalogue.all():
            self.addItem(specialty_text(specialty), specialty.tfc_code)
        self.edit.setPlaceholderText("Type a specialty's name or code, e.g. derm or 330")
        self.setMaximumWidth(420)
        self._matches = QStringListModel(self)
        # Suggestions ranked by the catalogue's own search, so the list is shown unfiltered.
        self._completer = QCompleter(self._matches, self)
        self._completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._completer.activated.connect(self._pick_text)
        self.setCompleter(self._completer)
        self.edit.textEdited.connect(self._suggest)
        self.edit.editingFinished.connect(lambda: self._pick_text(self.currentText()))
        self.currentIndexChanged.connect(lambda _index: self.specialty_changed.emit())

    def code(self) -> str | None:
        """The chosen specialty's code; None when the text names none."""
        text = self.currentText()
        if text and text == self.itemText(self.currentIndex()):
            return self.currentData()
        found = self._resolve(text)
        return found.tfc_code if found is not None else None

    def choose(self, code: str | None) -> None:
        self.setCurrentIndex(max(self.findData(code), 0) if code else 0)

    def as_input(self) -> FieldInput:
        return _SpecialtyInput(self)

    def _suggest(self, text: str) -> None:
        self._matches.setStringList([specialty_text(s) for s in self._catalogue.search(text)])
        if text.strip():
            self._completer.complete()

    def _pick_text(self, text: str) -> None:
        found = self._resolve(text)
        if found is not None:
            self.choose(found.tfc_code)
            # The listing of what is chosen now: the form may have kept the old specialty.
            self.setEditText(self.itemText(self.currentIndex()))

    def _resolve(self, text: str) -> Specialty | None:
        """The one specialty ``text`` names: its listing, code or name, or a unique match."""
        wanted = text.strip()
        if not wanted:
            return None
        for specialty in self._catalogue.all():
            names = (specialty_text(specialty), specialty.tfc_code, specialty.short_name)
            if wanted.casefold() in (name.casefold() for name in (*names, specialty.name)):
                return specialty
        matches = self._catalogue.search(wanted)
        return matches[0] if len(matches) == 1 else None


class _SpecialtyInput(FieldInput):
    def __init__(self, chooser: SpecialtyChooser) -> None:
        self.chooser = chooser
        self.widget = chooser
        self.focus_widgets = [chooser]

    def value(self) -> str | None:
        return self.chooser.code()

    def set_value(self, value: object) -> None:
        self.chooser.choose(value if isinstance(value, str) else None)

    def on_change(self, callback: Callable[[], None]) -> None:
        self.chooser.specialty_changed.connect(callback)

    def set_accessible_name(self, name: str) -> None:
        super().set_accessible_name(name)
        self.chooser.edit.setAccessibleName(name)  # the text box inside takes the keys

    def describe(self, text: str) -> None:
        super().describe(text)
        self.chooser.edit.setAccessibleDescription(text)


def confirm_change(
    parent: QWidget, catalogue: SpecialtyCatalogue, old: str, new: str, answered: Iterable[str]
) -> bool:
    """True unless changing specialty ``old`` to ``new`` sets aside some of ``answered``
    (the keys of ``old``'s questions answered) and the GP, asked, says no."""
    try:
        asked = {field.key for field in catalogue.template(new).fields}
    except (OSError, ValueError):  # an unreadable template asks nothing
        asked = set()
    set_aside = [key for key in answered if key not in asked]
    if not set_aside:
        return True
    old_name = catalogue.get(old).short_name if old in catalogue else old  # since retired
    return may_set_aside(parent, old_name, catalogue.get(new).short_name, len(set_aside))


def may_set_aside(parent: QWidget, old: str, new: str, answered: int) -> bool:
    """Ask before a change of specialty sets aside ``answered`` answers to ``old``'s own
    questions (those ``new`` does not ask); True to change, False to keep ``old``."""
    questions = "question" if answered == 1 else f"{answered} questions"
    answer = QMessageBox.question(
        parent,
        "Change the specialty?",
        f"Change this request from {old} to {new}?\n\nYour answers to {old}'s {questions} "
        f"will be set aside: {new} does not ask them and they are not sent. To get them "
        f"back, choose {old} again before closing this form; once it is closed they are "
        "lost.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


CHOOSE_FIRST = "Choose the specialty first: the form then asks what it needs."


class SpecialtyNote(QLabel):
    """The note under the specialty chooser while no specialty is chosen.

    Before the first choice it says to choose one (the rest of the form waits for it);
    with the chooser cleared afterwards, it names the specialty the draft is still kept
    under, so clearing the chooser never loses what was typed.
    """

    def __init__(self) -> None:
        super().__init__(CHOOSE_FIRST)
        self.setWordWrap(True)
        self.setAccessibleName("About the specialty")
        self.setStyleSheet(
            "background: palette(alternate-base); border-left: 4px solid palette(highlight);"
            " padding: 8px 10px;"
        )

    def show_for(self, chosen: bool, kept_under: str | None) -> str:
        """Show what the GP needs to know (nothing once ``chosen``); returns the text.

        ``kept_under`` is the name of the last specialty chosen, None before the first.
        """
        text = ""
        if not chosen:
            text = CHOOSE_FIRST
            if kept_under is not None:
                text = (
                    f"No specialty chosen: the draft stays under {kept_under} (with its "
                    "questions) until you choose another."
                )
        self.setText(text)
        self.setAccessibleDescription(text)
        self.setVisible(bool(text))
        return text
