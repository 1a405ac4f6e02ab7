"""The national limits on what an advice conversation may carry, and the checks for them.

From the NHS e-Referral Service A&G specification: a request or response text holds at
most 8,000 characters, and each attachment at most 5 MB. Of the attachment types the
national service takes, this service accepts JPEG, PNG and PDF (the ones a GP practice
and a specialist can both open without extra software).

An attachment's type is decided by its content (its first bytes), never by its file
name: a ``.jpg`` whose content is not a JPEG is refused.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import PurePath

MAX_TEXT_CHARS = 8000
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_SOURCE_BYTES = 40 * 1024 * 1024  # a photo this large is made smaller; nothing larger

JPEG = "image/jpeg"
PNG = "image/png"
PDF = "application/pdf"
UNKNOWN_TYPE = "application/octet-stream"

# MIME type -> the name people know it by, in the order they are listed to users.
ALLOWED_ATTACHMENT_TYPES: dict[str, str] = {JPEG: "JPEG", PNG: "PNG", PDF: "PDF"}

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"%PDF-", PDF),
)

_BYTES_PER_MB = 1024 * 1024


class TextRefused(ValueError):
    """A text field is empty when it must not be, or longer than the limit."""


class AttachmentRefused(ValueError):
    """An attachment this service will not take; the message says why."""


def check_text(
    label: str, text: str, *, required: bool = True, max_chars: int = MAX_TEXT_CHARS
) -> str:
    """Return ``text`` stripped of surrounding white space, or raise :class:`TextRefused`.

    ``label`` names the field in the message ("The question", "Your advice"). The length
    is counted after stripping, in characters (not bytes).
    """
    value = text.strip()
    if not value:
        if required:
            raise TextRefused(f"{label} cannot be empty.")
        return value
    if len(value) > max_chars:
        raise TextRefused(
            f"{label} is too long: it has {len(value):,} characters and the limit is "
            f"{max_chars:,}. Shorten it by {len(value) - max_chars:,}."
        )
    return value


def sniff_attachment_type(data: bytes) -> str:
    """The MIME type of ``data`` from its magic bytes, or ``application/octet-stream``."""
    for magic, mime_type in _MAGIC:
        if data.startswith(magic):
            return mime_type
    return UNKNOWN_TYPE


@dataclass(frozen=True)
class AttachmentCheck:
    """What an accepted attachment is: its type by content, size in bytes and SHA-256."""

    mime_type: str
    size: int
    sha256: str


def _accepted_types_text(conjunction: str = "or") -> str:
    names = list(ALLOWED_ATTACHMENT_TYPES.values())
    return f"{', '.join(names[:-1])} {conjunction} {names[-1]}"


def _megabytes_rounded_up(size: int) -> str:
    """Size in MB to one decimal, rounded up so a file over the limit never shows as 5.0."""
    return f"{math.ceil(size * 10 / _BYTES_PER_MB) / 10:.1f}"


def check_attachment(filename: str, data: bytes) -> AttachmentCheck:
    """Accept ``data`` as an attachment, or raise :class:`AttachmentRefused` saying why.

    The checks, in order: not empty, at most 5 MB, content is JPEG, PNG or PDF.
    """
    base = PurePath(filename).name
    name = f"'{base}'" if base else "The file"
    size = len(data)
    if size == 0:
        raise AttachmentRefused(f"{name} is empty (0 bytes), so it cannot be attached.")
    if size > MAX_ATTACHMENT_BYTES:
        raise AttachmentRefused(
            f"{name} is {_megabytes_rounded_up(size)} MB; attachments can be at most "
            f"{MAX_ATTACHMENT_BYTES // _BYTES_PER_MB} MB each."
        )
    mime_type = sniff_attachment_type(data)
    if mime_type not in ALLOWED_ATTACHMENT_TYPES:
        raise AttachmentRefused(
            f"{name} cannot be attached: its contents are not {_accepted_types_text()}, "
            f"whatever its name says. Only {_accepted_types_text('and')} files are accepted."
        )
    return AttachmentCheck(mime_type, size, hashlib.sha256(data).hexdigest())
