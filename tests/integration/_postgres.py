"""A throwaway PostgreSQL cluster for the integration tests (``conftest.py``'s fixtures).

:func:`running_cluster` runs ``initdb`` and ``pg_ctl`` from Debian's PostgreSQL, as the
``postgres`` user when the tests run as root (``initdb`` refuses root), on a free loopback
port with its socket in the cluster's own temporary directory, and stops and removes the
cluster when closed. Missing binaries skip the PostgreSQL tests, or fail them when ``CI``
is set.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def _pg_binary(name: str) -> str | None:
    for directory in PG_BIN_DIRS:
        if (directory / name).exists():
            return str(directory / name)
    return shutil.which(name)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class PostgresCluster:
    port: int
    directory: Path

    def url(self, database: str, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def admin_sql(self, statement: str) -> None:
        with psycopg.connect(self.url("postgres", "postgresql"), autocommit=True) as connection:
            connection.execute(statement)  # type: ignore[arg-type]


def _as_postgres_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.fail("Running as root needs a 'postgres' user to run initdb and pg_ctl.")
    return ["runuser", "-u", "postgres", "--"]


def _missing_postgres(what: str) -> None:
    message = f"PostgreSQL is not installed ({what} not found); install Debian's postgresql."
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _start_cluster(initdb: str, pg_ctl: str) -> PostgresCluster:
    directory = Path(tempfile.mkdtemp(prefix="bhcp-hub-pg-"))
    prefix = _as_postgres_user()
    if prefix:
        entry = pwd.getpwnam("postgres")
        os.chown(directory, entry.pw_uid, entry.pw_gid)
    data, port = directory / "data", _free_port()
    quiet: dict[str, Any] = {"check": True, "capture_output": True}
    subprocess.run(
        [*prefix, initdb, "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"]
        + ["--locale=C", "--no-sync"],
        **quiet,
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {directory} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    log = directory / "postgres.log"
    subprocess.run(
        [*prefix, pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w", "start"], **quiet
    )
    return PostgresCluster(port, directory)


def _stop_cluster(cluster: PostgresCluster, pg_ctl: str) -> None:
    subprocess.run(
        [
            *_as_postgres_user(),
            pg_ctl,
            "-D",
            str(cluster.directory / "data"),
            "-m",
            "fast",
            "stop",
        ],
        capture_output=True,
        check=False,
    )
    shutil.rmtree(cluster.directory, ignore_errors=True)


def running_cluster(template: str, prepare: Callable[[str], None]) -> Iterator[PostgresCluster]:
    """Run a cluster until the generator is closed; yields it with database ``template``
    created and ``prepare``d (given its URL), for tests to copy."""
    initdb, pg_ctl = _pg_binary("initdb"), _pg_binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        _missing_postgres("initdb" if initdb is None else "pg_ctl")
    assert initdb is not None and pg_ctl is not None
    cluster = _start_cluster(initdb, pg_ctl)
    try:
        cluster.admin_sql(f"CREATE DATABASE {template}")
        prepare(cluster.url(template))
        yield cluster
    finally:
        _stop_cluster(cluster, pg_ctl)
