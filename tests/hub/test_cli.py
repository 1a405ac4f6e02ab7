"""``bhcp-ag-hub``: help for every command, demo seeding, create-user with a piped password,
deactivating, resetting and listing the sessions of a user."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.models import User
from bhcp_ag.hub_cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["serve"],
        ["create-user"],
        ["demo"],
        ["deactivate-user"],
        ["reactivate-user"],
        ["reset-password"],
        ["sessions"],
    ],
)
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: bhcp-ag-hub")
    if command:
        assert "--database" in out


def test_help_runs_as_a_program() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bhcp_ag.hub_cli", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "create-user" in result.stdout and "serve" in result.stdout


def test_serve_defaults_to_loopback() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.database) == ("127.0.0.1", 8765, None)


def test_the_password_is_never_an_argument(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["create-user", "a.b", "--role", "admin", "--password", "x"])
    assert "unrecognized arguments: --password" in capsys.readouterr().err


def _users(url: str) -> dict[str, User]:
    database = HubDatabase.open(url)
    try:
        with database.transaction() as session:
            return {u.username: u for u in session.scalars(select(User))}
    finally:
        database.close()


def test_demo_then_create_user_from_standard_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    assert main(["demo", "--database", url, "--conversations", "0"]) == 0
    assert main(["demo", "--database", url, "--conversations", "0"]) == 0  # changes nothing
    assert "none (they exist already)" in capsys.readouterr().out
    argv = ["create-user", "Mia.Lund", "--role", "specialist", "--specialty", "330"]
    argv += ["--specialty", "410", "--display-name", "Dr Mia Lund", "--database", url]
    assert main(argv, stdin=io.StringIO("a-long-enough-password\n")) == 0
    assert "Created specialist 'mia.lund'" in capsys.readouterr().out
    users = _users(url)
    assert set(users) == {"demo.gp", "demo.specialist", "demo.manager", "demo.admin", "mia.lund"}
    mia = users["mia.lund"]
    assert mia.specialty_codes == ("330", "410") and mia.display_name == "Dr Mia Lund"
    assert mia.password_hash.startswith("$argon2id$")
    assert main(argv, stdin=io.StringIO("a-long-enough-password\n")) == 1
    assert "already taken" in capsys.readouterr().err


def test_create_user_refusals_are_readable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    weak = ["create-user", "a.gp", "--role", "gp", "--practice", "BAY001", "--database", url]
    assert main(weak, stdin=io.StringIO("short\n")) == 1
    assert "at least 12 characters" in capsys.readouterr().err
    no_practice = ["create-user", "a.gp", "--role", "gp", "--database", url]
    assert main(no_practice, stdin=io.StringIO("a-long-enough-password\n")) == 1
    assert "must belong to a GP practice" in capsys.readouterr().err


def test_demo_loads_a_year_of_conversations_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    argv = ["demo", "--database", url, "--conversations", "300", "--end", "2026-11-20"]
    assert main(argv) == 0
    assert "Demo conversations added: 295 with" in capsys.readouterr().out  # 5 drafts stay local
    assert main(argv) == 0
    assert "none added (This hub already holds 295 conversations" in capsys.readouterr().out
    assert main(["demo", "--database", url, "--conversations", "-1"]) == 1
    assert "cannot be negative" in capsys.readouterr().err


def test_account_commands_deactivate_reset_and_list_sessions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import timedelta

    from bhcp_ag.hub.models import AuditEntry, Token
    from bhcp_ag.hub.security import Passwords, issue_token

    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    assert main(["demo", "--database", url, "--conversations", "0"]) == 0
    database = HubDatabase.open(url)
    try:
        with database.transaction() as session:
            gp = session.scalars(select(User).where(User.username == "demo.gp")).one()
            issue_token(session, gp, timedelta(hours=1), client_address="10.2.3.4")
        capsys.readouterr()
        assert main(["sessions", "demo.gp", "--database", url]) == 0
        out = capsys.readouterr().out
        assert "1 live session(s) of 'demo.gp'" in out and "from 10.2.3.4" in out
        assert main(["deactivate-user", "Demo.GP", "--database", url]) == 0
        assert "Deactivated 'demo.gp'; 1 session(s) ended." in capsys.readouterr().out
        assert main(["sessions", "demo.gp", "--database", url]) == 0
        assert "0 live session(s)" in capsys.readouterr().out
        assert main(["reactivate-user", "demo.gp", "--database", url]) == 0
        weak = io.StringIO("password1234\n")
        assert main(["reset-password", "demo.gp", "--database", url], stdin=weak) == 1
        assert "too easy to guess" in capsys.readouterr().err
        good = io.StringIO("kettle-orchid-walrus-9\n")
        assert main(["reset-password", "demo.gp", "--database", url], stdin=good) == 0
        assert main(["deactivate-user", "nobody", "--database", url]) == 1
        assert "no user 'nobody'" in capsys.readouterr().err
        with database.transaction() as session:
            gp = session.scalars(select(User).where(User.username == "demo.gp")).one()
            assert gp.active and gp.deactivated_at is None
            assert Passwords().verify(gp.password_hash, "kettle-orchid-walrus-9")
            assert session.scalars(select(Token)).one().revoked_at is not None
            actions = [e.action for e in session.scalars(select(AuditEntry))]
        assert actions == ["user.deactivated", "user.reactivated", "user.password_reset"]
    finally:
        database.close()


def test_serve_takes_trusted_proxies_and_the_idle_timeout() -> None:
    args = build_parser().parse_args(
        ["serve", "--trusted-proxy", "10.0.0.5", "--trusted-proxy", "10.1.0.0/16"]
    )
    assert args.trusted_proxy == ["10.0.0.5", "10.1.0.0/16"] and args.idle_minutes == 30
    assert main(["serve", "--trusted-proxy", "proxy.example"]) == 1
