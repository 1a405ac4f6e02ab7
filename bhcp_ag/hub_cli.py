"""``bhcp-ag-hub``: run the hub, add users, seed the demo accounts.

Every command takes ``--database URL``: by default the embedded SQLite database
``hub.sqlite3`` in the user data directory; ``postgresql+psycopg://user@host/db`` for
production. Every command migrates the database first (refusing one written by a newer
hub) and brings the Bay's practices and specialties up to date.

- ``serve``: run the hub with uvicorn, on loopback unless ``--host`` says otherwise
  (TLS is the deployment's job: put a reverse proxy in front of a hub on the network).
  ``--trusted-proxy ADDRESS`` (repeatable) names a reverse proxy whose
  ``X-Forwarded-For`` the hub believes; ``--idle-minutes`` how long an unused sign-in lasts;
  ``--workers N`` serves with N processes on the one port (uvicorn's, each a whole hub
  over the same database, which holds everything kept between requests).
- ``create-user USERNAME --role ROLE``: the password comes from standard input when it is
  not a terminal (the first line), otherwise from a prompt asked twice; never from an
  argument, where other users of the machine could read it.
- ``deactivate-user`` / ``reactivate-user USERNAME``: stop (every session ends at once)
  or allow a user's sign-in; ``reset-password USERNAME`` (the password read as for
  ``create-user``; every session ends); ``sessions USERNAME`` lists their sessions.
- ``demo``: the Bay's practices and specialties, one demo account per role, and a demo
  year of conversations on a hub that has none; ``--year 2016/17`` makes it the scheme's
  published year, with exactly its figures (4,634 conversations, 2,422 would have been
  referred, 1,602 referrals avoided).
- ``report --from DATE --to DATE [--by DIMENSION] --format csv|json``: the A&G report
  (:mod:`bhcp_ag.hub_report_cli`).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, TextIO

from sqlalchemy.orm import Session

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.demo import SchemeYear, scheme_year
from bhcp_ag.domain.organisation import USER_ROLES, Organisation, UnknownCode
from bhcp_ag.domain.organisation import User as Person
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.hub import accounts, audit
from bhcp_ag.hub.accounts import (
    AccountRefused,
    NewPassword,
    create_user,
    password_words,
    user_by_username,
    words_of,
)
from bhcp_ag.hub.db import HubDatabase, HubDatabaseTooNew
from bhcp_ag.hub.demo import seed_demo, seed_reference_data
from bhcp_ag.hub.demo_conversations import (
    DEMO_CONVERSATIONS,
    DemoConversationsRefused,
    load_demo_conversations,
)
from bhcp_ag.hub.identity import NotADemoHub
from bhcp_ag.hub.models import User
from bhcp_ag.hub.security import Passwords, live_tokens
from bhcp_ag.hub.settings import HubSettings, default_database_url
from bhcp_ag.hub_report_cli import add_report_parser, report_text

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
MAX_WORKERS = 64
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
ACCOUNT_COMMANDS = frozenset({"deactivate-user", "reactivate-user", "reset-password", "sessions"})


class CommandFailed(Exception):
    """A command that cannot go on; its message is printed and the exit status is 1."""


def _add_database(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        metavar="URL",
        help="the hub database (default: the embedded SQLite database in the user data "
        "directory; for PostgreSQL: postgresql+psycopg://user@host/database)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bhcp-ag-hub",
        description="The Advice and Guidance hub of Bay Health and Care Partners.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="run the hub", description="Run the hub.")
    _add_database(serve)
    serve.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (loopback)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default 8765)")
    serve.add_argument(
        "--trusted-proxy",
        metavar="ADDRESS",
        action="append",
        default=[],
        help="a reverse proxy (address or network, e.g. 10.0.0.5 or 10.1.0.0/16) whose "
        "X-Forwarded-For is believed; repeat for more. Without it the header is ignored",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="hub processes to serve with, on this one port (default 1); each needs its "
        "database connections (PostgreSQL, for more than one)",
    )
    serve.add_argument(
        "--idle-minutes",
        type=int,
        default=30,
        help="a sign-in unused for this long ends (default 30; the desktop's sync keeps an "
        "open desk's sign-in alive)",
    )
    create = commands.add_parser(
        "create-user",
        help="add a user",
        description="Add a user. The password is read from standard input when it is not "
        "a terminal, otherwise asked for twice; it is never an argument.",
    )
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=[str(role) for role in USER_ROLES])
    create.add_argument("--practice", metavar="CODE", help="the practice of a GP or manager")
    create.add_argument(
        "--specialty",
        metavar="CODE",
        action="append",
        default=[],
        help="a specialist's specialty (treatment function code); repeat for more than one",
    )
    create.add_argument("--display-name", metavar="NAME", help="the name shown to others")
    _add_database(create)
    _add_account_commands(commands)
    demo = commands.add_parser(
        "demo",
        help="seed practices, specialties and demo accounts",
        description="Seed the Bay's practices and specialties and one demo account per "
        "role (password demo-password-2026), and, on a hub without conversations, a "
        "demo Bay year of conversations. Safe to run again.",
    )
    demo.add_argument(
        "--conversations",
        type=int,
        help=f"how many demo conversations (0 for none; default {DEMO_CONVERSATIONS})",
    )
    demo.add_argument("--seed", type=int, default=2017, help="the demo year's random seed")
    when = demo.add_mutually_exclusive_group()
    when.add_argument(
        "--end", type=date.fromisoformat, help="the demo year's last day (default: today)"
    )
    when.add_argument(
        "--year",
        type=_scheme_year,
        metavar="YYYY/YY",
        help="a financial year the scheme published, with exactly its figures: 2016/17 "
        "(4,634 conversations, 19 specialties)",
    )
    _add_database(demo)
    add_report_parser(commands, _add_database)
    return parser


def _add_account_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    for name, summary in (
        ("deactivate-user", "stop a user signing in; every session of theirs ends at once"),
        ("reactivate-user", "let a deactivated user sign in again"),
        (
            "reset-password",
            "give a user a new password (read like create-user's); every session ends",
        ),
        ("sessions", "list a user's live sessions"),
    ):
        command = commands.add_parser(
            name, help=summary, description=summary[0].upper() + summary[1:] + "."
        )
        command.add_argument("username")
        _add_database(command)


def _database_url(given: str | None) -> str:
    return given or default_database_url()


def _open(url: str) -> HubDatabase:
    """The hub database, migrated, with the Bay's practices and specialties up to date."""
    try:
        database = HubDatabase.open(url)
    except HubDatabaseTooNew as error:
        raise CommandFailed(str(error)) from None
    with database.transaction() as session:
        seed_reference_data(session, Organisation.load(), SpecialtyCatalogue.load())
    return database


def read_password(stdin: TextIO, prompt: str = "Password for the new user: ") -> str:
    """The new password: the first line of a pipe, or typed twice at a prompt."""
    if not stdin.isatty():
        return stdin.readline().rstrip("\r\n")
    first = getpass.getpass(prompt)
    if getpass.getpass("The same password again: ") != first:
        raise CommandFailed("The two passwords differ; nothing was changed.")
    return first


def cmd_create_user(args: argparse.Namespace, stdin: TextIO) -> str:
    person = Person(
        username=args.username,
        display_name=args.display_name or args.username,
        role=Role(args.role),
        practice_code=args.practice,
        specialty_codes=tuple(args.specialty),
    )
    try:
        password = NewPassword.of(Passwords(), read_password(stdin), words_of(person))
    except AccountRefused as refusal:
        raise CommandFailed(str(refusal)) from None
    database = _open(_database_url(args.database))
    try:
        with database.transaction() as session:
            user = create_user(session, person, password)
            return f"Created {user.role} '{user.username}' (id {user.id})."
    except AccountRefused as refusal:
        raise CommandFailed(str(refusal)) from None
    finally:
        database.close()


def _account(session: Session, username: str) -> User:
    user = user_by_username(session, username)
    if user is None:
        raise CommandFailed(f"This hub has no user '{username}'.")
    return user


def _audit(session: Session, action: str, user: User, **detail: Any) -> None:
    audit.record(
        session, action, object_type="user", object_id=user.id, via="command line", **detail
    )


def cmd_account(args: argparse.Namespace, stdin: TextIO) -> str:
    """deactivate-user, reactivate-user, reset-password, sessions."""
    password = None
    if args.command == "reset-password":
        raw = read_password(stdin, f"New password for {args.username}: ")
    database = _open(_database_url(args.database))
    try:
        if args.command == "reset-password":
            with database.transaction() as session:
                user = _account(session, args.username)
                words = password_words(user.username, user.display_name)
            try:
                password = NewPassword.of(Passwords(), raw, words)
            except AccountRefused as refusal:
                raise CommandFailed(str(refusal)) from None
        with database.transaction() as session:
            return _account_change(
                session, args.command, _account(session, args.username), password
            )
    finally:
        database.close()


def _account_change(
    session: Session, command: str, user: User, password: NewPassword | None
) -> str:
    if command == "deactivate-user":
        ended = accounts.deactivate(session, user)
        _audit(session, "user.deactivated", user, sessions_ended=ended)
        return f"Deactivated '{user.username}'; {ended} session(s) ended."
    if command == "reactivate-user":
        accounts.reactivate(user)
        _audit(session, "user.reactivated", user)
        return f"Reactivated '{user.username}'."
    if command == "reset-password":
        assert password is not None
        ended = accounts.set_password(session, user, password)
        _audit(session, "user.password_reset", user, sessions_ended=ended)
        return f"New password set for '{user.username}'; {ended} session(s) ended."
    tokens = live_tokens(session, user.id)
    lines = [f"{len(tokens)} live session(s) of '{user.username}':"]
    for token in tokens:
        used = token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else "-"
        lines.append(
            f"  {token.id}  from {token.client_address or '?'}  signed in "
            f"{token.created_at.isoformat(timespec='seconds')}  last used {used}"
        )
    return "\n".join(lines)


def _scheme_year(text: str) -> SchemeYear:
    try:
        return scheme_year(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def cmd_demo(args: argparse.Namespace) -> str:
    if args.year is not None and args.conversations is not None:
        raise CommandFailed(
            f"--conversations cannot be given with --year: {args.year.label} has "
            f"{args.year.conversations:,}, as published."
        )
    if args.conversations is None:
        args.conversations = DEMO_CONVERSATIONS
    if args.conversations < 0:
        raise CommandFailed("--conversations cannot be negative.")
    database = _open(_database_url(args.database))
    try:
        try:
            with database.transaction() as session:
                created = seed_demo(
                    session, Passwords(), Organisation.load(), SpecialtyCatalogue.load()
                )
        except NotADemoHub as refusal:
            raise CommandFailed(str(refusal)) from None
        loaded = _demo_conversations(database, args) if args.conversations else ""
    finally:
        database.close()
    added = ", ".join(created) if created else "none (they exist already)"
    return f"Seeded practices and specialties. Demo accounts added: {added}.{loaded}"


def _demo_conversations(database: HubDatabase, args: argparse.Namespace) -> str:
    try:
        with database.transaction() as session:
            summary = load_demo_conversations(
                session,
                conversations=args.conversations,
                seed=args.seed,
                end=args.end,
                year=args.year,
            )
    except DemoConversationsRefused as refusal:
        return f" Demo conversations: none added ({refusal})"
    added = (
        f" Demo conversations added: {summary.conversations:,} with {summary.messages:,} messages"
    )
    if args.year is None:
        return f"{added}."
    return (
        f"{added}, the scheme's {args.year.label}: {summary.would_have_referred:,} would have "
        f"been referred, {summary.avoided:,} referrals avoided."
    )


def cmd_report(args: argparse.Namespace) -> str:
    if args.last < args.first:
        raise CommandFailed("--to must be on or after --from.")
    if args.tariff < 0:
        raise CommandFailed("--tariff cannot be negative.")
    database = _open(_database_url(args.database))
    try:
        return report_text(database, args, datetime.now(UTC))
    except UnknownCode as unknown:
        raise CommandFailed(str(unknown.args[0])) from None
    finally:
        database.close()


def cmd_serve(args: argparse.Namespace) -> str:
    import uvicorn  # imported here: the other commands need no web server

    from bhcp_ag.hub.app import (
        SERVER_OPTIONS,
        WORKER_SETTINGS_ENV,
        create_app,
        worker_settings_json,
    )

    if args.idle_minutes < 1:
        raise CommandFailed("--idle-minutes must be at least 1.")
    if not 1 <= args.workers <= MAX_WORKERS:
        raise CommandFailed(f"--workers must be from 1 to {MAX_WORKERS}.")
    try:
        settings = HubSettings(
            database_url=_database_url(args.database),
            trusted_proxies=tuple(args.trusted_proxy),
            token_idle_timeout=timedelta(minutes=args.idle_minutes),
        )
    except ValueError as error:
        raise CommandFailed(str(error)) from None
    _open(settings.database_url).close()  # migrate now, so a refusal is a clear message
    if args.host not in LOOPBACK_HOSTS:
        print(
            f"Listening on {args.host}: the hub speaks plain HTTP; put a TLS proxy in front.",
            file=sys.stderr,
        )
    if args.workers == 1:
        uvicorn.run(create_app(settings), host=args.host, port=args.port, **SERVER_OPTIONS)
        return "The hub has stopped."
    os.environ[WORKER_SETTINGS_ENV] = worker_settings_json(settings)
    uvicorn.run(
        "bhcp_ag.hub.app:app_from_environment",
        factory=True,
        workers=args.workers,
        host=args.host,
        port=args.port,
        **SERVER_OPTIONS,
    )
    return "The hub has stopped."


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "create-user":
            message = cmd_create_user(args, stdin or sys.stdin)
        elif args.command == "demo":
            message = cmd_demo(args)
        elif args.command in ACCOUNT_COMMANDS:
            message = cmd_account(args, stdin or sys.stdin)
        elif args.command == "report":
            message = cmd_report(args)
        else:
            message = cmd_serve(args)
    except CommandFailed as failure:
        print(f"bhcp-ag-hub: {failure}", file=sys.stderr)
        return 1
    print(message)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
