"""The layering rules of pyproject.toml's import-linter contracts hold for the code."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert lint_imports(no_cache=True) == 0, "an import breaks the layers (run lint-imports)"
    assert os.getcwd() == str(ROOT)
