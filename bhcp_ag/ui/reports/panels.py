"""The panels beside a report's table: headline figures, and the savings' assumptions.

A report without a breakdown has no chart; :class:`HeadlinePanel` shows its main figures
large instead. :class:`AssumptionsPanel` says what the savings figures rest on (the
tariff, a round trip to the main hospital site), whenever the report shows them.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from bhcp_ag.domain.metrics import BY_KEY
from bhcp_ag.services.reports import Report
from bhcp_ag.ui.reports.export import assumption_lines
from bhcp_ag.ui.reports.figures import figure_text, measure_title
from bhcp_ag.ui.theme import colours

HEADLINE_KEYS = (
    "conversations",
    "would_have_referred",
    "referrals_avoided",
    "avoidance_rate",
    "within_target_rate",
    "response_median",
    "overdue_now",
    "money_saved",
    "useful_rate",
    "useful_answered",
)


class HeadlinePanel(QWidget):
    """The main figures of a report with one row, in large type."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Headline figures")
        grid = QGridLayout(self)
        self.figures: dict[str, QLabel] = {}
        for position, key in enumerate(HEADLINE_KEYS):
            value = QLabel("—")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            font = value.font()
            font.setPointSizeF(font.pointSizeF() * 1.8)
            font.setBold(True)
            value.setFont(font)
            caption = QLabel(measure_title(BY_KEY[key]))
            caption.setWordWrap(True)
            row, column = divmod(position, 2)
            grid.addWidget(value, row * 2, column)
            grid.addWidget(caption, row * 2 + 1, column)
            self.figures[key] = value
        grid.setRowStretch(len(HEADLINE_KEYS) + 1, 1)

    def show_report(self, report: Report | None) -> None:
        record = report.records[0] if report is not None and len(report.records) == 1 else {}
        for key, label in self.figures.items():
            text = figure_text(BY_KEY[key], record.get(key))
            label.setText(text)
            label.setAccessibleName(f"{BY_KEY[key].label}: {text}")


class AssumptionsPanel(QGroupBox):
    """What the savings figures rest on; hidden when the report shows no savings."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Assumptions behind the savings", parent)
        self.setAccessibleName("Assumptions behind the savings")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        self.lines: list[tuple[str, str]] = []

    def show_report(self, report: Report | None) -> None:
        self.lines = assumption_lines(report) if report is not None else []
        muted = colours().muted.name()
        self.text.setText(
            "".join(
                f"<p><b>{escape(label)}</b><br/><span style='color:{muted}'>"
                f"{escape(text)}</span></p>"
                for label, text in self.lines
            )
        )
        self.text.setAccessibleName(" ".join(f"{label}: {text}" for label, text in self.lines))
        self.setVisible(bool(self.lines))
