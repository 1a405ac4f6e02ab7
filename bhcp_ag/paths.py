"""Where the app keeps its files, in one place.

Data paths come from ``platformdirs`` with environment overrides so that tests (and
anyone running two clients on one machine) can redirect every location:

- ``BHCP_AG_DATA_DIR``: the user data directory (local store, attachments).
- ``BHCP_AG_STORE``: the local store file itself.

``migrations/`` and ``resources/`` sit at the top of the project, beside the package.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "bhcp-ag"
APP_AUTHOR = "Bay Health and Care Partners"

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESOURCES_DIR = PROJECT_ROOT / "resources"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
STORE_MIGRATIONS_DIR = MIGRATIONS_DIR / "store"
HUB_MIGRATIONS_DIR = MIGRATIONS_DIR / "hub"


def data_dir() -> Path:
    """The user data directory, created if missing."""
    override = os.environ.get("BHCP_AG_DATA_DIR")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_store_path() -> Path:
    """The local store's file: ``BHCP_AG_STORE`` or ``store.sqlite3`` in the data directory."""
    override = os.environ.get("BHCP_AG_STORE")
    return Path(override) if override else data_dir() / "store.sqlite3"
