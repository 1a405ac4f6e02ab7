"""The theme: Fusion, a light or dark palette following the system, readable named colours."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from bhcp_ag.ui import theme as theme_module
from bhcp_ag.ui.theme import (
    DARK_COLOURS,
    LIGHT_COLOURS,
    Theme,
    ThemeColours,
    apply_theme,
    colours,
    is_dark,
    palette,
)

AA_CONTRAST = 4.5


def luminance(colour: QColor) -> float:
    """WCAG 2 relative luminance."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.fixture
def theme(qapp: QApplication) -> Iterator[Theme]:
    """The theme applied to the test application, then the previous look put back."""
    previous_palette, previous_style = QPalette(qapp.palette()), qapp.style().name()
    applied = apply_theme(qapp)
    yield applied
    QGuiApplication.styleHints().colorSchemeChanged.disconnect(applied.follow)
    applied.deleteLater()
    qapp.setStyle(previous_style)
    qapp.setPalette(previous_palette)


def test_unknown_and_light_schemes_are_light_and_dark_is_dark() -> None:
    assert not is_dark(Qt.ColorScheme.Unknown)
    assert not is_dark(Qt.ColorScheme.Light)
    assert is_dark(Qt.ColorScheme.Dark)
    assert colours(dark=True) is DARK_COLOURS and colours(dark=False) is LIGHT_COLOURS


def test_fusion_and_the_system_palette_are_applied(qapp: QApplication, theme: Theme) -> None:
    assert qapp.style().name().lower() == "fusion"
    system_dark = QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark
    assert theme.dark is system_dark  # offscreen says Unknown: light
    expected = palette(system_dark)
    assert qapp.palette().color(QPalette.ColorRole.Base) == expected.color(QPalette.ColorRole.Base)


def test_a_switch_of_the_system_scheme_is_followed(
    qtbot: QtBot, qapp: QApplication, theme: Theme
) -> None:
    label = QLabel("Overdue")
    qtbot.addWidget(label)
    label.show()
    hints = QGuiApplication.styleHints()
    with qtbot.waitSignal(theme.changed) as switched:
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)  # as the platform does
    assert switched.args == [True] and theme.dark and theme.colours is DARK_COLOURS
    window = qapp.palette().color(QPalette.ColorRole.Window)
    assert window.lightness() < 80
    qtbot.waitUntil(lambda: label.palette().color(QPalette.ColorRole.Window) == window)
    with qtbot.waitSignal(theme.changed):
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert not theme.dark
    assert qapp.palette().color(QPalette.ColorRole.Window).lightness() > 200


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_named_colours_and_text_are_readable_on_their_palette(dark: bool) -> None:
    scheme_palette, named = palette(dark), colours(dark)
    backgrounds = [
        scheme_palette.color(QPalette.ColorRole.Base),
        scheme_palette.color(QPalette.ColorRole.Window),
        scheme_palette.color(QPalette.ColorRole.AlternateBase),
    ]
    for field in fields(ThemeColours):
        colour = getattr(named, field.name)
        for background in backgrounds:
            assert contrast(colour, background) >= AA_CONTRAST, (field.name, background.name())
    text = scheme_palette.color(QPalette.ColorRole.Text)
    assert contrast(text, backgrounds[0]) >= 7
    highlighted = scheme_palette.color(QPalette.ColorRole.HighlightedText)
    assert contrast(highlighted, scheme_palette.color(QPalette.ColorRole.Highlight)) >= AA_CONTRAST


def test_the_module_keeps_no_application_state() -> None:
    assert not [
        name
        for name, value in vars(theme_module).items()
        if isinstance(value, Theme | QApplication)
    ]
