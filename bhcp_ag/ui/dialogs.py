"""What the app's small dialogs share: their buttons, and a height that fits what they say.

:func:`action_buttons`: in a ``QDialog`` every push button is "auto default": the one
with focus becomes the default, the button Return presses. While a dialog is busy its
action button is disabled, focus moves on to Cancel, and Cancel stays the default after the answer
comes: a GP who had mistyped their password typed it again, pressed Return, and the
app closed (the sign-in dialog's Cancel quits it). Here only the action is ever the
default.

:func:`note_and_buttons`: a dialog that ends with a note, a line for what is missing
(its height kept, so nothing moves when it appears) and its action.

:func:`grow_to_fit`: a wrapped label shown in a dialog already open does not make the
dialog taller, so a long refusal was cut off after three lines, over the fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from bhcp_ag.domain.limits import MAX_TEXT_CHARS


def action_buttons(action: QPushButton, cancel: QPushButton) -> QDialogButtonBox:
    """``action`` and ``cancel`` in a button box; Return presses ``action``, never Cancel."""
    box = QDialogButtonBox()
    for button in (action, cancel):
        button.setAutoDefault(False)
    action.setDefault(True)
    box.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
    box.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
    return box


def grow_to_fit(dialog: QDialog) -> None:
    """Make ``dialog`` tall enough for all it now shows, at its present width."""
    layout = dialog.layout()
    if layout is not None:
        layout.activate()
        height = layout.totalHeightForWidth(dialog.width())
        if height > dialog.height():
            dialog.resize(dialog.width(), height)


@dataclass(frozen=True)
class NoteParts:
    note: QPlainTextEdit
    problem: QLabel
    ok: QPushButton


def note_and_buttons(
    dialog: QDialog,
    layout: QVBoxLayout,
    label: str,
    accessible_name: str,
    action_text: str,
    note: str = "",
) -> NoteParts:
    """Add a note (``label`` with its mnemonic), a problem line and the buttons (the action
    disabled until the dialog enables it) to the end of ``dialog``'s ``layout``."""
    note_label = QLabel(label)
    editor = QPlainTextEdit(note)
    editor.setAccessibleName(accessible_name)
    editor.setTabChangesFocus(True)
    note_label.setBuddy(editor)
    layout.addWidget(note_label)
    layout.addWidget(editor)
    problem = QLabel("")
    problem.setWordWrap(True)
    problem.setMinimumHeight(problem.fontMetrics().lineSpacing())
    layout.addWidget(problem)
    ok = QPushButton(action_text)
    ok.setEnabled(False)
    box = action_buttons(ok, QPushButton("Cancel"))
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    layout.addWidget(box)
    return NoteParts(editor, problem, ok)


def too_long(text: str, what: str = "The note") -> str:
    """Why ``text`` cannot be sent for its length, or ""."""
    over = len(text) - MAX_TEXT_CHARS
    if over <= 0:
        return ""
    return f"{what} is {over:,} characters too long (at most {MAX_TEXT_CHARS:,})."
