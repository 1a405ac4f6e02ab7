"""The parts of the request form: the fields every request has and the specialty's own
questions (the chooser and its note are in :mod:`bhcp_ag.ui.specialty_chooser`, the
attachments in :mod:`bhcp_ag.ui.attachment_panel`), laid out in :class:`RequestDetails`,
which waits for the specialty.

:mod:`bhcp_ag.ui.request_form` assembles them into the dialog and does the saving and
sending; these classes only lay out inputs and turn them into an
:class:`~bhcp_ag.domain.request.AdviceRequestForm` and back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence

from PySide6.QtWidgets import (
    QLabel,
    QVBoxLayout,
    QWidget,
)

from bhcp_ag.domain.conversation import ConvertAuthorisation, Priority, WouldHaveReferred
from bhcp_ag.domain.limits import PDF
from bhcp_ag.domain.patient import InvalidNhsNumber, Sex, check_nhs_number
from bhcp_ag.domain.request import TEXT_FIELDS, AdviceRequestForm
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.templates import RequestTemplate
from bhcp_ag.ui.attachment_panel import AttachmentsPanel
from bhcp_ag.ui.form_fields import (
    PROBLEM_COLOUR,
    ChoiceInput,
    DateInput,
    FieldRow,
    LineInput,
    RadioInput,
    TextInput,
    template_input,
)

PRIORITY_OPTIONS = (
    (Priority.ROUTINE.value, "Routine"),
    (Priority.URGENT.value, "Urgent"),
    (Priority.TWO_WEEK_WAIT.value, "Two-week wait (suspected cancer)"),
)
CONVERT_OPTIONS = (
    (ConvertAuthorisation.AUTHORISED_TO_CONVERT.value, "Yes, the specialist may convert it"),
    (ConvertAuthorisation.NOT_AUTHORISED_TO_CONVERT.value, "No, advice only"),
)
TEXT_HELP = {
    "question": "What do you want the specialist to advise on? One clear question is best.",
    "clinical_summary": "History, examination findings and what has been tried so far.",
    "medication": "Current medication and allergies.",
    "results": "Recent blood tests, imaging or other results that bear on the question.",
}
_TEXT_LINES = {"question": 3, "clinical_summary": 5, "medication": 3, "results": 3}


class Section(QWidget):
    """A headed part of the form; headings, not frames, keep a long form calm to read."""

    def __init__(self, title: str, widgets: Sequence[QWidget]) -> None:
        super().__init__()
        self.heading = QLabel(title)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setStyleSheet("color: #1f3a5f;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self.heading)
        for widget in widgets:
            layout.addWidget(widget)

    def set_title(self, title: str) -> None:
        self.heading.setText(title)


class TemplateSection(QWidget):
    """The chosen specialty's own questions, built from its request template.

    Choosing another specialty rebuilds the section; answers are kept by key, so a field
    the new template shares (or the old one, if the GP changes back) gets its answer back.
    A field that applies only to some answers (``shown_when``) is shown, with its label,
    only while they are given; hidden, it keeps what was put in it but gives no answer.
    """

    def __init__(self) -> None:
        super().__init__()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.rows: dict[str, FieldRow] = {}
        self.template: RequestTemplate | None = None
        self._kept: dict[str, object] = {}
        self._fields = QVBoxLayout()
        self._fields.setContentsMargins(0, 0, 0, 0)
        self._fields.setSpacing(12)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self.intro)
        layout.addLayout(self._fields)

    def show_template(self, template: RequestTemplate | None, note: str = "") -> None:
        """Replace the fields with ``template``'s (none: only ``note`` is shown)."""
        self._kept.update(self._given())  # hidden ones too: nothing put in is lost
        for row in self.rows.values():
            row.hide()
            row.deleteLater()
        self.rows = {}
        self.template = template
        self.intro.setText(template.intro if template is not None else note)
        for field in template.fields if template is not None else ():
            row = FieldRow(
                field.label, template_input(field), required=field.required, help_text=field.help
            )
            if field.key in self._kept:
                row.input.set_value(self._kept[field.key])
            self.rows[field.key] = row
            self._fields.addWidget(row)
            row.show()  # now, not when the layout gets round to it
        for field in template.fields if template is not None else ():
            if field.shown_when is not None:
                self.rows[field.shown_when.field].input.on_change(self._show_what_applies)
        self._show_what_applies()

    def _show_what_applies(self) -> None:
        given = self._given()
        for key, row in self.rows.items():
            applies = self.template is not None and self.template.applies(key, given)
            if not applies:
                row.clear_problem()  # a question not asked has nothing to put right
            row.setHidden(not applies)

    def _given(self) -> dict[str, object]:
        """Every answer in the fields, shown or not."""
        return {
            key: value
            for key, row in self.rows.items()
            if (value := row.input.value()) not in (None, "", [])
        }

    def set_answers(self, answers: Mapping[str, object]) -> None:
        """Fill in saved answers (kept too for keys the current template lacks)."""
        self._kept.update(answers)
        for key, row in self.rows.items():
            if key in answers:
                row.input.set_value(answers[key])
        self._show_what_applies()

    def answers(self) -> dict[str, object]:
        """The answers given to the current template's fields that apply (blank ones and
        those to questions not asked left out)."""
        given = self._given()
        template = self.template
        return {
            key: value for key, value in given.items() if template and template.applies(key, given)
        }

    def typed_answers(self) -> dict[str, object]:
        """The answers the GP gave, leaving out those that follow the files attached."""
        template = self.template
        follow = {f.key for f in template.fields if f.photo_answer} if template else set()
        return {key: value for key, value in self.answers().items() if key not in follow}

    def follow_photos(self, has_photo: bool) -> None:
        """Answer the photo question (if there is one) from the files: attaching a photo
        says one is attached; without one, only "no photo" can be chosen."""
        for field in self.template.fields if self.template is not None else ():
            answer, row = field.photo_answer, self.rows[field.key]
            if answer is None or not isinstance(row.input, ChoiceInput):
                continue
            row.input.allow([c for c in field.choices if (c == answer.without) != has_photo])
            current = row.input.value()
            if has_photo and current in (None, answer.without):
                row.input.set_value(answer.with_photo)
            elif not has_photo and current not in (None, answer.without):
                row.input.set_value(answer.without)

    def focus_widgets(self) -> list[QWidget]:
        return [widget for row in self.rows.values() for widget in row.input.focus_widgets]


PATIENT_KEYS = (
    "patient_nhs_number",
    "patient_family_name",
    "patient_given_name",
    "patient_birth_date",
    "patient_sex",
)


class GenericFields:
    """The rows every request has, by the form field key their problems come under."""

    def __init__(self) -> None:
        self.nhs_number = LineInput(max_length=12, placeholder="10 digits, e.g. 943 476 5919")
        self.nhs_number.edit.setMaximumWidth(220)
        self.family_name = LineInput(placeholder="As on the patient's record")
        self.given_name = LineInput(placeholder="As on the patient's record")
        for name in (self.family_name, self.given_name):
            name.edit.setMaximumWidth(320)
        self.birth_date = DateInput()
        self.sex = ChoiceInput([(sex.value, sex.label) for sex in Sex])
        self.texts = {
            key: TextInput(lines=_TEXT_LINES[key]) for key, _label, _required in TEXT_FIELDS
        }
        self.priority = RadioInput(PRIORITY_OPTIONS)
        self.priority.set_value(Priority.ROUTINE.value)
        self.would_have_referred = RadioInput([(w.value, w.label) for w in WouldHaveReferred])
        self.convert = RadioInput(CONVERT_OPTIONS)
        self.two_week_wait_refusal = QLabel()
        self.two_week_wait_refusal.setWordWrap(True)
        self.two_week_wait_refusal.setAccessibleName("Two-week wait cannot be sent")
        self.two_week_wait_refusal.setStyleSheet(
            f"color: {PROBLEM_COLOUR}; border: 1px solid {PROBLEM_COLOUR}; padding: 8px;"
        )
        self.two_week_wait_refusal.hide()
        self.template = TemplateSection()
        self.rows: dict[str, FieldRow] = {
            "patient_nhs_number": FieldRow("NHS number", self.nhs_number, required=True),
            "patient_family_name": FieldRow(
                "Family name (surname)", self.family_name, required=True
            ),
            "patient_given_name": FieldRow("Given name", self.given_name, required=True),
            "patient_birth_date": FieldRow("Date of birth", self.birth_date, required=True),
            "patient_sex": FieldRow("Sex", self.sex, required=True),
        }
        for key, label, required in TEXT_FIELDS:
            self.rows[key] = FieldRow(
                label, self.texts[key], required=required, help_text=TEXT_HELP[key]
            )
        self.rows["priority"] = FieldRow("Priority", self.priority, required=True)
        self.rows["would_have_referred"] = FieldRow(
            "Without advice, would you have referred this patient?",
            self.would_have_referred,
            required=True,
        )
        self.rows["convert_authorisation"] = FieldRow(
            "May the specialist convert this into a referral?", self.convert, required=True
        )

    def patient_rows(self) -> list[QWidget]:
        return [self.rows[key] for key in PATIENT_KEYS]

    def request_rows(self) -> list[QWidget]:
        return [self.rows[key] for key, _label, _required in TEXT_FIELDS]

    def referral_rows(self) -> list[QWidget]:
        keys = ("priority", "would_have_referred", "convert_authorisation")
        rows: list[QWidget] = [self.rows[key] for key in keys]
        return [rows[0], self.two_week_wait_refusal, *rows[1:]]

    def focus_widgets(self) -> list[QWidget]:
        generic = [w for row in self.rows.values() for w in row.input.focus_widgets]
        return generic + self.template.focus_widgets()

    def collect(self, specialty_code: str) -> AdviceRequestForm:
        """The form as typed; a valid NHS number is stored as its 10 digits."""
        nhs_number = self.nhs_number.value().strip()
        with contextlib.suppress(InvalidNhsNumber):  # else kept as typed, for the message
            nhs_number = check_nhs_number(nhs_number)
        texts = {key: text_input.value() for key, text_input in self.texts.items()}
        return AdviceRequestForm(
            specialty_code=specialty_code,
            priority=self.priority.value() or Priority.ROUTINE.value,
            patient_nhs_number=nhs_number,
            patient_family_name=self.family_name.value(),
            patient_given_name=self.given_name.value(),
            patient_birth_date=self.birth_date.date_value(),
            patient_sex=self.sex.value(),
            template_answers=self.template.answers(),
            would_have_referred=self.would_have_referred.value(),
            convert_authorisation=self.convert.value(),
            **texts,
        )

    def fill(self, form: AdviceRequestForm) -> None:
        """Show a saved form (the specialty must already be chosen)."""
        self.nhs_number.set_value(form.patient_nhs_number)
        self.family_name.set_value(form.patient_family_name)
        self.given_name.set_value(form.patient_given_name)
        self.birth_date.set_value(form.patient_birth_date)
        self.sex.set_value(form.patient_sex)
        for key, text_input in self.texts.items():
            text_input.set_value(getattr(form, key))
        self.priority.set_value(form.priority)
        self.would_have_referred.set_value(form.would_have_referred)
        self.convert.set_value(form.convert_authorisation)
        self.template.set_answers(form.template_answers)

    def has_content(self) -> bool:
        """True once anything has been typed or chosen that would be lost on closing."""
        typed = [
            self.nhs_number.value(),
            self.family_name.value(),
            self.given_name.value(),
            self.birth_date.edit.text(),
            *self._text_values(),
        ]
        chosen = [self.sex.value(), self.would_have_referred.value(), self.convert.value()]
        return any(t.strip() for t in typed) or any(chosen) or bool(self.template.answers())

    def _text_values(self) -> list[str]:
        return [text_input.value() for text_input in self.texts.values()]


class RequestDetails(QWidget):
    """Everything after the specialty, under headings; the form keeps it disabled until a
    specialty is chosen, since the questions (and the draft) depend on it."""

    def __init__(self, fields: GenericFields, attachments: AttachmentsPanel) -> None:
        super().__init__()
        self._fields = fields
        self._attachments = attachments
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(28)
        layout.addWidget(Section("Patient", fields.patient_rows()))
        layout.addWidget(Section("Request", fields.request_rows()))
        layout.addWidget(Section("Priority and referral", fields.referral_rows()))
        self.template_box = Section("Specialty questions", [fields.template])
        layout.addWidget(self.template_box)
        layout.addWidget(Section("Attachments", [attachments]))
        attachments.files_changed.connect(self._follow_photos)

    def show_specialty(self, catalogue: SpecialtyCatalogue, code: str | None) -> None:
        """Ask ``code``'s questions (None: say to choose a specialty) and photo, if any."""
        template = None
        if code is not None:
            with contextlib.suppress(OSError, ValueError):  # an unreadable one asks nothing
                template = catalogue.template(code)
        name = catalogue.get(code).short_name if code else ""
        self.template_box.set_title(f"{name} questions" if name else "Specialty questions")
        note = "Choose a specialty to see its questions." if code is None else ""
        self._fields.template.show_template(template, note or "No further questions.")
        self._attachments.set_photo_expected(template is not None and template.photo_expected)
        self._follow_photos()

    def _follow_photos(self) -> None:
        has_photo = any(tile.file.mime_type != PDF for tile in self._attachments.tiles)
        self._fields.template.follow_photos(has_photo)
