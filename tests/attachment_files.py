"""Files made byte by byte for the attachment tests: honest ones and hostile ones.

:func:`pdf` writes a one-page PDF with a correct cross-reference table, from the extra
text of its catalogue and page and any extra objects (numbered from 4), so that each
hostile case differs from an honest file by exactly what it tests. :func:`photo` makes a
JPEG or PNG with metadata a phone would add.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter


def pdf(
    catalog: str = "", page: str = "", objects: tuple[str, ...] = (), *, version: str = "1.7"
) -> bytes:
    """A one-page PDF; ``catalog`` and ``page`` go into those dictionaries."""
    bodies = [
        f"<< /Type /Catalog /Pages 2 0 R {catalog} >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] {page} >>",
        *objects,
    ]
    out = io.BytesIO()
    out.write(f"%PDF-{version}\n%\xe2\xe3\xcf\xd3\n".encode("latin-1"))
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(bodies) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(bodies) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def stream(data: bytes, extra: str = "") -> str:
    return f"<< /Length {len(data)} {extra} >>\nstream\n{data.decode('latin-1')}\nendstream"


def picture(
    width: int = 320, height: int = 240, *, seed: int = 1, noise: float = 0.2
) -> Image.Image:
    """A photo-like picture: coloured blobs, blurred, with some sensor noise."""
    rnd = random.Random(seed)
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(base)
    for _ in range(max(8, width * height // 30_000)):
        x, y, r = rnd.randrange(width), rnd.randrange(height), rnd.randrange(5, max(6, width // 12))
        colour = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    base = base.filter(ImageFilter.GaussianBlur(2))
    return Image.blend(base, Image.effect_noise((width, height), 40).convert("RGB"), noise)


def phone_exif(orientation: int = 1) -> Image.Exif:
    """EXIF as a phone writes it: maker, model, time, orientation and a GPS position."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0132] = "PhoneMaker", "Phone 15", "2026:11:20 09:14:00"
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (54.0, 4.0, 12.5), 3: "W", 4: (2.0, 48.0, 3.1)}
    return exif


def photo(
    fmt: str = "JPEG",
    width: int = 320,
    height: int = 240,
    *,
    orientation: int = 1,
    quality: int = 92,
    seed: int = 1,
    noise: float = 0.2,
) -> bytes:
    """A JPEG or PNG with a phone's EXIF (GPS included), a comment and, for PNG, text."""
    out = io.BytesIO()
    image = picture(width, height, seed=seed, noise=noise)
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=quality, exif=phone_exif(orientation), comment=b"Mrs Smith")
    else:
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("Comment", "Mrs Smith, 12 High Street")
        info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>GPS 54.07N</x:xmpmeta>")
        image.save(out, "PNG", pnginfo=info, exif=phone_exif(orientation))
    return out.getvalue()


def clean_png(
    width: int = 48, height: int = 32, colour: tuple[int, int, int] = (201, 143, 122)
) -> bytes:
    """A PNG exactly as the cleaning writes one: cleaning it again changes no byte."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG", compress_level=6)
    return out.getvalue()


def letter_pdf(text: str = "Clinic letter") -> bytes:
    """An honest one-page PDF with a line of text."""
    content = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode("latin-1")
    return pdf(
        page="/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >>",
        objects=(stream(content), "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
    )
