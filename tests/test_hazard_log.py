"""The hazard log (DCB0129) holds: each hazard names tests that exist, and rates its risk
by the matrix.

``docs/safety/hazard-log.md`` ties every control to pytest node ids. This test reads the
log and the named test files (with :mod:`ast`, never collecting the suite), so a control
whose test is renamed or removed fails here, naming the hazard and the node id. It also
checks that each risk is ``<Likelihood> × <Severity> = <rating>`` as the DCB0129 matrix
gives it, that no residual risk is above its initial one, and that the safety case
mentions every hazard.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
LOG = ROOT / "docs" / "safety" / "hazard-log.md"
SAFETY_CASE = ROOT / "docs" / "safety" / "safety-case.md"
FEWEST_HAZARDS = 14

LIKELIHOODS = ("Very low", "Low", "Medium", "High", "Very high")
SEVERITIES = ("Minor", "Significant", "Considerable", "Major", "Catastrophic")
MATRIX: dict[str, tuple[int, int, int, int, int]] = {
    # Minor, Significant, Considerable, Major, Catastrophic (DCB0129)
    "Very high": (3, 4, 4, 5, 5),
    "High": (2, 3, 3, 4, 5),
    "Medium": (2, 2, 3, 3, 4),
    "Low": (1, 2, 2, 3, 4),
    "Very low": (1, 1, 2, 2, 3),
}

HAZARD_ID = re.compile(r"H\d\d")
RISK = re.compile(
    rf"^(?P<likelihood>{'|'.join(sorted(LIKELIHOODS, key=len, reverse=True))})"
    rf" × (?P<severity>{'|'.join(SEVERITIES)}) = (?P<rating>\d)$"
)
NODE_ID = re.compile(r"tests/[\w/.-]+?\.py::[\w:\[\]-]+")
COLUMNS = ("ID", "Hazard", "Initial risk", "Residual risk", "Tests")


def rating(likelihood: str, severity: str) -> int:
    """The DCB0129 risk rating of ``likelihood`` × ``severity``."""
    return MATRIX[likelihood][SEVERITIES.index(severity)]


@dataclass(frozen=True)
class Hazard:
    id: str
    title: str
    initial: str
    residual: str
    tests: tuple[str, ...]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


def read_hazards(text: str) -> list[Hazard]:
    """Every table row of ``text`` whose first cell is a hazard id, read by the header's
    column names."""
    hazards: list[Hazard] = []
    where: dict[str, int] = {}
    for line in text.splitlines():
        if not line.lstrip().startswith("|"):
            continue
        cells = _cells(line)
        if cells and cells[0] == "ID" and all(name in cells for name in COLUMNS):
            where = {name: cells.index(name) for name in COLUMNS}
            continue
        if not cells or not HAZARD_ID.fullmatch(cells[0]):
            continue
        if not where:
            raise AssertionError(f"{cells[0]}: a hazard row before the table's header row")

        cells += [""] * (max(where.values()) + 1 - len(cells))  # a short row: empty cells
        hazards.append(
            Hazard(
                id=cells[0],
                title=cells[where["Hazard"]],
                initial=cells[where["Initial risk"]],
                residual=cells[where["Residual risk"]],
                tests=tuple(NODE_ID.findall(cells[where["Tests"]])),
            )
        )
    return hazards


@cache
def _defined(path: Path) -> frozenset[str]:
    """The test functions ``path`` defines: ``name`` at module level, ``Class::name`` in a
    class (nested classes too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()

    def walk(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names.add(prefix + node.name)
            elif isinstance(node, ast.ClassDef):
                walk(node.body, f"{prefix}{node.name}::")

    walk(tree.body, "")
    return frozenset(names)


def node_problem(node_id: str, root: Path) -> str | None:
    """Why ``node_id`` names no test under ``root``, or None."""
    file_part, _, name = node_id.partition("::")
    if "[" in name:
        return "name the test function without its [parameters]"
    path = root / file_part
    if not path.is_file():
        return f"no file {file_part}"
    if name not in _defined(path.resolve()):
        where = "in its class" if "::" in name else "at module level"
        return f"not defined {where} of {file_part}"
    return None


def _risk(cell: str) -> tuple[int, int, int] | str:
    """(likelihood index, severity index, rating), or why the cell is not a risk."""
    found = RISK.match(cell)
    if found is None:
        return f"{cell!r} is not '<Likelihood> × <Severity> = <rating>'"
    likelihood, severity = found["likelihood"], found["severity"]
    expected = rating(likelihood, severity)
    if int(found["rating"]) != expected:
        return f"{cell!r}: the matrix gives {likelihood} × {severity} = {expected}"
    return LIKELIHOODS.index(likelihood), SEVERITIES.index(severity), expected


def problems(text: str, root: Path = ROOT, fewest: int = FEWEST_HAZARDS) -> list[str]:
    """Everything wrong with the hazard log ``text``, one line each, naming the hazard."""
    hazards = read_hazards(text)
    found: list[str] = []
    if len(hazards) < fewest:
        found.append(f"the log has {len(hazards)} hazards; at least {fewest} are needed")
    ids = [h.id for h in hazards]
    expected = [f"H{n:02d}" for n in range(1, len(ids) + 1)]
    if ids != expected:
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        missing = sorted(set(expected) - set(ids))
        found.append(
            f"hazard ids must run H01, H02, ... without repeats or gaps: got {', '.join(ids)}"
            f" (repeated: {', '.join(repeated) or 'none'}; missing: {', '.join(missing) or 'none'})"
        )
    for hazard in hazards:
        if not hazard.title:
            found.append(f"{hazard.id}: the hazard is not described")
        if not hazard.tests:
            found.append(f"{hazard.id}: names no test (tests/....py::test_name)")
        for node_id in hazard.tests:
            why = node_problem(node_id, root)
            if why is not None:
                found.append(f"{hazard.id}: {node_id}: {why}")
        initial, residual = _risk(hazard.initial), _risk(hazard.residual)
        for label, risk in (("initial risk", initial), ("residual risk", residual)):
            if isinstance(risk, str):
                found.append(f"{hazard.id}: {label} {risk}")
        if isinstance(initial, tuple) and isinstance(residual, tuple) and residual[2] > initial[2]:
            found.append(
                f"{hazard.id}: residual risk {hazard.residual!r} is above the initial"
                f" {hazard.initial!r}"
            )
    return found


def _report(found: list[str]) -> str:
    return "\n" + "\n".join(found)


# The log itself.


def test_the_log_has_every_hazard_in_order_with_tests_that_exist() -> None:
    found = problems(LOG.read_text(encoding="utf-8"))
    assert found == [], _report(found)


def test_the_safety_case_mentions_every_hazard() -> None:
    assert SAFETY_CASE.is_file(), f"no safety case at {SAFETY_CASE.relative_to(ROOT)}"
    case = SAFETY_CASE.read_text(encoding="utf-8")
    hazards = read_hazards(LOG.read_text(encoding="utf-8"))
    missing = [h.id for h in hazards if not re.search(rf"\b{h.id}\b", case)]
    assert missing == [], f"safety-case.md does not mention {', '.join(missing)}"


# The checker, on samples, so it can be seen to fail.

HEADER = (
    "| ID | Hazard | Cause | Effect on the patient | Controls in the product "
    "| Initial risk | Residual risk | Tests |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n"
)


def _row(hazard_id: str, tests: str, initial: str = "Medium × Major = 3") -> str:
    return f"| {hazard_id} | A hazard. | c | e | k | {initial} | Very low × Major = 2 | {tests} |\n"


@pytest.fixture
def sample_root(tmp_path: Path) -> Path:
    (tmp_path / "tests" / "unit").mkdir(parents=True)
    (tmp_path / "tests" / "unit" / "test_sample.py").write_text(
        "def test_real():\n    pass\n\n\n"
        "class TestGroup:\n    async def test_inside(self):\n        pass\n",
        encoding="utf-8",
    )
    return tmp_path


def test_the_matrix_is_dcb0129s() -> None:
    assert rating("Very low", "Minor") == 1 and rating("Very high", "Catastrophic") == 5
    assert rating("Medium", "Major") == 3 and rating("Very low", "Major") == 2
    assert [rating(likelihood, "Considerable") for likelihood in LIKELIHOODS] == [2, 2, 3, 3, 4]
    for likelihood in LIKELIHOODS:  # more severe or more likely is never less risky
        row = MATRIX[likelihood]
        assert list(row) == sorted(row)
    for column in range(len(SEVERITIES)):
        ratings = [MATRIX[likelihood][column] for likelihood in LIKELIHOODS]
        assert ratings == sorted(ratings)


def test_a_sample_that_is_right_passes(sample_root: Path) -> None:
    text = HEADER + _row("H01", "`tests/unit/test_sample.py::test_real`")
    text += _row("H02", "`tests/unit/test_sample.py::TestGroup::test_inside`")
    assert problems(text, sample_root, fewest=2) == []


def test_a_row_naming_a_missing_test_is_caught(sample_root: Path) -> None:
    text = HEADER + _row("H01", "`tests/unit/test_sample.py::test_real`")
    text += _row("H02", "`tests/unit/test_sample.py::test_gone`")
    text += _row("H03", "`tests/unit/test_missing.py::test_real`")
    text += _row("H04", "`tests/unit/test_sample.py::TestGroup::test_real`")
    text += _row("H05", "`tests/unit/test_sample.py::test_real[case]`")
    assert problems(text, sample_root, fewest=5) == [
        "H02: tests/unit/test_sample.py::test_gone: "
        "not defined at module level of tests/unit/test_sample.py",
        "H03: tests/unit/test_missing.py::test_real: no file tests/unit/test_missing.py",
        "H04: tests/unit/test_sample.py::TestGroup::test_real: "
        "not defined in its class of tests/unit/test_sample.py",
        "H05: tests/unit/test_sample.py::test_real[case]: "
        "name the test function without its [parameters]",
    ]


def test_ids_that_repeat_or_skip_and_a_row_without_tests_are_caught(sample_root: Path) -> None:
    real = "`tests/unit/test_sample.py::test_real`"
    text = HEADER + _row("H01", real) + _row("H01", real) + _row("H03", "none yet")
    found = problems(text, sample_root, fewest=14)
    assert found[0] == "the log has 3 hazards; at least 14 are needed"
    assert "repeated: H01; missing: H02" in found[1]
    assert found[2:] == ["H03: names no test (tests/....py::test_name)"]


def test_risks_off_the_matrix_or_rising_are_caught(sample_root: Path) -> None:
    real = "`tests/unit/test_sample.py::test_real`"
    text = HEADER + _row("H01", real, initial="Medium × Major = 4")
    text += _row("H02", real, initial="Quite likely × Major = 3")
    text += _row("H03", real, initial="Very low × Minor = 1")
    assert problems(text, sample_root, fewest=3) == [
        "H01: initial risk 'Medium × Major = 4': the matrix gives Medium × Major = 3",
        "H02: initial risk 'Quite likely × Major = 3' is not "
        "'<Likelihood> × <Severity> = <rating>'",
        "H03: residual risk 'Very low × Major = 2' is above the initial 'Very low × Minor = 1'",
    ]
