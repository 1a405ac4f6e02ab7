"""Attachment content made safe: pictures decoded and re-encoded, PDFs read and checked.

One place for the hub (on every upload) and the desktop (when a file is attached):

- A JPEG or PNG is decoded with Pillow and encoded again. What comes out is only the
  picture: no EXIF (a phone photo's carries where it was taken), XMP, comments, PNG text
  chunks or colour profile (converted to sRGB first, so colours stay right), and nothing
  that trailed the picture (HTML, a program). The EXIF orientation is applied to the
  pixels first, so the photo still stands the right way up. A JPEG keeps its own
  quantisation tables and chroma subsampling, so an honest photo barely changes; a PNG
  is lossless. A picture of more than :data:`MAX_PIXELS` pixels is refused before it is
  decoded (a small file can unpack to gigabytes).
- A PDF is parsed with pypdf and every object of it visited; it is refused when it holds
  JavaScript, actions that launch programs or import data, embedded files, rich media or
  an XFA form, or when it is encrypted or cannot be read. pypdf decodes escaped names, so
  ``/J#61vaScript`` is seen as ``/JavaScript``.

:func:`clean_attachment` is the whole check; :func:`fit_photo` (the desktop's) also makes
a photo smaller, step by step, until it fits the 5 MB limit.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from PIL import Image, ImageCms, ImageOps, JpegImagePlugin

from bhcp_ag.domain.file_names import safe_file_name, shown_name
from bhcp_ag.domain.limits import (
    JPEG,
    MAX_ATTACHMENT_BYTES,
    MAX_SOURCE_BYTES,
    PDF,
    PNG,
    AttachmentRefused,
    check_attachment,
    sniff_attachment_type,
)
from bhcp_ag.domain.pdf_check import PdfRefused, check_pdf

MAX_PIXELS = 50_000_000  # a 48-megapixel phone photo fits; 200 MB of RGBA at most
_JPEG_MODES = frozenset({"L", "RGB", "CMYK"})
_PNG_MODES = frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "I;16", "I"})
_SHRINK_STEPS = 8


class PictureRefused(AttachmentRefused):
    """A JPEG or PNG that cannot be decoded, or one too large in pixels to decode."""


@dataclass(frozen=True)
class CleanFile:
    """Acceptable attachment content: its type, the bytes to keep, and what was done."""

    mime_type: str
    content: bytes = field(repr=False)
    width: int | None = None  # pixels, for a picture
    height: int | None = None
    metadata_removed: bool = False  # the picture carried more than its pixels


@dataclass(frozen=True)
class FittedPhoto:
    """A picture made to fit: before and after, for telling the user what was done."""

    file: CleanFile
    original_size: int
    original_width: int
    original_height: int
    made_smaller: bool  # encoded with fewer details (and maybe fewer pixels) to fit


@dataclass(frozen=True)
class PreparedAttachment:
    """A file as the desktop attaches it: a safe name, clean content, and what was done."""

    filename: str
    file: CleanFile
    notes: tuple[str, ...] = ()  # sentences for the user, each saying what was changed


def _opened(data: bytes) -> Image.Image:
    """The picture in ``data``, its header read (not its pixels), within the pixel bound."""
    try:
        picture = Image.open(io.BytesIO(data), formats=["JPEG", "PNG"])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        picture = None
    except Exception:  # hostile input can fail in any way: each is a refusal
        raise PictureRefused(
            "The file cannot be read as a picture: it is damaged, or it is not the JPEG or "
            "PNG that its first bytes claim."
        ) from None
    if picture is None or picture.width * picture.height > MAX_PIXELS:
        raise PictureRefused(
            f"The picture is too large to open safely: more than {MAX_PIXELS // 1_000_000} "
            "million pixels. Save it smaller (or take a screenshot of it) and attach that."
        )
    return picture


def _decoded(picture: Image.Image) -> Image.Image:
    """The pixels of ``picture``, upright, in sRGB, and with no metadata left on them."""
    try:
        picture.load()
        upright = ImageOps.exif_transpose(picture) or picture
        pixels = _in_srgb(upright, picture.info.get("icc_profile"))
    except Exception:  # as above: what cannot be decoded is refused
        raise PictureRefused(
            "The picture cannot be decoded: the file is damaged or incomplete."
        ) from None
    if pixels is picture:
        pixels = picture.copy()
    pixels.info = (
        {"transparency": picture.info["transparency"]}
        if _keeps_transparency(picture, pixels)
        else {}
    )
    return pixels


def _keeps_transparency(source: Image.Image, pixels: Image.Image) -> bool:
    return "transparency" in source.info and pixels.mode == source.mode


def _in_srgb(picture: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """``picture`` converted from its colour profile to sRGB (unchanged without one)."""
    if not icc_profile or picture.mode not in ("RGB", "RGBA"):
        return picture
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        converted = ImageCms.profileToProfile(
            picture, source, ImageCms.createProfile("sRGB"), outputMode=picture.mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return picture  # a profile that cannot be read is dropped, the pixels kept as they are
    return converted if converted is not None else picture


def _carried_extra(picture: Image.Image) -> bool:
    """True when ``picture`` held metadata beyond its pixels (EXIF, XMP, text, profile)."""
    kept = {"transparency", "dpi", "jfif", "jfif_version", "jfif_density", "jfif_unit"}
    kept |= {"progressive", "progression", "adobe", "adobe_transform", "gamma", "aspect"}
    return any(key not in kept for key in picture.info)


def _encoded(pixels: Image.Image, source: Image.Image, mime_type: str, shrunk: bool) -> bytes:
    """``pixels`` as ``mime_type`` bytes, with nothing but the picture in them.

    A JPEG keeps ``source``'s quantisation tables and subsampling (what ``quality="keep"``
    does, which Pillow allows only on the opened image itself, not on its upright copy);
    a picture made smaller gets fresh tables at quality 88.
    """
    out = io.BytesIO()
    if mime_type == JPEG:
        if pixels.mode not in _JPEG_MODES:
            pixels = pixels.convert("RGB")
        options: dict[str, object] = {"quality": 88}
        tables = getattr(source, "quantization", None)
        if tables and not shrunk:
            options = {"qtables": tables}
        is_jpeg = isinstance(source, JpegImagePlugin.JpegImageFile)  # MPO (a phone's) too
        sampling = JpegImagePlugin.get_sampling(source) if is_jpeg else -1
        if sampling != -1:
            options["subsampling"] = sampling
        pixels.save(out, "JPEG", exif=b"", icc_profile=None, **options)
    else:
        if pixels.mode not in _PNG_MODES:
            pixels = pixels.convert("RGBA")
        pixels.save(out, "PNG", compress_level=9 if shrunk else 6)
    return out.getvalue()


def _read(data: bytes) -> tuple[Image.Image, Image.Image, str]:
    """(the picture as opened, its clean upright pixels, its type); else PictureRefused."""
    mime_type = sniff_attachment_type(data)
    if mime_type not in (JPEG, PNG):
        raise PictureRefused("The file is not a JPEG or PNG picture.")
    picture = _opened(data)
    return picture, _decoded(picture), mime_type


def clean_picture(data: bytes) -> CleanFile:
    """The JPEG or PNG in ``data`` decoded and re-encoded (same type), metadata dropped."""
    picture, pixels, mime_type = _read(data)
    content = _encoded(pixels, picture, mime_type, shrunk=False)
    if mime_type == PNG and len(content) > MAX_ATTACHMENT_BYTES:  # sent better compressed
        content = _encoded(pixels, picture, mime_type, shrunk=True)
    return CleanFile(mime_type, content, pixels.width, pixels.height, _carried_extra(picture))


def clean_attachment(data: bytes, filename: str = "The file") -> CleanFile:
    """``data`` as it may be kept: a picture cleaned, a PDF checked; else AttachmentRefused.

    First :func:`~bhcp_ag.domain.limits.check_attachment` (not empty, at most 5 MB, JPEG,
    PNG or PDF by content), then the picture re-encoded or the PDF read through.
    """
    mime_type = check_attachment(filename, data).mime_type
    if mime_type == PDF:
        check_pdf(data)
        return CleanFile(PDF, data)
    return clean_picture(data)


def fit_photo(data: bytes, max_bytes: int = MAX_ATTACHMENT_BYTES) -> FittedPhoto:
    """A JPEG or PNG cleaned and, when it is over ``max_bytes``, made smaller until it fits.

    A JPEG is first encoded again at quality 88 with every pixel kept (a phone's photo is
    saved at 95 or more); then each step scales the picture by the square root of how
    far it is still over, and a little more. A PNG stays a PNG.
    """
    picture, pixels, mime_type = _read(data)
    content = _encoded(pixels, picture, mime_type, shrunk=False)
    smaller, steps = pixels, 0
    while len(content) > max_bytes:
        if steps == _SHRINK_STEPS:
            raise PictureRefused("The picture could not be made small enough to attach.")
        if steps or mime_type == PNG:
            scale = min(0.9, (max_bytes / len(content)) ** 0.5 * 0.97)
            size = (max(1, round(smaller.width * scale)), max(1, round(smaller.height * scale)))
            smaller = smaller.resize(size, Image.Resampling.LANCZOS)
        content = _encoded(smaller, picture, mime_type, shrunk=True)
        steps += 1
    file = CleanFile(mime_type, content, smaller.width, smaller.height, _carried_extra(picture))
    return FittedPhoto(file, len(data), pixels.width, pixels.height, made_smaller=steps > 0)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _removed_note(name: str) -> str:
    return f"Hidden details in '{name}' (such as where and when it was taken) were removed."


def _photo_notes(name: str, fitted: FittedPhoto) -> list[str]:
    notes = []
    file = fitted.file
    if fitted.made_smaller:
        notes.append(
            f"'{name}' was made smaller to fit the "
            f"{MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB limit: "
            f"{_megabytes(fitted.original_size)}, {fitted.original_width} × "
            f"{fitted.original_height} pixels, now {_megabytes(len(file.content))}, "
            f"{file.width} × {file.height} pixels."
        )
    if file.metadata_removed:
        notes.append(_removed_note(name))
    return notes


def prepare_attachment(filename: str, data: bytes) -> PreparedAttachment:
    """``data`` as the desktop attaches it, named ``filename``; AttachmentRefused if not.

    The name is made safe (:func:`~bhcp_ag.domain.file_names.safe_file_name`); a photo is
    cleaned and, over 5 MB (up to :data:`MAX_SOURCE_BYTES`), made smaller to fit; a PDF
    is checked as the hub checks it. ``notes`` say what was changed, for the user.
    """
    name = safe_file_name(filename)
    notes = []
    if name != filename:
        notes.append(
            f"'{shown_name(filename)}' is attached as '{name}': its name had characters "
            "that file names cannot safely hold."
        )
    mime_type = sniff_attachment_type(data)
    try:
        if mime_type in (JPEG, PNG) and len(data) <= MAX_SOURCE_BYTES:
            fitted = fit_photo(data)
            file = fitted.file
            notes += _photo_notes(name, fitted)
        else:  # a PDF, checked; anything else, refused with the reason
            file = clean_attachment(data, name)
    except (PictureRefused, PdfRefused) as refusal:
        words = str(refusal)  # "The PDF ...", "The picture ...": said of this file
        raise AttachmentRefused(f"'{name}': {words[:1].lower()}{words[1:]}") from None
    return PreparedAttachment(name, file, tuple(notes))
