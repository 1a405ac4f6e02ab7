"""A normal start is quiet: warnings and errors only; ``--verbose`` shows what was done.

Run as a user would, in a new process on a new store, so the migrations really run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bhcp_ag(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "main.py"), *args]
    command += ["--store", str(tmp_path / "store.sqlite3"), "demo-data", "--conversations", "3"]
    env = {"BHCP_AG_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env, check=False
    )


def test_a_new_store_migrates_without_a_line_on_the_terminal_but_the_result(tmp_path):
    done = _bhcp_ag(tmp_path)

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.startswith("Wrote 3 conversations")


def test_verbose_shows_the_migrations(tmp_path):
    done = _bhcp_ag(tmp_path, "--verbose")

    assert done.returncode == 0, done.stderr
    assert "INFO alembic.runtime.migration Running upgrade" in done.stderr
