"""Light and dark palettes that follow the system, and the few named colours widgets use.

:func:`apply_theme` sets the Fusion style (the same look on Windows, macOS and Linux) and
a light or dark ``QPalette`` chosen from ``QStyleHints.colorScheme()`` (an unknown
scheme counts as light), and applies it again whenever the system switches. The
:class:`Theme` it returns emits ``changed`` then, for widgets that paint with
:func:`colours` (overdue red, nearly-due amber, problem, heading and muted text) rather
than the palette. Every named colour keeps at least WCAG AA contrast (4.5:1) on the
palette's window and base colours; ``tests/ui/test_theme.py`` checks it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

STYLE = "Fusion"
Group, Role = QPalette.ColorGroup, QPalette.ColorRole


@dataclass(frozen=True)
class ThemeColours:
    """Colours with a meaning, readable on the palette of the same scheme."""

    overdue: QColor
    nearly_due: QColor
    problem: QColor
    heading: QColor
    muted: QColor


LIGHT_COLOURS = ThemeColours(
    overdue=QColor("#b3261e"),
    nearly_due=QColor("#8a5300"),
    problem=QColor("#b3261e"),
    heading=QColor("#1f3a5f"),
    muted=QColor("#555555"),
)
DARK_COLOURS = ThemeColours(
    overdue=QColor("#ff8a80"),
    nearly_due=QColor("#ffc857"),
    problem=QColor("#ff8a80"),
    heading=QColor("#9ec5ff"),
    muted=QColor("#b4b4b4"),
)

_LIGHT = {
    Role.Window: "#efefef",
    Role.WindowText: "#1a1a1a",
    Role.Base: "#ffffff",
    Role.AlternateBase: "#f5f5f5",
    Role.ToolTipBase: "#ffffdc",
    Role.ToolTipText: "#1a1a1a",
    Role.PlaceholderText: "#6b6b6b",
    Role.Text: "#1a1a1a",
    Role.Button: "#e8e8e8",
    Role.ButtonText: "#1a1a1a",
    Role.BrightText: "#ffffff",
    Role.Light: "#ffffff",
    Role.Midlight: "#f3f3f3",
    Role.Mid: "#b8b8b8",
    Role.Dark: "#9f9f9f",
    Role.Shadow: "#767676",
    Role.Highlight: "#1f5fbf",
    Role.HighlightedText: "#ffffff",
    Role.Link: "#0b57d0",
    Role.LinkVisited: "#6a3ab2",
}
_DARK = {
    Role.Window: "#2b2b2b",
    Role.WindowText: "#e8e8e8",
    Role.Base: "#1e1e1e",
    Role.AlternateBase: "#262626",
    Role.ToolTipBase: "#3a3a3a",
    Role.ToolTipText: "#e8e8e8",
    Role.PlaceholderText: "#9a9a9a",
    Role.Text: "#e8e8e8",
    Role.Button: "#353535",
    Role.ButtonText: "#e8e8e8",
    Role.BrightText: "#ffffff",
    Role.Light: "#4a4a4a",
    Role.Midlight: "#3e3e3e",
    Role.Mid: "#2f2f2f",
    Role.Dark: "#1b1b1b",
    Role.Shadow: "#0f0f0f",
    Role.Highlight: "#2d66bd",
    Role.HighlightedText: "#ffffff",
    Role.Link: "#8ab4f8",
    Role.LinkVisited: "#c58af9",
}
_DISABLED_TEXT = {False: "#8c8c8c", True: "#7a7a7a"}


def is_dark(scheme: Qt.ColorScheme) -> bool:
    """Dark only when the system says so; light for light and for unknown."""
    return scheme == Qt.ColorScheme.Dark


def system_is_dark() -> bool:
    return is_dark(QGuiApplication.styleHints().colorScheme())


def palette(dark: bool) -> QPalette:
    """The light or dark palette, disabled text greyed."""
    result = QPalette()
    for role, colour in (_DARK if dark else _LIGHT).items():
        result.setColor(role, QColor(colour))
    for role in (Role.WindowText, Role.Text, Role.ButtonText):
        result.setColor(Group.Disabled, role, QColor(_DISABLED_TEXT[dark]))
    return result


def colours(dark: bool | None = None) -> ThemeColours:
    """The named colours for the dark or light scheme (default: the system's now)."""
    return DARK_COLOURS if (system_is_dark() if dark is None else dark) else LIGHT_COLOURS


class Theme(QObject):
    """Keeps the application's palette in step with the system's colour scheme."""

    changed = Signal(bool)
    """Emitted with ``dark`` after the palette was applied again."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)  # lives as long as the application
        self._app = app
        self.dark = system_is_dark()

    @Slot(Qt.ColorScheme)
    def follow(self, scheme: Qt.ColorScheme) -> None:
        """Apply the palette for ``scheme`` (connected to ``colorSchemeChanged``)."""
        self.dark = is_dark(scheme)
        self._app.setPalette(palette(self.dark))
        self.changed.emit(self.dark)

    @property
    def colours(self) -> ThemeColours:
        return colours(self.dark)


def apply_theme(app: QApplication) -> Theme:
    """Fusion style and the system's light or dark palette, following later switches."""
    app.setStyle(STYLE)
    theme = Theme(app)
    hints = QGuiApplication.styleHints()
    theme.follow(hints.colorScheme())
    hints.colorSchemeChanged.connect(theme.follow)
    return theme
