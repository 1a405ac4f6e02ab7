"""``bhcp-ag-hub report``: the A&G report from the hub's database as CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bhcp_ag.hub_cli import main


@pytest.fixture(scope="module")
def hub_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('hub') / 'hub.sqlite3'}"
    argv = ["demo", "--database", url, "--conversations", "1500", "--end", "2017-03-31"]
    assert main(argv) == 0
    return url


def report(url: str, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    argv = ["report", "--database", url, "--from", "2016-04-01", "--to", "2017-03-31", *args]
    assert main(argv) == 0
    return capsys.readouterr().out


def table_and_about(text: str) -> tuple[list[dict[str, str]], list[list[str]]]:
    """The CSV's table (as dicts), and the rows after the blank line below it."""
    table, about = text.split("\n\n", 1)
    return list(csv.DictReader(io.StringIO(table))), list(csv.reader(io.StringIO(about)))


def test_csv_by_specialty_adds_up_to_the_bay(
    hub_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    [bay], _ = table_and_about(report(hub_url, capsys))
    rows, _ = table_and_about(report(hub_url, capsys, "--by", "specialty"))
    assert set(rows[0]) >= {"specialty", "specialty_name", "conversations", "avoidance_rate"}
    assert rows[0]["specialty_name"]  # "Dermatology", not only "330"
    for key in ("conversations", "would_have_referred", "referrals_avoided"):
        assert sum(float(r[key]) for r in rows) == float(bay[key]) > 0
    assert float(bay["money_saved"]) == 160 * float(bay["referrals_avoided"])
    assert bay["conversations"].isdigit() and bay["miles_saved"].isdigit()  # 4634, not 4634.0


def test_csv_carries_the_period_breakdowns_and_assumptions(
    hub_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = report(hub_url, capsys, "--by", "network", "--by", "month", "--tariff", "200")
    rows, about = table_and_about(text)
    assert len(rows) == 3 * 12 and set(rows[0]) >= {"network", "month", "money_saved"}
    assert all(float(r["money_saved"]) == 200 * float(r["referrals_avoided"]) for r in rows)
    assert ["Period from (London date)", "2016-04-01"] in about
    assert ["Period to (London date; inclusive)", "2017-03-31"] in about
    assert ["Breakdown", "Network, then month"] in about
    assert ["Practices", "All"] in about
    money = ["Assumption", "Money not spent", "£200 for each first outpatient attendance avoided."]
    assert money in about


def test_json_carries_the_measures_and_assumptions(
    hub_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = report(hub_url, capsys, "--by", "network", "--by", "month", "--format", "json",
                  "--tariff", "200")  # fmt: skip
    document = json.loads(text)
    assert document["period"] == {"from": "2016-04-01", "to": "2017-03-31"}
    assert document["by"] == ["network", "month"]
    assert "£200" in document["assumptions"]["money_saved"]
    units = {m["key"]: m["unit"] for m in document["measures"]}
    assert units["avoidance_rate"] == "percent" and units["miles_saved"] == "miles"
    assert len(document["rows"]) == 3 * 12  # three networks by twelve months


def test_a_backwards_period_is_refused(hub_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["report", "--database", hub_url, "--from", "2017-03-31", "--to", "2016-04-01"]
    assert main(argv) == 1
    assert "--to must be on or after --from" in capsys.readouterr().err


def test_the_same_breakdown_twice_is_refused_as_an_argument_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    argv = ["report", "--database", url, "--from", "2016-04-01", "--to", "2017-03-31",
            "--by", "network", "--by", "month", "--by", "network"]  # fmt: skip
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "argument --by: 'network' is given twice" in error
    assert not (tmp_path / "unused.sqlite3").exists()  # refused before opening anything


def test_three_breakdowns_add_up_to_the_bay(
    hub_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    [bay], _ = table_and_about(report(hub_url, capsys))
    text = report(hub_url, capsys, "--by", "network", "--by", "priority", "--by", "sex")
    rows, about = table_and_about(text)
    assert set(rows[0]) >= {"network", "priority", "sex", "conversations"}
    assert len({(r["network"], r["priority"], r["sex"]) for r in rows}) == len(rows) > 3
    assert sum(float(r["conversations"]) for r in rows) == float(bay["conversations"])
    assert ["Breakdown", "Network, then priority, then sex"] in about


def test_help_names_the_breakdowns(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    assert "network" in capsys.readouterr().out


def test_workload_lists_answers_per_specialist(
    hub_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = list(csv.DictReader(io.StringIO(report(hub_url, capsys, "--workload"))))
    assert rows and set(rows[0]) == {
        "specialist", "specialty", "specialty_name", "answers", "advice", "questions",
        "conversions", "conversations",
    }  # fmt: skip
    assert rows[0]["specialist"].startswith("Dr ")
    assert all(
        int(r["answers"]) == int(r["advice"]) + int(r["questions"]) + int(r["conversions"])
        for r in rows
    )
    answers = [int(r["answers"]) for r in rows]
    assert answers == sorted(answers, reverse=True)


def test_filters_narrow_to_a_network_an_icc_and_a_specialty(
    hub_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    by_network, _ = table_and_about(report(hub_url, capsys, "--by", "network"))
    furness = next(r for r in by_network if r["network"] == "Furness Peninsula")
    [only], about = table_and_about(report(hub_url, capsys, "--network", "FP"))
    assert only["conversations"] == furness["conversations"] != "0"
    assert ["Practices", "Furness Peninsula network (14 practices)"] in about
    by_icc, _ = table_and_about(report(hub_url, capsys, "--network", "FP", "--by", "icc"))
    assert {r["icc"] for r in by_icc} <= {"Millom", "Alfred Barrow", "Barrow Town",
                                          "Dalton & Ulverston"}  # fmt: skip
    both, _ = table_and_about(report(hub_url, capsys, "--icc", "MIL", "--icc", "BTN"))
    millom, barrow = (next(r for r in by_icc if r["icc"] == n) for n in ("Millom", "Barrow Town"))
    assert float(both[0]["conversations"]) == float(millom["conversations"]) + float(
        barrow["conversations"]
    )
    derm, _ = table_and_about(report(hub_url, capsys, "--specialty", "330", "--by", "specialty"))
    assert [r["specialty"] for r in derm] == ["330"]
    urgent, _ = table_and_about(report(hub_url, capsys, "--priority", "URGENT", "--by", "priority"))
    assert [r["priority"] for r in urgent] == ["URGENT"]


@pytest.mark.parametrize(
    ("flag", "code", "words"),
    [
        ("--network", "XX", "no network with the code 'XX'"),
        ("--icc", "NOPE", "no ICC with the code 'NOPE'"),
        ("--practice", "BAY999", "no practice with the code 'BAY999'"),
        ("--specialty", "999", "no specialty with the code '999'"),
    ],
)
def test_an_unknown_code_is_refused_in_words(
    hub_url: str, capsys: pytest.CaptureFixture[str], flag: str, code: str, words: str
) -> None:
    argv = ["report", "--database", hub_url, "--from", "2016-04-01", "--to", "2017-03-31"]
    assert main([*argv, flag, code]) == 1
    assert words in capsys.readouterr().err
