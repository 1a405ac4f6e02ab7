"""Numbers, lists, sizes, cursors and bodies have bounds (issue 11, item 3), on the real
hub over HTTP, on SQLite and on PostgreSQL.

Every value out of range is a final rejection of its change with a reason naming the
field and the bound (``invalid_payload`` at the wire, ``invalid_request`` for a
template's own range), never ``retry``, which is kept for faults of the hub itself; a
cursor or a limit out of range is a 400 or 422 in words, never a 500; a body over the
cap is a 413 whether or not it says its length.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from bhcp_ag.hub.demo_users import DEMO_ADMIN, DEMO_GP, DEMO_MANAGER, DEMO_SPECIALIST
from tests.integration.conftest import TEMPLATE_ANSWERS, Sync

BIG = "1" + "0" * 400
HEART = TEMPLATE_ANSWERS["320"]
SKIN = TEMPLATE_ANSWERS["330"]


def _raw_push(sync: Sync, username: str, change: dict[str, Any], raw: dict[str, str]) -> Any:
    """Push ``change`` with each ``"@name@"`` string replaced by the raw JSON ``raw[name]``
    (numbers Python's own json cannot write: 1e400, NaN, 400 digits)."""
    text = json.dumps({"changes": [change]})
    for name, value in raw.items():
        text = text.replace(f'"@{name}@"', value)
    response = sync.hub.request(
        "POST",
        "/api/v1/sync/push",
        token=sync.hub.token(username),
        data=text.encode(),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    return response.json()["results"][0]


def _refused(result: dict[str, Any], code: str, *words: str) -> None:
    assert (result["status"], result["code"]) == ("rejected", code), result
    for word in words:
        assert word in result["reason"], (word, result["reason"])


def _pulls_still_work(sync: Sync) -> None:
    for username in (DEMO_GP, DEMO_MANAGER, DEMO_SPECIALIST, DEMO_ADMIN):
        sync.pull(username)


NUMBERS = [  # raw JSON for systolic_bp (the template's range is 50 to 300 mmHg)
    (BIG, "invalid_payload", "1,000,000,000"),
    ("-" + BIG, "invalid_payload", "1,000,000,000"),
    ("1e400", "invalid_payload", "finite"),
    ("-1e400", "invalid_payload", "finite"),
    ("NaN", "invalid_payload", "finite"),
    ("Infinity", "invalid_payload", "finite"),
    ("1e15", "invalid_payload", "1,000,000,000"),
    ("301", "invalid_request", "between 50 and 300 mmHg"),
    ("49.5", "invalid_request", "between 50 and 300 mmHg"),
    ('"1e400"', "invalid_request", "between 50 and 300 mmHg"),
    (f'"{BIG}"', "invalid_request", "between 50 and 300 mmHg"),
    ("true", "invalid_request", "between 50 and 300 mmHg"),
    ('{"a": 1}', "invalid_payload", "must be text, a number"),
]


@pytest.mark.parametrize(("raw", "code", "words"), NUMBERS)
def test_numbers_out_of_range_are_final_rejections(sync, raw: str, code: str, words: str) -> None:
    change = Sync.request(specialty_code="320", template_answers={**HEART, "systolic_bp": "@n@"})
    result = _raw_push(sync, DEMO_GP, change, {"n": raw})
    _refused(result, code, words)
    assert "ystolic" in result["reason"]  # 'systolic_bp' at the wire, 'Systolic BP' after


def test_a_number_in_range_is_kept_as_sent(sync) -> None:
    change = Sync.request(specialty_code="320", template_answers={**HEART, "systolic_bp": "@n@"})
    result = _raw_push(sync, DEMO_GP, change, {"n": "300"})
    assert result["status"] == "applied", result
    assert result["conversation"]["template_answers"]["systolic_bp"] == 300


def _answers(**changes: Any) -> dict[str, Any]:
    return {**SKIN, **changes}


SIZES = [  # (what, the change, code, words in the reason)
    ("300,000 choices", {"template_answers": _answers(changes=["None"] * 300_000)},
     "invalid_payload", ("template_answers.changes", "at most 50")),
    ("51 choices", {"template_answers": _answers(changes=["None"] * 51)},
     "invalid_payload", ("at most 50",)),
    ("a choice repeated", {"template_answers": _answers(changes=["None"] * 6)},
     "invalid_request", ("choose each answer once",)),
    ("a 201-character choice", {"template_answers": _answers(changes=["N" * 201])},
     "invalid_payload", ("at most 200 characters",)),
    ("a choice that is a number", {"template_answers": _answers(changes=[1])},
     "invalid_payload", ("each one text",)),
    ("a 2.4 MB answer", {"template_answers": _answers(lesion_site="x" * 2_400_000)},
     "invalid_payload", ("template_answers.lesion_site", "at most 20,000 characters")),
    ("a 20,001-character answer", {"template_answers": _answers(lesion_site="x" * 20_001)},
     "invalid_payload", ("at most 20,000 characters",)),
    ("an answer over the field's own limit", {"template_answers": _answers(lesion_site="x" * 501)},
     "invalid_request", ("the limit is 500",)),
    ("51 answers", {"template_answers": {**SKIN, **{f"k{i}": "x" for i in range(45)}}},
     "invalid_payload", ("template_answers", "at most 50")),
    ("a 61-character key", {"template_answers": _answers(**{"k" * 61: "x"})},
     "invalid_payload", ("at most 60 characters",)),
    ("a 20,001-character question", {"question": "q" * 20_001},
     "invalid_payload", ("payload.question", "at most 20000 characters")),
    ("an 8,001-character question", {"question": "q" * 8_001},
     "invalid_request", ("Shorten it by 1",)),
    ("21 attachments", {"attachments": [{"sha256": "0" * 64, "filename": "a.png"}] * 21},
     "invalid_payload", ("attachments", "at most 20")),
    ("a birth date as a number", {"patient_birth_date": 0},
     "invalid_payload", ("patient_birth_date", "YYYY-MM-DD")),
    ("a birth date with a time", {"patient_birth_date": "1961-05-14T00:00:00Z"},
     "invalid_payload", ("patient_birth_date", "YYYY-MM-DD")),
    ("a birth date that is no day", {"patient_birth_date": "1961-02-30"},
     "invalid_payload", ("patient_birth_date", "not a real date")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [pytest.param(change, code, words, id=what) for what, change, code, words in SIZES],
)
def test_sizes_out_of_range_are_final_rejections(
    sync, change: dict[str, Any], code: str, words: tuple[str, ...]
) -> None:
    (result,) = sync.push(DEMO_GP, Sync.request(**change))
    _refused(result, code, *words)
    _pulls_still_work(sync)


def test_texts_are_bounded_in_every_change_kind(sync) -> None:
    (submitted,) = sync.push(DEMO_GP, Sync.request())
    cid = submitted["conversation"]["id"]
    respond = {"message_id": "6f1c3c4e-6b8e-4b43-9a4b-0d7a3b1c2d3e"}
    more = "REQUIRE_FURTHER_INFORMATION"
    long_text = "w" * 20_001
    results = sync.push(
        DEMO_SPECIALIST,
        Sync.change("respond", cid, **respond, outcome=more, body=long_text),
        Sync.change("respond", cid, **respond, outcome=more, body="?"),
    )
    _refused(results[0], "invalid_payload", "payload.body", "at most 20000")
    assert results[1]["status"] == "applied"
    message = {"message_id": "7f1c3c4e-6b8e-4b43-9a4b-0d7a3b1c2d3e"}
    results = sync.push(
        DEMO_GP,
        Sync.change("reply", cid, **message, body=long_text),
        Sync.change("cancel", cid, reason=long_text),
        Sync.change("close", cid, closing_outcome="x" * 41),
    )
    _refused(results[0], "invalid_payload", "payload.body", "at most 20000")
    _refused(results[1], "invalid_payload", "payload.reason", "at most 20000")
    _refused(results[2], "invalid_payload", "payload.closing_outcome")


@pytest.mark.parametrize(
    "cursor",
    [
        "0." + "9" * 20,
        "9" * 20 + ".0",
        "9" * 19 + ".1",
        "-1.2",
        "1.2.3",
        "1.",
        ".1",
        "١.٢",
        "0x1.2",
    ],
)
def test_a_cursor_out_of_range_is_a_400_in_words(hub, cursor: str) -> None:
    response = hub.request(
        "GET", "/api/v1/sync/pull", token=hub.token(DEMO_GP), params={"cursor": cursor}
    )
    assert (response.status_code, response.json()["code"]) == (400, "bad_cursor"), response.text


def test_the_largest_cursor_is_served(hub) -> None:
    cursor = "9" * 18 + "." + "9" * 18
    response = hub.request(
        "GET", "/api/v1/sync/pull", token=hub.token(DEMO_GP), params={"cursor": cursor}
    )
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] == cursor


@pytest.mark.parametrize("limit", ["0", "-1", "2001", "1" + "0" * 30, "abc", "1e3", "2.5"])
def test_a_limit_out_of_range_is_a_422_in_words(hub, limit: str) -> None:
    response = hub.request(
        "GET", "/api/v1/sync/pull", token=hub.token(DEMO_GP), params={"limit": limit}
    )
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input"), limit
    assert response.json()["fields"] == ["limit"]


def _chunks(total: int, prefix: bytes = b"", suffix: bytes = b"") -> Iterator[bytes]:
    """A body sent chunked (no Content-Length), 64 KiB at a time."""
    yield prefix
    sent = 0
    while sent < total:
        piece = min(65536, total - sent)
        yield b" " * piece
        sent += piece
    yield suffix


def test_a_chunked_body_over_the_limit_gets_413(sync) -> None:
    response = sync.hub.request(
        "POST",
        "/api/v1/sync/push",
        token=sync.hub.token(DEMO_GP),
        data=_chunks(10 * 1024 * 1024, b'{"changes": [', b"]}"),
        headers={"Content-Type": "application/json"},
    )
    assert (response.status_code, response.json()["code"]) == (413, "request_too_large")


def test_a_chunked_body_within_the_limit_is_read_whole(sync) -> None:
    change = json.dumps({"changes": [Sync.request()]}).encode()
    response = sync.hub.request(
        "POST",
        "/api/v1/sync/push",
        token=sync.hub.token(DEMO_GP),
        data=_chunks(200_000, change[:-1], change[-1:]),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["status"] == "applied"
