"""Help: the window's real shortcuts, where the data is, which hub, and the version."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QMenu, QPushButton
from pytestqt.qtbot import QtBot

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.paths import PROJECT_ROOT
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.ui.help_menu import FactsDialog, ShortcutsDialog
from bhcp_ag.ui.main_window import MainWindow
from bhcp_ag.ui.menus import add_menu
from bhcp_ag.ui.reports import add_reports_action
from tests.ui.conftest import shown_window

NATIVE = QKeySequence.SequenceFormat.NativeText


def menu_titles(window: MainWindow) -> list[str]:
    return [action.text().replace("&", "") for action in window.menuBar().actions()]


T = TypeVar("T", bound=QDialog)


def opened(qtbot: QtBot, window: MainWindow, kind: type[T], action: QAction) -> T:
    action.trigger()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(kind)))
    return next(d for d in window.findChildren(kind) if d.isVisible())


def listed_shortcuts(qtbot: QtBot, window: MainWindow) -> dict[str, str]:
    """Keys to names, as Help → Keyboard shortcuts lists them."""
    dialog = opened(qtbot, window, ShortcutsDialog, window.help_actions.shortcuts)
    table = dialog.table
    return {table.item(row, 1).text(): table.item(row, 0).text() for row in range(table.rowCount())}


def keys_of(window: MainWindow) -> set[str]:
    """Every key sequence on an action or a shortcut found in ``window``."""
    items = window.findChildren(QAction) + window.findChildren(QShortcut)
    return {
        sequence.toString(NATIVE)
        for item in items
        for sequence in (item.shortcuts() if isinstance(item, QAction) else item.keys())
        if not sequence.isEmpty()
    }


def hidden_button_keys(window: MainWindow) -> set[str]:
    """The keys of the conversation panel's buttons that this user does not have."""
    return {
        key(str(button.property("shortcut_text")))
        for button in window.panel.findChildren(QPushButton)
        if button.property("shortcut_text") and button.isHidden()
    }


def key(text: str) -> str:
    return QKeySequence(text).toString(NATIVE)


def test_the_shortcuts_list_has_every_key_the_window_answers_to(
    qtbot: QtBot, main_window: MainWindow, workspace: Workspace, organisation: Organisation
) -> None:
    add_reports_action(main_window, workspace, organisation)  # as the app does, after
    assert menu_titles(main_window) == ["File", "View", "Help"]  # Help stays last

    listed = listed_shortcuts(qtbot, main_window)
    # A GP's window has the specialist's Claim button, hidden: its keys do nothing there.
    hidden = hidden_button_keys(main_window)
    assert key("Ctrl+K") in hidden
    defined = keys_of(main_window) - hidden
    assert len(defined) >= 10
    assert defined <= set(listed), defined - set(listed)
    assert key("Ctrl+K") not in listed
    assert listed[key("Ctrl+N")] == "New advice request"
    assert listed[key("Ctrl+Shift+R")] == "Reports"
    assert listed[key("Ctrl+Return")] == "Send"
    assert listed[key("F1")] == "Keyboard shortcuts"


def test_a_specialist_finds_claim_in_the_list(
    qtbot: QtBot, specialist_workspace: Workspace, settings: QSettings, now: datetime
) -> None:
    window = shown_window(qtbot, specialist_workspace, settings, now)
    listed = listed_shortcuts(qtbot, window)
    assert listed[key("Ctrl+K")] == "Claim"
    assert keys_of(window) - hidden_button_keys(window) <= set(listed)


def test_a_menu_added_after_help_goes_before_it(main_window: MainWindow) -> None:
    add_menu(main_window, "&Tools")
    assert menu_titles(main_window)[-2:] == ["Tools", "Help"]
    help_menu = main_window.menuBar().actions()[-1].menu()
    assert isinstance(help_menu, QMenu)
    assert [a.text().replace("&", "") for a in help_menu.actions()] == [
        "Keyboard shortcuts",
        "Where your data is, and the hub…",
        "About Advice and Guidance",
    ]


def test_help_says_where_the_records_are_and_which_hub(
    qtbot: QtBot, workspace: Workspace, settings: QSettings, now: datetime
) -> None:
    window = shown_window(qtbot, workspace, settings, now, hub_url="https://ag-hub.bay.nhs.uk")
    dialog = opened(qtbot, window, FactsDialog, window.help_actions.data_and_hub)
    store_file = Path(str(workspace.store.engine.url.database)).resolve()
    assert store_file.is_file()
    facts = {label: shown.text() for label, shown in dialog.facts.items()}
    assert facts["Your records (the local store)"] == str(store_file)
    assert facts["Data folder"] == str(store_file.parent)
    assert facts["Window and filter settings"] == window._settings.fileName()
    assert facts["Hub"] == "https://ag-hub.bay.nhs.uk"


def test_the_demo_hub_is_named_as_on_this_computer(
    qtbot: QtBot, workspace: Workspace, settings: QSettings, now: datetime
) -> None:
    window = shown_window(
        qtbot, workspace, settings, now, hub_url="http://127.0.0.1:8765", demo_hub=True
    )
    dialog = opened(qtbot, window, FactsDialog, window.help_actions.data_and_hub)
    assert dialog.facts["Hub"].text() == "The demo hub on this computer (http://127.0.0.1:8765)"


def test_about_gives_the_version_the_project_declares(
    qtbot: QtBot, main_window: MainWindow
) -> None:
    declared = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["version"]
    dialog = opened(qtbot, main_window, FactsDialog, main_window.help_actions.about)
    assert dialog.windowTitle() == "About Advice and Guidance"
    assert dialog.facts["Version"].text() == declared
    assert dialog.facts["Hub"].text() == "Not connected to a hub"  # none was given
