"""Menus of a window's menu bar that live as long as the window.

``QMenuBar.addMenu("&File")`` returns a menu that PySide6 6.8 to 6.10 hand to Python:
once the caller drops it, the menu is deleted and its entry in the bar leads nowhere
("Internal C++ object already deleted"). A menu made here has the bar as its Qt parent,
so Qt keeps it whatever Python holds. The Help menu stays last: a menu added after it
(View, by the reports) goes before it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QMenu

HELP_MENU_NAME = "help_menu"
"""The object name of the Help menu, which is kept at the end of the bar."""


def add_menu(window: QMainWindow, title: str) -> QMenu:
    """A new menu called ``title`` at the end of ``window``'s menu bar (before Help)."""
    bar = window.menuBar()
    menu = QMenu(title, bar)
    help_menu = bar.findChild(QMenu, HELP_MENU_NAME)
    if help_menu is not None:
        bar.insertMenu(help_menu.menuAction(), menu)
    else:
        bar.addMenu(menu)
    return menu


def menu_named(window: QMainWindow, title: str) -> QMenu:
    """``window``'s menu called ``title`` (ignoring the ``&`` of its shortcut), made if new."""
    wanted = title.replace("&", "")
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and action.text().replace("&", "") == wanted:
            return menu
    return add_menu(window, title)
