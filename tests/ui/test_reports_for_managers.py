"""The Reports window as a new practice manager finds it: words, exports and a small screen.

Each test opens the window as the demo practice manager (their own practice only) on
the demo store, as :mod:`tests.ui.test_reports_view` does, and goes through what a
manager reported: the chart's names, the printed report, where exports are saved and
what they are called, the CSV's headings, the assumptions' words and a 1024×640 screen.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.reports import Dimension
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.ui.reports.export import export_name
from bhcp_ag.ui.reports.window import ReportsWindow

from .test_reports_view import (
    choose,
    kept_until_teardown,  # noqa: F401  (an autouse fixture)
    manager,  # noqa: F401  (a fixture)
    open_for_year,
    shown,
)

FILE_NAME = re.compile(r"[\w./\\-]+\.(csv|json|py|toml|sqlite3)\b|resources/", re.IGNORECASE)
"""A file of the code's named in text meant for people."""


@pytest.fixture
def manager_reports(
    qtbot: QtBot,
    manager: Workspace,  # noqa: F811
    organisation: Organisation,
    settings: QSettings,
) -> ReportsWindow:
    """The demo practice manager's Reports window on the demo year."""
    return open_for_year(qtbot, manager, organisation, settings)


def pdf_text(path: Path) -> str:
    """The text of every page of the PDF at ``path``, its spaces folded."""
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    text = " ".join(document.getAllText(page).text() for page in range(document.pageCount()))
    document.close()
    return " ".join(text.split())


def test_the_assumptions_say_where_figures_come_from_without_naming_files(
    qtbot: QtBot, manager_reports: ReportsWindow, tmp_path: Path
) -> None:
    window = manager_reports
    choose(qtbot, window, "breakdown", Dimension.MONTH.value)
    assert window.assumptions.isVisible()
    shown_text = window.assumptions.text.text() + window.assumptions.text.accessibleName()
    assert "main roads" in shown_text
    report = shown(window)
    tips = [
        window.model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
        for column in range(len(report.columns))
    ]
    csv_path = window.export_csv(tmp_path / "report.csv")
    pdf_path = window.export_pdf(tmp_path / "report.pdf")
    assert csv_path is not None and pdf_path is not None
    for text in (shown_text, *tips, csv_path.read_text(encoding="utf-8-sig"), pdf_text(pdf_path)):
        assert FILE_NAME.search(text) is None, text


def test_exports_start_in_documents_named_for_the_period_and_scope(
    qtbot: QtBot,
    manager_reports: ReportsWindow,
    organisation: Organisation,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = manager_reports
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no user-dirs.dirs
    offered: list[str] = []

    def cancelled(_parent: object, _caption: str, where: str, _kinds: str) -> tuple[str, str]:
        offered.append(where)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", cancelled)
    qtbot.mouseClick(window.csv_button, Qt.MouseButton.LeftButton)
    practice = organisation.practice(window.report.query.practice_codes[0])  # type: ignore[union-attr]
    name = f"A&G report 2025-12-01 to 2026-11-30 - {practice.name} ({practice.code})"
    assert offered == [str(home / "Documents" / f"{name}.csv")]
    (home / "Documents").rmdir()  # no Documents folder: the home folder instead
    qtbot.mouseClick(window.pdf_button, Qt.MouseButton.LeftButton)
    assert offered[1] == str(home / f"{name}.pdf")
    assert "Saved" not in window.status.text()  # cancelled: nothing saved


def test_an_export_name_has_only_characters_every_system_allows(
    manager_reports: ReportsWindow,
) -> None:
    report = shown(manager_reports)
    name = export_name(report, 'Kendal: St Mary\'s / "North" <ICC>?*|', "csv")
    assert name == "A&G report 2025-12-01 to 2026-11-30 - Kendal- St Mary's - -North- -ICC.csv"
