"""Menus of a window's menu bar that live as long as the window.

``QMenuBar.addMenu("&File")`` returns a menu that PySide6 6.8 to 6.10 hand to Python:
once the caller drops it, the menu is deleted and its entry in the bar leads nowhere
("Internal C++ object already deleted"). A menu made here has the bar as its Qt parent,
so Qt keeps it whatever Python holds.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QMenu


def add_menu(window: QMainWindow, title: str) -> QMenu:
    """A new menu called ``title`` at the end of ``window``'s menu bar."""
    bar = window.menuBar()
    menu = QMenu(title, bar)
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
