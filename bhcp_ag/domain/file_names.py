"""The rules for an attachment's file name, and a safe name made from one that breaks them.

A file name travels from a GP's computer to a specialist's screen and, if they save the
file, to their disk. So a name must show what it is and be a plain file name anywhere:

- no control characters (Unicode category Cc), and no format characters (Cf): the
  bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), the marks
  U+200E, U+200F and U+061C, and the zero-width characters, which can make
  ``photo\\u202egnp.exe`` show as ``photoexe.png``;
- no path separators (``/`` and ``\\``) nor characters Windows refuses (``<>:"|?*``);
- not ``.`` or ``..``, not ending in a dot or a space (Windows drops them), not starting
  with a space;
- not a reserved Windows device name (CON, PRN, AUX, NUL, COM1–COM9, LPT1–LPT9), in any
  case and with any extension (``nul.txt`` is the device too);
- at most :data:`MAX_FILE_NAME_CHARS` characters.

Names are compared in Unicode NFC form. :func:`check_file_name` is the hub's check (it
refuses); :func:`safe_file_name` is the desktop's (it replaces what is refused, so an
honest user is never blocked).
"""

from __future__ import annotations

import re
import unicodedata

from bhcp_ag.domain.limits import JPEG, PDF, PNG

MAX_FILE_NAME_CHARS = 180
FALLBACK_NAME = "attachment"

_SEPARATORS = frozenset("/\\")
_WINDOWS_REFUSED = frozenset('<>:"|?*')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[1-9¹²³]|lpt[1-9¹²³]) *(\..*)?$", re.IGNORECASE)


# What a file is by its content, in words a GP uses, to show beside its name.
TYPE_WORDS = {JPEG: "JPEG picture", PNG: "PNG picture", PDF: "PDF document"}


class FileNameRefused(ValueError):
    """A file name that breaks the rules; the message says which, in plain words."""


def _refused_character(char: str) -> str | None:
    """Why ``char`` may not be in a file name, or None when it may."""
    category = unicodedata.category(char)
    if category == "Cc":
        return "a control character"
    if category in ("Cf", "Zl", "Zp"):
        return f"an invisible formatting character (U+{ord(char):04X})"
    if char in _SEPARATORS:
        return "a folder separator (/ or \\)"
    if char in _WINDOWS_REFUSED:
        return f"the character {char!r}, which Windows does not allow in a file name"
    return None


def _problem(name: str) -> str | None:
    """Why the NFC ``name`` is refused, or None."""
    if not name:
        return "it is empty"
    for char in name:
        why = _refused_character(char)
        if why is not None:
            return f"it contains {why}"
    if name in (".", "..") or set(name) == {"."}:
        return "it is only dots"
    if name.endswith((".", " ")):
        return "it ends in a dot or a space"
    if name.startswith(" "):
        return "it starts with a space"
    if _RESERVED.match(name.rstrip()):
        return "it is a name Windows keeps for a device"
    if len(name) > MAX_FILE_NAME_CHARS:
        return f"it is longer than {MAX_FILE_NAME_CHARS} characters"
    return None


def shown_name(name: str, limit: int = 60) -> str:
    """``name`` safe to show: each refused character a ``?``, cut at ``limit`` characters."""
    normal = unicodedata.normalize("NFC", name)
    shown = "".join(c if _refused_character(c) is None else "?" for c in normal[:limit])
    return shown + ("…" if len(normal) > limit else "")


def check_file_name(name: str) -> str:
    """``name`` in NFC form if it keeps the rules; else :class:`FileNameRefused`."""
    normal = unicodedata.normalize("NFC", name)
    problem = _problem(normal)
    if problem is not None:
        raise FileNameRefused(
            f"The file name '{shown_name(normal)}' cannot be used: {problem}. Rename the file "
            "and attach it again."
        )
    return normal


def _shortened(name: str) -> str:
    """``name`` cut to the bound, keeping its extension."""
    if len(name) <= MAX_FILE_NAME_CHARS:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and len(extension) <= 10:
        return stem[: MAX_FILE_NAME_CHARS - len(extension) - 1].rstrip(" .") + "." + extension
    return name[:MAX_FILE_NAME_CHARS].rstrip(" .")


def safe_file_name(name: str) -> str:
    """A name keeping the rules, made from ``name``: what is refused is replaced.

    Separators and characters Windows refuses become ``_``; control and formatting
    characters are dropped (what they hid shows again: ``photo\u202egnp.exe`` becomes
    ``photognp.exe``); a reserved device name gets a ``_`` in front; leading spaces and
    trailing dots and spaces go; a long name is cut, keeping its
    extension. A name left with nothing becomes :data:`FALLBACK_NAME`.
    """
    normal = unicodedata.normalize("NFC", name)
    kept = []
    for char in normal:
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            continue
        kept.append("_" if char in _SEPARATORS or char in _WINDOWS_REFUSED else char)
    safe = "".join(kept).lstrip(" ").rstrip(" .") or FALLBACK_NAME
    if _RESERVED.match(safe):
        safe = "_" + safe
    safe = _shortened(safe)
    return check_file_name(safe)


def name_with_type(name: str, mime_type: str) -> str:
    """``scan.jpg — PDF document``: the name, and what the content really is."""
    return f"{name} — {TYPE_WORDS.get(mime_type, 'file of unknown type')}"
