"""The inputs of the request form, and the factory that builds a template field's input.

Every input is a :class:`FieldInput`: the widget to lay out, the widgets that take focus
(in tab order), the answer as the services want it, and problems that can be seen
without asking them (a date that is not a date). :class:`FieldRow` puts an input under
its label, with the problem message directly below it.

Nothing pre-selects an answer the GP must give: choices start blank and radio buttons
start with none checked, so a default is never sent because nobody looked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QLocale, QRegularExpression, Qt
from PySide6.QtGui import QColor, QDoubleValidator, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from bhcp_ag.domain.limits import MAX_TEXT_CHARS
from bhcp_ag.domain.templates import (
    FieldType,
    TemplateField,
    parse_date,
    parse_number,
)
from bhcp_ag.ui.inline_message import InlineMessage
from bhcp_ag.ui.steady_combo import SteadyComboBox

PROBLEM_COLOUR = "#b3261e"
HINT_STYLE = "color: palette(placeholder-text);"
_DATE_PATTERN = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")

Options = Sequence[tuple[str, str]]
"""(value, label) pairs of a choice, in the order shown."""


def parse_uk_date(text: str) -> date | None:
    """``23/11/2026`` (or ``3/1/2026``) as a date; None when it is not a real date."""
    match = _DATE_PATTERN.match(text.strip())
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


class FieldInput:
    """An input for one answer. Subclasses set ``widget`` and ``focus_widgets``."""

    widget: QWidget
    focus_widgets: list[QWidget]
    help_inside = False  # True where the help can be the input's placeholder text
    refused_keys_message: str | None = None  # said when a key the input drops is typed

    def value(self) -> object:
        raise NotImplementedError

    def set_value(self, value: object) -> None:
        raise NotImplementedError

    def on_change(self, callback: Callable[[], None]) -> None:
        raise NotImplementedError

    def local_problem(self) -> str | None:
        """A problem visible without the services (an unreadable date), or None."""
        return None

    def set_help(self, text: str) -> None:
        """Help as tooltip and accessible description (and placeholder where there is one)."""
        for widget in self.focus_widgets:
            widget.setToolTip(text)
            widget.setAccessibleDescription(text)

    def set_accessible_name(self, name: str) -> None:
        self.widget.setAccessibleName(name)
        self.focus_widgets[0].setAccessibleName(name)

    def describe(self, text: str) -> None:
        """What a screen reader says after the name: the help, or the problem shown."""
        for widget in self.focus_widgets:
            widget.setAccessibleDescription(text)


class _OneLine(FieldInput):
    """The line edit under the one-line inputs: text, numbers and dates."""

    def __init__(self, max_length: int | None = None, placeholder: str = "") -> None:
        self.edit = QLineEdit()
        if max_length:
            self.edit.setMaxLength(max_length)
        self.edit.setPlaceholderText(placeholder)
        self.widget = self.edit
        self.focus_widgets = [self.edit]

    def value(self) -> object:
        return self.edit.text()

    def set_value(self, value: object) -> None:
        self.edit.setText("" if value is None else str(value))

    def on_change(self, callback: Callable[[], None]) -> None:
        self.edit.textChanged.connect(lambda _text: callback())

    def set_help(self, text: str) -> None:
        super().set_help(text)
        if self.help_inside:
            self.edit.setPlaceholderText(text)


class LineInput(_OneLine):
    """One line of text."""

    help_inside = True

    def value(self) -> str:
        return self.edit.text()


class TextInput(FieldInput):
    """Several lines of text with a live ``123 / 8,000`` count that turns red over the limit."""

    help_inside = True

    def __init__(self, limit: int = MAX_TEXT_CHARS, lines: int = 4) -> None:
        self.limit = limit
        self.edit = QPlainTextEdit()
        self.edit.setTabChangesFocus(True)  # Tab moves on, as in every other input
        margins = 2 * (self.edit.document().documentMargin() + self.edit.frameWidth()) + 4
        self.edit.setFixedHeight(round(self.edit.fontMetrics().lineSpacing() * lines + margins))
        self.counter = QLabel()
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.widget = QWidget()
        layout = QVBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.counter)
        self.focus_widgets = [self.edit]
        self.edit.textChanged.connect(self._count)
        self._count()

    def _count(self) -> None:
        used = len(self.edit.toPlainText())
        self.counter.setText(f"{used:,} / {self.limit:,}")
        over = used > self.limit
        self.counter.setStyleSheet(f"color: {PROBLEM_COLOUR};" if over else HINT_STYLE)

    @property
    def over_limit(self) -> bool:
        return len(self.edit.toPlainText()) > self.limit

    def value(self) -> str:
        return self.edit.toPlainText()

    def set_value(self, value: object) -> None:
        self.edit.setPlainText("" if value is None else str(value))

    def on_change(self, callback: Callable[[], None]) -> None:
        self.edit.textChanged.connect(callback)

    def set_help(self, text: str) -> None:
        super().set_help(text)
        self.edit.setPlaceholderText(text)

    def set_accessible_name(self, name: str) -> None:
        super().set_accessible_name(name)
        self.counter.setAccessibleName(f"Characters used in {name}")


class ChoiceInput(FieldInput):
    """One of several options, in a drop-down list whose first entry is blank."""

    def __init__(self, options: Options) -> None:
        self.combo = SteadyComboBox()
        self.combo.setMaximumWidth(420)  # a full-width drop-down reads as a text box
        self.combo.addItem("", None)
        for value, label in options:
            self.combo.addItem(label, value)
        self.widget = self.combo
        self.focus_widgets = [self.combo]

    def value(self) -> str | None:
        return self.combo.currentData()

    def set_value(self, value: object) -> None:
        index = self.combo.findData(value) if isinstance(value, str) else -1
        self.combo.setCurrentIndex(max(index, 0))

    def allow(self, values: Sequence[str]) -> None:
        """Let only ``values`` (and the blank entry) be chosen; the others are greyed."""
        model = self.combo.model()
        for index in range(1, self.combo.count()):
            item = model.item(index)  # type: ignore[attr-defined]
            item.setEnabled(self.combo.itemData(index) in values)

    def on_change(self, callback: Callable[[], None]) -> None:
        self.combo.currentIndexChanged.connect(lambda _index: callback())


class _ButtonGroupInput(FieldInput):
    """Several buttons answering one question: the group takes the question as its name,
    and each button keeps its own label as its name."""

    def set_accessible_name(self, name: str) -> None:
        self.widget.setAccessibleName(name)

    def set_help(self, text: str) -> None:
        super().set_help(text)
        self.widget.setAccessibleDescription(text)


class RadioInput(_ButtonGroupInput):
    """One of a few options as radio buttons, none checked until the GP chooses."""

    def __init__(self, options: Options, vertical: bool = False) -> None:
        self.widget = QWidget()
        layout = QVBoxLayout(self.widget) if vertical else QHBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4 if vertical else 18)
        self.group = QButtonGroup(self.widget)
        self.buttons: dict[str, QRadioButton] = {}
        for value, label in options:
            button = QRadioButton(label)
            self.group.addButton(button)
            self.buttons[value] = button
            layout.addWidget(button)
        if not vertical:
            layout.addStretch(1)
        self.focus_widgets = list(self.buttons.values())

    def value(self) -> str | None:
        return next((value for value, b in self.buttons.items() if b.isChecked()), None)

    def set_value(self, value: object) -> None:
        if isinstance(value, bool):
            value = "yes" if value else "no"
        text = "" if value is None else str(value)
        button = self.buttons.get(text) or self.buttons.get(text.lower())  # "Yes" as "yes"
        if button is not None:
            button.setChecked(True)
            return
        self.group.setExclusive(False)  # an exclusive group cannot uncheck its last button
        for each in self.buttons.values():
            each.setChecked(False)
        self.group.setExclusive(True)

    def on_change(self, callback: Callable[[], None]) -> None:
        self.group.buttonToggled.connect(lambda *_: callback())


class MultiChoiceInput(_ButtonGroupInput):
    """Any number of options, as check boxes in columns."""

    COLUMNS = 3

    def __init__(self, choices: Sequence[str]) -> None:
        self.widget = QWidget()
        layout = QGridLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(18)
        layout.setVerticalSpacing(4)
        self.boxes: dict[str, QCheckBox] = {}
        for position, choice in enumerate(choices):
            box = QCheckBox(choice)
            self.boxes[choice] = box
            layout.addWidget(box, position // self.COLUMNS, position % self.COLUMNS)
        layout.setColumnStretch(self.COLUMNS, 1)
        self.focus_widgets = list(self.boxes.values())

    def value(self) -> list[str]:
        return [choice for choice, box in self.boxes.items() if box.isChecked()]

    def set_value(self, value: object) -> None:
        chosen = set(value) if isinstance(value, list | tuple | set) else set()
        for choice, box in self.boxes.items():
            box.setChecked(choice in chosen)

    def on_change(self, callback: Callable[[], None]) -> None:
        for box in self.boxes.values():
            box.toggled.connect(lambda *_: callback())


class NumberInput(_OneLine):
    """A number, with its unit shown after the box."""

    help_inside = False
    refused_keys_message = (
        "Only a number goes here: digits, with a point for a decimal (for example 7.5)."
    )

    def __init__(self, unit: str | None = None) -> None:
        super().__init__(max_length=20)
        validator = QDoubleValidator(self.edit)
        validator.setLocale(QLocale.c())
        validator.setNotation(QDoubleValidator.Notation.StandardNotation)
        self.edit.setValidator(validator)
        self.edit.setMaximumWidth(140)
        self.widget = QWidget()
        layout = QHBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        if unit:
            layout.addWidget(QLabel(unit))
        layout.addStretch(1)

    def value(self) -> object:
        """The number (an int when whole); the text as typed when it is not a number yet."""
        text = self.edit.text().strip()
        number = parse_number(text) if text else None
        if number is None:
            return text or None
        return int(number) if number.is_integer() and "." not in text else number

    def local_problem(self) -> str | None:
        text = self.edit.text().strip()
        if text and parse_number(text) is None:
            return "Enter a number, for example 12 or 7.5."
        return None


class DateInput(_OneLine):
    """A date typed as dd/mm/yyyy: blank until entered, so no default date is ever sent."""

    FORMAT_HINT = "dd/mm/yyyy"
    help_inside = False
    refused_keys_message = "Type the date in digits, day/month/year (for example 14/03/1958)."

    def __init__(self) -> None:
        super().__init__(max_length=10, placeholder=self.FORMAT_HINT)
        pattern = QRegularExpression(r"[0-9/]{0,10}")
        self.edit.setValidator(QRegularExpressionValidator(pattern, self.edit))
        self.edit.setMaximumWidth(140)

    def date_value(self) -> date | None:
        return parse_uk_date(self.edit.text())

    def value(self) -> str | None:
        """ISO ``YYYY-MM-DD`` for a real date; otherwise the text as typed (never lost)."""
        day = self.date_value()
        if day is not None:
            return day.isoformat()
        return self.edit.text().strip() or None

    def set_value(self, value: object) -> None:
        day = parse_date(value)
        if day is not None:
            self.edit.setText(f"{day:%d/%m/%Y}")
        else:
            super().set_value(value)

    def local_problem(self) -> str | None:
        if self.edit.text().strip() and self.date_value() is None:
            return "Write the date as dd/mm/yyyy, for example 03/11/2026."
        return None


YES_NO: Options = (("yes", "Yes"), ("no", "No"))


def template_input(field: TemplateField) -> FieldInput:
    """The input for one field of a specialty's request template."""
    match field.type:
        case FieldType.TEXT:
            return LineInput(max_length=field.max_length)
        case FieldType.LONGTEXT:
            return TextInput(limit=field.max_length or MAX_TEXT_CHARS, lines=3)
        case FieldType.CHOICE:
            return ChoiceInput([(choice, choice) for choice in field.choices])
        case FieldType.MULTICHOICE:
            return MultiChoiceInput(field.choices)
        case FieldType.NUMBER:
            return NumberInput(field.unit)
        case FieldType.DATE:
            return DateInput()
        case FieldType.YESNO:
            return RadioInput(YES_NO)
    raise ValueError(f"No input for template field type {field.type!r}.")


class FieldRow(QWidget):
    """A labelled input with its problem message, in red, directly beneath it."""

    def __init__(
        self, label: str, field_input: FieldInput, *, required: bool, help_text: str = ""
    ) -> None:
        super().__init__()
        self.name = label
        self.input = field_input
        self.label = QLabel(f"{label} *" if required else label)
        self.label.setWordWrap(True)
        self.label.setBuddy(field_input.focus_widgets[0])
        self.label.setStyleSheet("font-weight: 600;")
        field_input.set_accessible_name(label)
        self.problem = InlineMessage(QColor(PROBLEM_COLOUR))
        self.problem.setAccessibleName(f"Problem with {label}")
        self._help = help_text
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.label)
        if help_text:
            field_input.set_help(help_text)
            if not field_input.help_inside:
                layout.addWidget(_hint(help_text))
        layout.addWidget(field_input.widget)
        layout.addWidget(self.problem)
        refused = field_input.refused_keys_message
        if isinstance(field_input, _OneLine) and refused:
            # A key the field cannot take is dropped by its validator: say why, at once.
            field_input.edit.inputRejected.connect(lambda: self.show_problem(refused))

    def show_problem(self, message: str) -> None:
        self.problem.say(message)
        self.input.describe(message)

    def clear_problem(self) -> None:
        self.problem.say("")
        self.input.describe(self._help)

    def set_description(self, text: str) -> None:
        """Change what a screen reader says about the input (a shown problem comes first)."""
        self._help = text
        if not self.has_problem:
            self.input.describe(text)

    @property
    def has_problem(self) -> bool:
        return bool(self.problem.text())

    def focus(self) -> None:
        self.input.focus_widgets[0].setFocus(Qt.FocusReason.OtherFocusReason)


def _hint(text: str) -> QLabel:
    hint = QLabel(text)
    hint.setWordWrap(True)
    hint.setStyleSheet(HINT_STYLE)
    return hint
