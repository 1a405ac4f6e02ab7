"""File → Change password…: the signed-in user changes their own password at the hub.

The current password proves it is them; the new one is typed twice. The hub's refusals
(a wrong current password, a new one too easy to guess, too many attempts with how long
to wait) are shown in its words, in the dialog, which stays open to try again. On
success this sign-in goes on and the hub ends the user's sessions on other computers,
which the dialog says before closing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bhcp_ag.sync.engine import SyncEngine
from bhcp_ag.sync.errors import HubError, HubProblem, HubUnreachable, SignedOut
from bhcp_ag.ui.dialogs import action_buttons, grow_to_fit
from bhcp_ag.ui.sync_worker import TaskRunner
from bhcp_ag.ui.theme import colours

RULES = (
    "At least 12 characters and hard to guess: a few unrelated words make a good one. "
    "Your sessions on other computers will end."
)
DIFFERENT = "The two new passwords differ. Type the same new password twice."
CHANGED = "Your password has been changed. Your sessions on other computers have ended."
OFFLINE = "The hub cannot be reached just now, so your password was not changed."
TROUBLE = "The hub has a problem just now, so your password was not changed. Try again later."


def change_problem(error: Exception) -> str:
    """What went wrong changing the password, for the dialog to show."""
    if isinstance(error, HubUnreachable):
        return OFFLINE
    if isinstance(error, SignedOut):
        return f"{error.detail} Then change your password."
    if isinstance(error, HubError):
        return error.detail if error.status < 500 and error.detail else TROUBLE
    if isinstance(error, HubProblem):
        return error.detail
    return TROUBLE


class ChangePasswordDialog(QDialog):
    """Asks for the current password and a new one twice, and changes it at the hub."""

    @classmethod
    def ask(cls, parent: QWidget | None, *, engine: SyncEngine, tasks: TaskRunner) -> bool:
        """Show the dialog until the password is changed (True) or the user cancels."""
        dialog = cls(parent, engine=engine, tasks=tasks)
        changed = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        if changed:
            QMessageBox.information(parent, "Password changed", CHANGED)
        return changed

    def __init__(self, parent: QWidget | None, *, engine: SyncEngine, tasks: TaskRunner) -> None:
        super().__init__(parent)
        self.engine = engine
        self._tasks = tasks
        self._attempt = 0
        self.busy = False
        self.setWindowTitle("Change password — Advice and Guidance")
        self.setAccessibleName("Change password")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.current = self._password("Current password")
        self.new = self._password("New password")
        self.repeat = self._password("New password again")
        form.addRow("&Current password", self.current)
        form.addRow("&New password", self.new)
        form.addRow("New password &again", self.repeat)
        layout.addLayout(form)
        rules = QLabel(RULES)
        rules.setWordWrap(True)
        rules.setAccessibleName("Password rules")
        layout.addWidget(rules)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Password problem")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setStyleSheet(f"color: {colours().problem.name()};")
        self.message.hide()
        layout.addWidget(self.message)
        self.change_button = QPushButton("C&hange password")
        self.change_button.setAccessibleName("Change password")
        cancel = QPushButton("Cancel")
        cancel.setAccessibleName("Cancel")
        buttons = action_buttons(self.change_button, cancel)
        self.change_button.clicked.connect(self._change_clicked)
        cancel.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def _password(self, name: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setAccessibleName(name)
        edit.setMaxLength(1024)
        return edit

    def _change_clicked(self) -> None:
        current, new = self.current.text(), self.new.text()
        if not current or not new:
            self._say("Type your current password and the new one.")
            (self.new if current else self.current).setFocus()
            return
        if new != self.repeat.text():
            self._say(DIFFERENT)
            self.repeat.clear()
            self.repeat.setFocus()
            return
        self._set_busy(True)
        self._attempt += 1
        attempt = self._attempt
        self._tasks.run(
            lambda: self.engine.change_password(current, new),
            lambda _none: self._changed(attempt),
            lambda error: self._failed(attempt, error),
        )

    def _changed(self, attempt: int) -> None:
        if attempt == self._attempt:
            self._set_busy(False)
            self.accept()

    def _failed(self, attempt: int, error: Exception) -> None:
        if attempt != self._attempt:
            return
        self._set_busy(False)
        self._say(change_problem(error))
        if isinstance(error, HubError) and error.code == "wrong_password":
            self.current.clear()
            self.current.setFocus()
        else:
            self.new.setFocus()
            self.new.selectAll()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        grow_to_fit(self)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (self.change_button, self.current, self.new, self.repeat):
            widget.setEnabled(not busy)
        if busy:
            self.message.hide()

    def reject(self) -> None:
        self._attempt += 1  # an answer still on its way is ignored
        super().reject()
