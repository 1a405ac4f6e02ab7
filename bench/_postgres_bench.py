"""A PostgreSQL cluster for the benchmarks, kept in a data directory that outlives the run.

The integration tests' :mod:`tests.integration._postgres` makes a throwaway cluster in a
temporary directory and removes it; a benchmark over a million conversations cannot load
them at every run, so here the data directory is the caller's (in ``bench/.cache``) and is
only stopped, never removed. Same approach otherwise: Debian's ``initdb`` and ``pg_ctl``,
as the ``postgres`` user when run as root (``initdb`` refuses root), on a free loopback
port, with the socket in a temporary directory.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def pg_binary(name: str) -> str:
    for directory in PG_BIN_DIRS:
        if (directory / name).exists():
            return str(directory / name)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"PostgreSQL is not installed ({name} not found); install postgresql.")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres_user() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _give_to_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(path, entry.pw_uid, entry.pw_gid)


class BenchCluster:
    """A running cluster on ``port`` over the data directory ``data``."""

    def __init__(self, data: Path, port: int) -> None:
        self.data = data
        self.port = port

    def url(self, database: str, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> None:
        """Run one statement outside a transaction (CREATE DATABASE, VACUUM, ANALYZE)."""
        with psycopg.connect(self.url(database, "postgresql"), autocommit=True) as connection:
            connection.execute(statement)  # type: ignore[arg-type]


@contextmanager
def running_cluster(data: Path) -> Iterator[BenchCluster]:
    """Run a cluster over ``data`` (made with ``initdb`` if it is not there yet), and stop
    it, always, when the block ends. The data directory stays."""
    initdb, pg_ctl = pg_binary("initdb"), pg_binary("pg_ctl")
    prefix = _as_postgres_user()
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        _give_to_postgres(data)
        subprocess.run(
            [*prefix, initdb, "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"]
            + ["--locale=C", "--no-sync"],
            check=True,
            capture_output=True,
        )
    sockets = Path(tempfile.mkdtemp(prefix="bhcp-bench-pg-"))
    _give_to_postgres(sockets)
    port = _free_port()
    # Durability off, as in the tests: it only slows the load, never the reports' reads.
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_wal_size=4GB"
    )
    log = sockets / "postgres.log"
    try:
        started = subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w", "start"],
            capture_output=True,
            check=False,
        )
        if started.returncode:
            server_log = log.read_text() if log.exists() else ""
            raise SystemExit(f"PostgreSQL did not start over {data}:\n{server_log}")
        try:
            yield BenchCluster(data, port)
        finally:
            subprocess.run(
                [*prefix, pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"],
                capture_output=True,
                check=False,
            )
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
