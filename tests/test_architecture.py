"""The layering rules of pyproject.toml's import-linter contracts hold for the code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert lint_imports(no_cache=True) == 0, "an import breaks the layers (run lint-imports)"
    assert os.getcwd() == str(ROOT)


def test_a_desk_starts_without_the_hub_or_the_file_checkers() -> None:
    """What the desk imports to open its window leaves out the hub's web stack (needed
    only for the embedded demo hub), Pillow and pypdf (when a file is first attached),
    Alembic (when the store needs migrating) and the reports' SQL (when a report is
    first made): each costs start-up time (``bench/bench_cold_start.py``)."""
    probe = (
        "import sys, bhcp_ag.app, bhcp_ag.cli, bhcp_ag.ui.main_window\n"
        "heavy = ('fastapi', 'uvicorn', 'starlette', 'PIL', 'pypdf', 'alembic')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy\n"
        "    or m.startswith(('bhcp_ag.hub', 'bhcp_ag.sqlkit.report_sql'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout
