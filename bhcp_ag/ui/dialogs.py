"""What the app's small dialogs share: their buttons, and a height that fits what they say.

:func:`action_buttons`: in a ``QDialog`` every push button is "auto default": the one
with focus becomes the default, the button Return presses. While a dialog is busy its
action button is disabled, focus moves on to Cancel, and Cancel stays the default after the answer
comes: a GP who had mistyped their password typed it again, pressed Return, and the
app closed (the sign-in dialog's Cancel quits it). Here only the action is ever the
default.

:func:`grow_to_fit`: a wrapped label shown in a dialog already open does not make the
dialog taller, so a long refusal was cut off after three lines, over the fields.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton


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
