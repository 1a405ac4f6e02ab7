"""Small dialogs of the conversation's end: closing it with an outcome, cancelling it.

Both follow the ``ask`` pattern (pytest-qt's note on dialogs): ``ask`` shows the dialog
modally and returns the answer, or None when the user thinks better of it. Closing asks
what happened to the patient with nothing chosen beforehand, because the answer decides
whether the conversation counts as a referral avoided; after advice it also asks whether
the advice was useful, again with nothing chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from bhcp_ag.domain.conversation import (
    REFERRAL_REASON_NEEDED,
    AdviceUseful,
    ClosingOutcome,
    Recommendation,
    TransitionRefused,
    check_closing,
)
from bhcp_ag.ui.dialogs import note_and_buttons, too_long

REFERRAL = Recommendation.REFERRAL_RECOMMENDED.value

OUTCOME_HELP = {
    ClosingOutcome.MANAGED_IN_PRIMARY_CARE: "The patient is being looked after at the practice.",
    ClosingOutcome.REFERRED: "The patient has been (or will be) referred.",
    ClosingOutcome.AWAITING_TESTS: "The practice is arranging the tests the advice suggests.",
}


@dataclass(frozen=True)
class Closing:
    """What the GP said on closing."""

    outcome: ClosingOutcome
    useful: AdviceUseful | None = None
    note: str = ""


class CloseConversationDialog(QDialog):
    """What happened to the patient (the closing outcome), whether the advice was useful
    (asked when there was advice: the reports count it per specialty) and a note."""

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        *,
        had_advice: bool = True,
        referral_recommended: bool = False,
    ) -> Closing | None:
        dialog = cls(parent, had_advice=had_advice, referral_recommended=referral_recommended)
        return dialog.closing() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        had_advice: bool = True,
        referral_recommended: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Close the conversation")
        self._referral_recommended = referral_recommended
        layout = QVBoxLayout(self)
        if referral_recommended:  # the GP must act: refer, or say why not
            warning = QLabel(REFERRAL_REASON_NEEDED)
            warning.setWordWrap(True)
            warning.setAccessibleName("The specialist recommended a referral")
            warning.setStyleSheet("font-weight: bold;")
            layout.addWidget(warning)
            self.referral_warning: QLabel | None = warning
        else:
            self.referral_warning = None
        intro = QLabel("What happened to the patient after the advice?")
        layout.addWidget(intro)
        self.choices = QButtonGroup(self)
        self.buttons: dict[ClosingOutcome, QRadioButton] = {}
        for index, outcome in enumerate(ClosingOutcome):
            button = QRadioButton(outcome.label)
            button.setAccessibleName(outcome.label)
            button.setToolTip(OUTCOME_HELP[outcome])
            self.choices.addButton(button, index)
            self.buttons[outcome] = button
            layout.addWidget(button)
        self.useful_buttons: dict[AdviceUseful, QRadioButton] = {}
        self.useful_choices = QButtonGroup(self)
        if had_advice:
            layout.addWidget(QLabel("Was the advice useful?"))
            row = QHBoxLayout()
            for index, answer in enumerate(AdviceUseful):
                button = QRadioButton(answer.label)
                button.setAccessibleName(f"Advice useful: {answer.label}")
                self.useful_choices.addButton(button, index)
                self.useful_buttons[answer] = button
                row.addWidget(button)
            row.addStretch(1)
            layout.addLayout(row)
        parts = note_and_buttons(
            self,
            layout,
            "&Note for the specialist (needed unless you referred):"
            if referral_recommended
            else "&Note for the specialist (optional):",
            "Closing note",
            "Close conversation",
        )
        self.note, self.problem, self.ok = parts.note, parts.problem, parts.ok
        self.note.setPlaceholderText("For example, what you did, or what would have helped.")
        self.choices.idToggled.connect(lambda _id, _on: self._check())
        self.useful_choices.idToggled.connect(lambda _id, _on: self._check())
        self.note.textChanged.connect(self._check)

    def _check(self) -> None:
        """Enable closing once the answers are complete; say what is missing or too long."""
        problem = too_long(self.note.toPlainText())
        if not problem and self.outcome() is not None and self.useful_buttons and not self.useful():
            problem = "Say whether the advice was useful."
        outcome = self.outcome()
        reason_missing = False
        if self._referral_recommended and outcome is not None:
            try:
                check_closing(REFERRAL, outcome, self.note.toPlainText())
            except TransitionRefused:
                reason_missing = True
                problem = problem or "Say in the note why the patient is not being referred."
        self.problem.setText(problem)
        complete = outcome is not None and (not self.useful_buttons or self.useful())
        complete = complete and not reason_missing
        self.ok.setEnabled(bool(complete) and not problem)

    def outcome(self) -> ClosingOutcome | None:
        for outcome, button in self.buttons.items():
            if button.isChecked():
                return outcome
        return None

    def useful(self) -> AdviceUseful | None:
        for answer, button in self.useful_buttons.items():
            if button.isChecked():
                return answer
        return None

    def closing(self) -> Closing | None:
        outcome = self.outcome()
        if outcome is None:
            return None
        return Closing(outcome, self.useful(), self.note.toPlainText())


class CancelRequestDialog(QDialog):
    """Withdraw a sent request, with an optional reason the specialist will see."""

    @classmethod
    def ask(cls, parent: QWidget | None) -> str | None:
        dialog = cls(parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.reason.toPlainText()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Cancel the request")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The specialist will no longer see it in their queue."))
        label = QLabel("&Reason (optional, the specialist sees it):")
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName("Reason for cancelling")
        self.reason.setTabChangesFocus(True)
        label.setBuddy(self.reason)
        layout.addWidget(label)
        layout.addWidget(self.reason)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        box.button(QDialogButtonBox.StandardButton.Ok).setText("Cancel the request")
        box.button(QDialogButtonBox.StandardButton.Cancel).setText("Keep it")
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
