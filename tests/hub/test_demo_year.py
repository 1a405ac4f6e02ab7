"""``bhcp-ag-hub demo --year 2016/17``: the report over that year gives the published figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import distinct, func, select

from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.models import Conversation
from bhcp_ag.hub_cli import build_parser, main

YEAR_REPORT = ["--from", "2016-04-01", "--to", "2017-03-31", "--format", "json"]


def _report(url: str, capsys: pytest.CaptureFixture[str], *by: str) -> list[dict[str, Any]]:
    assert main(["report", "--database", url, *YEAR_REPORT, *by]) == 0
    rows: list[dict[str, Any]] = json.loads(capsys.readouterr().out)["rows"]
    return rows


def _hub_counts(url: str) -> tuple[int, int, int]:
    database = HubDatabase.open(url)
    try:
        with database.transaction() as session:
            c = Conversation
            return (
                session.scalar(select(func.count(distinct(c.specialty_code)))) or 0,
                session.scalar(select(func.count()).where(c.status == "draft")) or 0,
                session.scalar(select(func.count()).where(c.closed_at.is_(None))) or 0,
            )
    finally:
        database.close()


@pytest.mark.parametrize("seed", ["2017", "9"])
def test_the_year_reproduces_the_published_figures(
    seed: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    assert main(["demo", "--database", url, "--year", "2016/17", "--seed", seed]) == 0
    out = capsys.readouterr().out
    assert "Demo conversations added: 4,634 with" in out
    assert "2,422 would have been referred, 1,602 referrals avoided" in out
    (whole,) = _report(url, capsys)
    assert whole["conversations"] == 4634
    assert whole["would_have_referred"] == 2422
    assert whole["referrals_avoided"] == 1602
    assert whole["avoidance_rate"] == 66.1 and round(whole["avoidance_rate"]) == 66
    assert whole["overdue_now"] == 0
    assert len(_report(url, capsys, "--by", "specialty")) == 19
    assert _hub_counts(url) == (19, 0, 0)  # 19 specialties, no drafts, nothing left open
    months = _report(url, capsys, "--by", "month")
    assert len(months) == 12 and sum(row["conversations"] for row in months) == 4634


def test_the_year_also_reads_2016_17_and_is_loaded_only_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    assert main(["demo", "--database", url, "--conversations", "30", "--end", "2026-11-20"]) == 0
    capsys.readouterr()
    assert main(["demo", "--database", url, "--year", "2016-17"]) == 0
    assert "none added (This hub already holds 29 conversations" in capsys.readouterr().out


def test_the_year_takes_neither_an_end_nor_a_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--database", url, "--year", "2016/17", "--end", "2017-03-31"])
    assert exit_info.value.code == 2
    assert "not allowed with argument --year" in capsys.readouterr().err
    assert main(["demo", "--database", url, "--year", "2016/17", "--conversations", "10"]) == 1
    assert "cannot be given with --year: 2016/17 has 4,634" in capsys.readouterr().err
    assert not (tmp_path / "hub.sqlite3").exists()  # refused before opening anything


def test_only_published_years_are_taken(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["demo", "--year", "2017/18"])
    assert "published no figures for 2017/18 (known: 2016/17)" in capsys.readouterr().err
    assert build_parser().parse_args(["demo", "--year", "2016-17"]).year.label == "2016/17"
