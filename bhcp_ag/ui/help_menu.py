"""The Help menu: keyboard shortcuts, where the data is and which hub, and About.

The shortcuts are read from the window itself each time the list opens (every
``QAction`` and ``QShortcut`` that works in it, with the keys they have then), so the
list cannot drift from what the keys do: an action added later, such as View → Reports…,
is in it too. Where the data is comes from the open store (its file, and the data
folder it sits in), the hub from the composition root: its address, or "the demo hub
on this computer" when the app started one itself.
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from dataclasses import dataclass

import PySide6
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bhcp_ag import __version__
from bhcp_ag.ui.formatting import APP_DISPLAY_NAME
from bhcp_ag.ui.menus import HELP_MENU_NAME, add_menu

ANYWHERE = "Anywhere in the window"
_NATIVE = QKeySequence.SequenceFormat.NativeText


@dataclass(frozen=True)
class Shortcut:
    """One key (or keys) that does something in a window."""

    name: str
    keys: str
    where: str = ANYWHERE


@dataclass(frozen=True)
class WhereThingsAre:
    """Where the app keeps this user's data, and the hub it syncs with."""

    store_file: str
    data_folder: str
    settings_file: str
    hub: str

    def rows(self) -> list[tuple[str, str]]:
        return [
            ("Your records (the local store)", self.store_file),
            ("Data folder", self.data_folder),
            ("Window and filter settings", self.settings_file),
            ("Hub", self.hub),
        ]


def hub_description(url: str | None, *, demo: bool) -> str:
    """The hub in words: its address, the demo hub this app started, or none yet."""
    if not url:
        return "Not connected to a hub"
    return f"The demo hub on this computer ({url})" if demo else url


# --- the shortcuts a window has -----------------------------------------------------------


def window_shortcuts(window: QWidget) -> list[Shortcut]:
    """Every action and shortcut with keys that works in ``window``, in a stable order."""
    found: dict[tuple[str, str], Shortcut] = {}
    for action in window.findChildren(QAction):
        keys = _keys_text(action.shortcuts())
        if keys and _window_of(action) is window and not _button_hidden(action, keys):
            shortcut = Shortcut(_plain(action.text()), keys)
            found.setdefault((shortcut.keys, shortcut.name), shortcut)
    for key in window.findChildren(QShortcut):
        keys = _keys_text(key.keys())
        owner = key.parent()
        if keys and isinstance(owner, QWidget) and _window_of(key) is window:
            name = _shortcut_name(key, keys)
            shortcut = Shortcut(name, keys, _where(key, name))
            found.setdefault((shortcut.keys, shortcut.name), shortcut)
    return sorted(found.values(), key=lambda s: (s.name.casefold(), s.keys))


def _button_hidden(action: QAction, keys: str) -> bool:
    """True when ``action`` stands for a button (one whose ``shortcut_text`` property names
    the same keys, as the conversation panel's do) that is hidden for this user: the keys
    do nothing here (a GP has no Claim)."""
    owner = action.parent()
    if not isinstance(owner, QWidget):
        return False
    return any(
        QKeySequence(str(button.property("shortcut_text"))).toString(_NATIVE) == keys
        and button.isHidden()
        for button in owner.findChildren(QAbstractButton)
        if button.property("shortcut_text")
    )


def _keys_text(sequences: list[QKeySequence]) -> str:
    return ", ".join(text for s in sequences if (text := s.toString(_NATIVE)))


def _plain(text: str) -> str:
    """A menu or button text without its ``&`` mnemonic and trailing ellipsis."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def _window_of(item: QObject) -> QWidget | None:
    """The window whose keys reach ``item``: that of its nearest widget (a menu's owner)."""
    parent = item.parent()
    while parent is not None and (not isinstance(parent, QWidget) or isinstance(parent, QMenu)):
        parent = parent.parent()
    return parent.window() if isinstance(parent, QWidget) else None


def _shortcut_name(key: QShortcut, keys: str) -> str:
    """What a ``QShortcut`` does: its "what's this", else the button whose tooltip names
    the keys (as the composer's Send does), else a plain description."""
    if key.whatsThis():
        return key.whatsThis()
    owner = key.parent()
    for button in owner.findChildren(QAbstractButton) if isinstance(owner, QWidget) else ():
        if keys in button.toolTip():
            return _plain(button.text())
    return "Shortcut"


def _where(key: QShortcut, name: str) -> str:
    if key.context() in (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut):
        return ANYWHERE
    return f"In the box with the {name} button" if name != "Shortcut" else "In its own box"


# --- the dialogs ------------------------------------------------------------------------


class ShortcutsDialog(QDialog):
    """The window's keyboard shortcuts, as a table (name, keys, where they work)."""

    def __init__(self, shortcuts: list[Shortcut], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.table = QTableWidget(len(shortcuts), 3)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Action", "Keys", "Where"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, shortcut in enumerate(shortcuts):
            for column, text in enumerate((shortcut.name, shortcut.keys, shortcut.where)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        note = QLabel("Underlined letters in menus and buttons work with Alt.")
        note.setWordWrap(True)
        _finish(self, [self.table, note])
        self.resize(560, 420)

    @classmethod
    def show_for(cls, window: QWidget) -> ShortcutsDialog:
        """Open the list of ``window``'s shortcuts as they are now (not modal)."""
        dialog = cls(window_shortcuts(window), window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog


class FactsDialog(QDialog):
    """A few labelled facts, selectable so a path or an address can be copied."""

    def __init__(
        self, title: str, heading: str, rows: list[tuple[str, str]], parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.facts: dict[str, QLabel] = {}
        form = QFormLayout()
        for label, value in rows:
            shown = QLabel(value)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            shown.setWordWrap(True)
            shown.setAccessibleName(label)
            form.addRow(f"{label}:", shown)
            self.facts[label] = shown
        body = QWidget()
        body.setLayout(form)
        top = QLabel(heading)
        top.setWordWrap(True)
        _finish(self, [top, body], top=True)
        self.setMinimumWidth(520)

    @classmethod
    def show_for(
        cls, window: QWidget, title: str, heading: str, rows: list[tuple[str, str]]
    ) -> FactsDialog:
        dialog = cls(title, heading, rows, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog


def _finish(dialog: QDialog, widgets: list[QWidget], *, top: bool = False) -> None:
    """Lay ``widgets`` out above a Close button (kept at the ``top`` if they do not grow)."""
    layout = QVBoxLayout(dialog)
    for widget in widgets:
        layout.addWidget(widget)
    if top:
        layout.addStretch(1)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)


def about_rows(where: WhereThingsAre) -> list[tuple[str, str]]:
    return [
        ("Version", __version__),
        ("Qt for Python", PySide6.__version__),
        ("Python", platform.python_version()),
        ("Hub", where.hub),
    ]


# --- the menu ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HelpActions:
    shortcuts: QAction
    data_and_hub: QAction
    about: QAction


def add_help_menu(window: QMainWindow, where: Callable[[], WhereThingsAre]) -> HelpActions:
    """Put the Help menu, last, on ``window``'s menu bar; ``where`` is read when asked."""
    menu = add_menu(window, "&Help")
    menu.setObjectName(HELP_MENU_NAME)
    shortcuts = QAction("Keyboard &shortcuts", window)
    shortcuts.setShortcut(QKeySequence("F1"))
    shortcuts.triggered.connect(lambda: ShortcutsDialog.show_for(window))
    data = QAction("Where your &data is, and the hub…", window)
    data.triggered.connect(
        lambda: FactsDialog.show_for(
            window, "Data and hub", "This computer keeps your records here:", where().rows()
        )
    )
    about = QAction(f"&About {APP_DISPLAY_NAME}", window)
    about.setMenuRole(QAction.MenuRole.AboutRole)
    about.triggered.connect(
        lambda: FactsDialog.show_for(
            window,
            f"About {APP_DISPLAY_NAME}",
            f"{APP_DISPLAY_NAME} (bhcp-ag) for Bay Health and Care Partners: GPs ask "
            "hospital specialists for advice.",
            about_rows(where()),
        )
    )
    for action in (shortcuts, data, about):
        menu.addAction(action)
    return HelpActions(shortcuts, data, about)
