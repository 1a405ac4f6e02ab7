"""A dialog's action and Cancel buttons, with Return always meaning the action.

In a ``QDialog`` every push button is "auto default": the one with focus becomes the
default, the button Return presses. While a dialog is busy its action button is
disabled, focus moves on to Cancel, and Cancel stays the default after the answer
comes: a GP who had mistyped their password typed it again, pressed Return, and the
app closed (the sign-in dialog's Cancel quits it). Here only the action is ever the
default.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QPushButton


def action_buttons(action: QPushButton, cancel: QPushButton) -> QDialogButtonBox:
    """``action`` and ``cancel`` in a button box; Return presses ``action``, never Cancel."""
    box = QDialogButtonBox()
    for button in (action, cancel):
        button.setAutoDefault(False)
    action.setDefault(True)
    box.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
    box.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
    return box
