"""A PDF read through with pypdf, object by object, and refused if it can do more than show.

A referral letter or a result needs pages, text and pictures. A PDF can also carry
JavaScript (run when it opens, ``/OpenAction``, or on a page or field, ``/AA``, or from
the document's ``/Names`` tree), actions that start a program (``/Launch``) or fetch
data (``/ImportData``, ``/SubmitForm``, ``/GoToE``), embedded files (``/EmbeddedFiles``,
``/FileAttachment`` annotations), rich media (Flash and video, ``/RichMedia``) and XFA
forms. Such a PDF is refused, and so is one that is encrypted or that pypdf cannot
read: a file that cannot be checked is not passed on.

Every object the file holds is visited, reachable from its trailer or not, through
pypdf's parser, which decodes escaped names (``/J#61vaScript`` is ``/JavaScript``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

from bhcp_ag.domain.limits import AttachmentRefused

MAX_OBJECTS = 500_000  # a 5 MB file holds far fewer; a bound on the walk all the same

# Names that mark what a clinical PDF has no need of, as keys or as values.
ACTIVE_NAMES: dict[str, str] = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/Launch": "an action that starts a program",
    "/ImportData": "an action that imports data",
    "/SubmitForm": "a form that sends its contents away",
    "/GoToE": "a link into an embedded file",
    "/EmbeddedFiles": "embedded files",
    "/EmbeddedFile": "embedded files",
    "/FileAttachment": "embedded files",
    "/RichMedia": "rich media (Flash or video)",
    "/RichMediaContent": "rich media (Flash or video)",
    "/XFA": "an XFA form",
}

_UNREADABLE = (
    "The PDF cannot be read: it is damaged or not really a PDF. Save or print it to PDF "
    "again and attach the new file."
)


class PdfRefused(AttachmentRefused):
    """A PDF that is encrypted, unreadable, or carries scripts, programs or files."""


def _children(value: PdfObject) -> Iterator[PdfObject]:
    if isinstance(value, DictionaryObject):  # a stream too: its dictionary
        for key, item in value.items():
            yield NameObject(key)
            yield item
    elif isinstance(value, ArrayObject):
        yield from value


def _all_objects(reader: PdfReader) -> Iterator[PdfObject]:
    """The trailer and every object of the file's cross-reference tables."""
    yield reader.trailer
    for generation, objects in reader.xref.items():
        for number in objects:
            yield IndirectObject(number, generation, reader)
    for number in reader.xref_objStm:
        yield IndirectObject(number, 0, reader)


def _active_content(reader: PdfReader) -> str | None:
    """What active content ``reader``'s file holds (in words), or None."""
    seen: set[tuple[int, int]] = set()
    stack: list[PdfObject | None] = list(_all_objects(reader))
    visited = 0
    while stack:
        value = stack.pop()
        if isinstance(value, IndirectObject):
            key = (value.idnum, value.generation)
            if key in seen:
                continue
            seen.add(key)
            value = value.get_object()
        if value is None:  # a reference to an object the file does not hold
            continue
        visited += 1
        if visited > MAX_OBJECTS:
            return "more objects than a document needs"
        if isinstance(value, NameObject) and str(value) in ACTIVE_NAMES:
            return ACTIVE_NAMES[str(value)]
        stack.extend(_children(value))
    return None


def check_pdf(data: bytes) -> None:
    """Accept the PDF in ``data``, or raise :class:`PdfRefused` saying why, in plain words."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise PdfRefused(
                "The PDF is password-protected (encrypted), so it cannot be checked. Save a "
                "copy without the password and attach that."
            )
        if len(reader.pages) == 0:
            raise PdfRefused(_UNREADABLE)
        found = _active_content(reader)
    except PdfRefused:
        raise
    except Exception:  # hostile input can fail in any way; unread is unchecked
        raise PdfRefused(_UNREADABLE) from None
    if found is not None:
        raise PdfRefused(
            f"The PDF cannot be attached: it contains {found}, which could run on the "
            "reader's computer. Print it to a new PDF (File, Print, Save as PDF) and attach "
            "that."
        )
