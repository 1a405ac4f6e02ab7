"""Passing a request to another specialty: which one, and a note that both the GP and the
new specialty read.

It follows the ``ask`` pattern of the other small dialogs: ``ask`` shows it modally and
returns the answer, or None when the specialist thinks better of it (with the note as it
was left, which the panel keeps for next time). No specialty is
chosen beforehand (a request must not go somewhere by default), the note is required,
and the button says what will happen.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.ui.dialogs import note_and_buttons, too_long
from bhcp_ag.ui.steady_combo import SteadyComboBox

CHOOSE = "Choose a specialty…"


@dataclass(frozen=True)
class Redirect:
    specialty_code: str
    note: str


class RedirectDialog(QDialog):
    """Where the request goes and why."""

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        catalogue: SpecialtyCatalogue,
        current_code: str,
        note: str = "",
    ) -> tuple[Redirect | None, str]:
        """The answer (None when the specialist thinks better of it), and the note as it
        was left, so that a note typed is never lost."""
        dialog = cls(catalogue, current_code, parent, note=note)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return (dialog.redirect() if accepted else None), dialog.note.toPlainText()

    def __init__(
        self,
        catalogue: SpecialtyCatalogue,
        current_code: str,
        parent: QWidget | None = None,
        *,
        note: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Pass to another specialty")
        layout = QVBoxLayout(self)
        current = catalogue.get(current_code).name if current_code in catalogue else current_code
        intro = QLabel(
            f"The request leaves the {current} queue and waits in the new specialty's, "
            "with its response target counted from now. The GP sees where it went and "
            "your note."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        label = QLabel("&Specialty:")
        self.specialty = SteadyComboBox()
        self.specialty.setAccessibleName("Specialty to pass it to")
        self.specialty.addItem(CHOOSE, None)
        others = sorted((s for s in catalogue.all() if s.tfc_code != current_code), key=str)
        for specialty in others:
            self.specialty.addItem(str(specialty), specialty.tfc_code)
        label.setBuddy(self.specialty)
        layout.addWidget(label)
        layout.addWidget(self.specialty)
        parts = note_and_buttons(
            self,
            layout,
            "&Note for the GP and the specialty (why it goes there):",
            "Note about passing it on",
            "Pass it on",
            note,
        )
        self.note, self.problem, self.ok = parts.note, parts.problem, parts.ok
        self.specialty.currentIndexChanged.connect(self._check)
        self.note.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        code = self.specialty.currentData()
        text = self.note.toPlainText()
        problem = too_long(text)
        if not problem and code is not None and not text.strip():
            problem = "Write a note: the GP and the new specialty need to know why."
        self.problem.setText(problem)
        self.ok.setEnabled(code is not None and bool(text.strip()) and not problem)
        if code is not None:
            self.ok.setText(f"Pass it to {self.specialty.currentText()}")

    def redirect(self) -> Redirect | None:
        code = self.specialty.currentData()
        if code is None or not self.note.toPlainText().strip():
            return None
        return Redirect(str(code), self.note.toPlainText())
