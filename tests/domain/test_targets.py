"""Tests of the response targets table and its CSV file."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from bhcp_ag.domain.conversation import TWO_WEEK_WAIT_REFUSAL, Priority
from bhcp_ag.domain.targets import ResponseTarget, ResponseTargets
from bhcp_ag.paths import RESOURCES_DIR

HEADER = "tfc_code,priority,working_days\n"


def write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "targets.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def shipped() -> ResponseTargets:
    return ResponseTargets.load()


@pytest.mark.parametrize(
    ("tfc_code", "priority", "expected"),
    [
        ("100", "ROUTINE", 2.0),  # General Surgery: default
        ("100", "URGENT", 1.0),
        ("330", Priority.ROUTINE, 2.0),  # Dermatology: default, priority as the enum
        ("420", "URGENT", 0.5),  # Paediatrics: own urgent target
        ("420", "ROUTINE", 2.0),  # ... but the default routine one
        ("710", "ROUTINE", 2.0),  # Adult Mental Health: own row
        ("710", "URGENT", 1.0),
        ("812", Priority.URGENT, 1.0),  # Diagnostic Imaging: default
    ],
)
def test_shipped_targets(
    shipped: ResponseTargets, tfc_code: str, priority: str, expected: float
) -> None:
    assert shipped.working_days(tfc_code, priority) == expected


def test_default_path_is_the_resources_file() -> None:
    assert ResponseTargets.load() == ResponseTargets.load(RESOURCES_DIR / "response_targets.csv")


@pytest.mark.parametrize("priority", ["TWO_WEEK_WAIT", Priority.TWO_WEEK_WAIT])
def test_two_week_wait_is_refused(shipped: ResponseTargets, priority: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(TWO_WEEK_WAIT_REFUSAL)}$"):
        shipped.working_days("100", priority)


@pytest.mark.parametrize("priority", ["SOON", "routine", ""])
def test_unknown_priority_is_refused(shipped: ResponseTargets, priority: str) -> None:
    with pytest.raises(ValueError, match="Unknown priority"):
        shipped.working_days("100", priority)


def test_specific_row_wins_over_default(tmp_path: Path) -> None:
    path = write(tmp_path, "*,ROUTINE,5\n*,URGENT,2\n 330 , ROUTINE , 3.5 \n")
    targets = ResponseTargets.load(path)
    assert targets.working_days("330", "ROUTINE") == 3.5
    assert targets.working_days("330", "URGENT") == 2.0
    assert targets.working_days("101", "ROUTINE") == 5.0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("*,ROUTINE,2\n*,URGENT,two\n", r"line 3: working_days 'two' is not a number"),
        ("*,ROUTINE,2\n*,URGENT,0\n", r"line 3: .*positive"),
        ("*,ROUTINE,-1\n*,URGENT,1\n", r"line 2: .*positive"),
        ("*,ROUTINE,nan\n*,URGENT,1\n", r"line 2: .*positive"),
        ("*,ROUTINE,inf\n*,URGENT,1\n", r"line 2: .*positive"),
        ("*,ROUTINE,2\n*,SOON,1\n", r"line 3: Unknown priority 'SOON'"),
        ("*,ROUTINE,2\n*,URGENT,1\n101,TWO_WEEK_WAIT,1\n", re.escape(TWO_WEEK_WAIT_REFUSAL)),
        ("*,ROUTINE,2\n*,URGENT,1\n42,URGENT,1\n", r"line 4: .*'42' must be three digits"),
        ("*,ROUTINE,2\n*,URGENT,1\nABC,URGENT,1\n", r"line 4: .*'ABC' must be three digits"),
        ("*,ROUTINE,2\n*,URGENT,\n", r"line 3: no value for working_days"),
        ("*,ROUTINE,2\n*,URGENT\n", r"line 3: no value for working_days"),
        ("*,ROUTINE,2\n*,URGENT,1,extra\n", r"line 3: more values than"),
        ("*,ROUTINE,2\n*,URGENT,1\n*,URGENT,0.5\n", r"More than one target for \* URGENT"),
        ("*,ROUTINE,2\n420,URGENT,0.5\n", r"No default \('\*'\) target for URGENT"),
    ],
    ids=[
        "not-a-number",
        "zero",
        "negative",
        "nan",
        "infinite",
        "unknown-priority",
        "two-week-wait",
        "short-code",
        "letters-code",
        "empty-value",
        "missing-value",
        "extra-value",
        "duplicate",
        "no-default",
    ],
)
def test_malformed_rows_are_refused(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(ValueError, match=message) as caught:
        ResponseTargets.load(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("header", ["tfc_code,priority,days\n", "", "code;priority;working_days\n"])
def test_bad_header_is_refused(tmp_path: Path, header: str) -> None:
    path = write(tmp_path, "", header=header)
    with pytest.raises(ValueError, match="header must name the columns"):
        ResponseTargets.load(path)


def test_targets_are_frozen_and_hashable(shipped: ResponseTargets) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        shipped.targets = ()  # type: ignore[misc]
    assert hash(shipped) == hash(ResponseTargets.load())


def test_target_rows_take_a_priority_string() -> None:
    target = ResponseTarget("420", "URGENT", 0.5)  # type: ignore[arg-type]
    assert target.priority is Priority.URGENT
