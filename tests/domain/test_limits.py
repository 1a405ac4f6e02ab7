"""The national limits: text length, attachment size and attachment type."""

from __future__ import annotations

import hashlib

import pytest

from bhcp_ag.domain.limits import (
    ALLOWED_ATTACHMENT_TYPES,
    MAX_ATTACHMENT_BYTES,
    MAX_TEXT_CHARS,
    AttachmentCheck,
    AttachmentRefused,
    TextRefused,
    check_attachment,
    check_text,
    sniff_attachment_type,
)

JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
PDF_BYTES = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
MB = 1024 * 1024


def test_the_national_limits() -> None:
    assert MAX_TEXT_CHARS == 8000
    assert MAX_ATTACHMENT_BYTES == 5 * MB
    assert set(ALLOWED_ATTACHMENT_TYPES) == {"image/jpeg", "image/png", "application/pdf"}


def test_text_is_stripped() -> None:
    assert check_text("The question", "  Is this eczema?\n") == "Is this eczema?"


def test_text_at_the_limit_is_accepted() -> None:
    text = "x" * 8000
    assert check_text("The question", text) == text


def test_text_one_over_the_limit_is_refused_with_both_numbers() -> None:
    with pytest.raises(TextRefused) as caught:
        check_text("The question", "x" * 8001)
    message = str(caught.value)
    assert message.startswith("The question is too long")
    assert "8,001 characters" in message
    assert "the limit is 8,000" in message
    assert "Shorten it by 1." in message


def test_surrounding_white_space_does_not_count_towards_the_limit() -> None:
    assert len(check_text("Your advice", "  " + "x" * 8000 + "\n\n")) == 8000


def test_characters_not_bytes_are_counted() -> None:
    text = "é" * 8000  # 16,000 bytes in UTF-8
    assert check_text("Your advice", text) == text


def test_custom_limit() -> None:
    assert check_text("Summary", "x" * 10, max_chars=10) == "x" * 10
    with pytest.raises(TextRefused, match="11 characters and the limit is 10"):
        check_text("Summary", "x" * 11, max_chars=10)


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_required_text_is_refused(text: str) -> None:
    with pytest.raises(TextRefused, match="^The question cannot be empty.$"):
        check_text("The question", text)


def test_empty_optional_text_is_allowed() -> None:
    assert check_text("A note", "  ", required=False) == ""


@pytest.mark.parametrize(
    ("data", "mime_type"),
    [
        (JPEG_BYTES, "image/jpeg"),
        (PNG_BYTES, "image/png"),
        (PDF_BYTES, "application/pdf"),
        (b"GIF89a" + b"\x00" * 10, "application/octet-stream"),
        (b"\xff\xd8", "application/octet-stream"),  # too short to be a JPEG
        (b"%PDF", "application/octet-stream"),
        (b"", "application/octet-stream"),
        (b"hello, world", "application/octet-stream"),
    ],
)
def test_sniffing_by_magic_bytes(data: bytes, mime_type: str) -> None:
    assert sniff_attachment_type(data) == mime_type


@pytest.mark.parametrize(
    ("filename", "data", "mime_type"),
    [
        ("rash.jpg", JPEG_BYTES, "image/jpeg"),
        ("ecg.png", PNG_BYTES, "image/png"),
        ("letter.pdf", PDF_BYTES, "application/pdf"),
        ("scan", PNG_BYTES, "image/png"),  # no extension: content decides
        ("photo.pdf", JPEG_BYTES, "image/jpeg"),  # misnamed but acceptable content
    ],
)
def test_accepted_attachments(filename: str, data: bytes, mime_type: str) -> None:
    check = check_attachment(filename, data)
    assert check == AttachmentCheck(mime_type, len(data), hashlib.sha256(data).hexdigest())
    assert len(check.sha256) == 64


def test_attachment_at_exactly_5_mb_is_accepted() -> None:
    data = PDF_BYTES + b"\x00" * (MAX_ATTACHMENT_BYTES - len(PDF_BYTES))
    assert check_attachment("big.pdf", data).size == 5 * MB


def test_empty_attachment_is_refused() -> None:
    with pytest.raises(AttachmentRefused, match="^'blank.pdf' is empty"):
        check_attachment("blank.pdf", b"")


def test_attachment_over_5_mb_is_refused_showing_its_size() -> None:
    data = PDF_BYTES + b"\x00" * (MAX_ATTACHMENT_BYTES + 1 - len(PDF_BYTES))
    with pytest.raises(AttachmentRefused) as caught:
        check_attachment("big.pdf", data)
    assert str(caught.value) == "'big.pdf' is 5.1 MB; attachments can be at most 5 MB each."


def test_large_attachment_size_in_mb() -> None:
    with pytest.raises(AttachmentRefused, match="'scan.png' is 12.5 MB"):
        check_attachment("scan.png", PNG_BYTES + b"\x00" * (int(12.5 * MB) - len(PNG_BYTES)))


def test_size_is_checked_before_type() -> None:
    with pytest.raises(AttachmentRefused, match="at most 5 MB"):
        check_attachment("video.mp4", b"\x00" * (6 * MB))


def test_jpg_whose_content_is_not_jpeg_is_refused() -> None:
    with pytest.raises(AttachmentRefused) as caught:
        check_attachment("photo.jpg", b"GIF89a" + b"\x00" * 100)
    message = str(caught.value)
    assert message.startswith("'photo.jpg' cannot be attached")
    assert "whatever its name says" in message
    assert "Only JPEG, PNG and PDF files are accepted." in message


@pytest.mark.parametrize(
    "filename", ["notes.docx", "image.dcm", "C:/Users/gp/report.txt", "/tmp/x.jpeg"]
)
def test_other_types_are_refused_naming_the_accepted_ones(filename: str) -> None:
    with pytest.raises(AttachmentRefused, match="Only JPEG, PNG and PDF files are accepted"):
        check_attachment(filename, b"PK\x03\x04" + b"\x00" * 50)


def test_message_shows_the_file_name_not_its_folder() -> None:
    with pytest.raises(AttachmentRefused, match="^'x.jpeg' cannot be attached"):
        check_attachment("/tmp/x.jpeg", b"not an image")


def test_nameless_attachment_is_called_the_file() -> None:
    with pytest.raises(AttachmentRefused, match="^The file is empty"):
        check_attachment("", b"")
