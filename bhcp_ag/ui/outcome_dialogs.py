"""Small dialogs of the conversation's end: closing it with an outcome, cancelling it.

Both follow the ``ask`` pattern (pytest-qt's note on dialogs): ``ask`` shows the dialog
modally and returns the answer, or None when the user thinks better of it. Closing asks
what happened to the patient with nothing chosen beforehand, because the answer decides
whether the conversation counts as a referral avoided.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from bhcp_ag.domain.conversation import ClosingOutcome

OUTCOME_HELP = {
    ClosingOutcome.MANAGED_IN_PRIMARY_CARE: "The patient is being looked after at the practice.",
    ClosingOutcome.REFERRED: "The patient has been (or will be) referred.",
    ClosingOutcome.AWAITING_TESTS: "The practice is arranging the tests the advice suggests.",
}


class CloseConversationDialog(QDialog):
    """What happened to the patient: the conversation's closing outcome."""

    @classmethod
    def ask(cls, parent: QWidget | None) -> ClosingOutcome | None:
        dialog = cls(parent)
        return dialog.outcome() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Close the conversation")
        layout = QVBoxLayout(self)
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
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Close conversation")
        self.ok.setEnabled(False)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self.choices.idToggled.connect(
            lambda _id, _on: self.ok.setEnabled(self.outcome() is not None)
        )

    def outcome(self) -> ClosingOutcome | None:
        for outcome, button in self.buttons.items():
            if button.isChecked():
                return outcome
        return None


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
