"""File names: the hub's check refuses each class of bad name; the desktop's safe name
always passes it, and leaves an honest name alone."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bhcp_ag.domain.file_names import (
    MAX_FILE_NAME_CHARS,
    FileNameRefused,
    check_file_name,
    name_with_type,
    safe_file_name,
    shown_name,
)

# Each class of refused name, several members each: (name, words of the reason).
REFUSED = [
    # bidirectional overrides, embeddings, isolates and marks
    *[(f"photo{c}gnp.exe", "invisible formatting") for c in "\u202a\u202b\u202c\u202d\u202e"],
    *[(f"scan{c}fdp.bat", "invisible formatting") for c in "\u2066\u2067\u2068\u2069"],
    *[(f"letter{c}.pdf", "invisible formatting") for c in "\u200e\u200f\u061c"],
    # zero-width and other format characters
    *[(f"rash{c}.png", "invisible formatting") for c in "\u200b\u200c\u200d\u2060\ufeff\u00ad"],
    # control characters (C0, DEL, C1) and line separators
    *[(f"rash{c}.png", "control character") for c in "\x00\x01\t\n\r\x1b\x7f\x85\x9b"],
    ("rash\u2028.png", "invisible formatting"),
    # folders
    ("../../etc/passwd", "folder separator"),
    ("C:\\Windows\\system32\\evil.dll", "character ':'"),
    ("photos/rash.png", "folder separator"),
    ("\\\\server\\share\\x.pdf", "folder separator"),
    # characters Windows refuses
    *[(f"a{c}b.png", "Windows does not allow") for c in '<>:"|?*'],
    # dot names and trailing dots or spaces
    (".", "only dots"),
    ("..", "only dots"),
    ("...", "only dots"),
    ("rash.png.", "ends in a dot"),
    ("rash.png ", "ends in a dot or a space"),
    (" rash.png", "starts with a space"),
    ("", "empty"),
    # reserved device names, any case, with or without an extension
    *[(name, "device") for name in ("CON", "prn", "Aux", "nul", "COM1", "com9", "LPT1")],
    *[(name, "device") for name in ("lpt9.txt", "con.pdf", "NUL.tar.gz", "Com3.png", "aux .png")],
    # too long
    ("x" * (MAX_FILE_NAME_CHARS - 3) + ".pdf", f"longer than {MAX_FILE_NAME_CHARS}"),
]

HONEST = [
    "rash.png",
    "IMG_20261120_091400.jpg",
    "Discharge letter (final).pdf",
    "Ärztebrief für Frau Müller.pdf",
    "صورة.png",  # Arabic, right to left by itself: no control character needed
    "写真.jpeg",
    "a" * (MAX_FILE_NAME_CHARS - 4) + ".pdf",
    "console.png",  # starts like CON, but is not the device
    "com10.pdf",
    ".hidden.pdf",
    "2026-11-20 photo 1.jpg",
]


@pytest.mark.parametrize(("name", "reason"), REFUSED)
def test_each_class_of_bad_name_is_refused_saying_why(name: str, reason: str) -> None:
    with pytest.raises(FileNameRefused, match="cannot be used") as refused:
        check_file_name(name)
    message = str(refused.value)
    assert reason in message
    assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in message)  # shown safely


@pytest.mark.parametrize("name", HONEST)
def test_honest_names_pass_unchanged(name: str) -> None:
    assert check_file_name(name) == name
    assert safe_file_name(name) == name


def test_names_are_compared_in_nfc() -> None:
    decomposed = "Re\u0301sultats.pdf"  # e + combining acute
    assert check_file_name(decomposed) == "R\u00e9sultats.pdf"
    assert safe_file_name(decomposed) == "R\u00e9sultats.pdf"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("photo\u202egnp.exe", "photognp.exe"),  # what the override hid shows again
        ("rash\u200b.png", "rash.png"),
        ("../../etc/passwd", ".._.._etc_passwd"),
        ("C:\\photos\\forearm.png", "C__photos_forearm.png"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("rash.png. . ", "rash.png"),
        ("   ", "attachment"),
        ("..", "attachment"),
        ("\u202e", "attachment"),
        ("what?.png", "what_.png"),
    ],
)
def test_the_desktop_makes_a_safe_name(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe


def test_a_long_name_is_cut_keeping_its_extension() -> None:
    safe = safe_file_name("referral " * 40 + ".pdf")
    assert len(safe) <= MAX_FILE_NAME_CHARS and safe.endswith(".pdf")
    assert len(safe_file_name("x" * 500)) == MAX_FILE_NAME_CHARS


@given(st.text(max_size=300))
def test_a_safe_name_always_passes_the_hubs_check(name: str) -> None:
    safe = safe_file_name(name)
    assert check_file_name(safe) == safe


def test_shown_names_and_the_real_type() -> None:
    assert shown_name("photo\u202egnp.exe") == "photo?gnp.exe"
    assert shown_name("x" * 100, limit=10) == "x" * 10 + "…"
    assert name_with_type("scan.jpg", "application/pdf") == "scan.jpg — PDF document"
    assert name_with_type("arm.png", "image/png") == "arm.png — PNG picture"
