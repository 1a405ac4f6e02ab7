"""The app's sync in a process of its own, for a test to kill mid-pull.

Usage: ``python _sync_child.py STORE HUB_URL USERNAME PAGE_SIZE``. Opens the (migrated,
seeded) store, signs in with the demo password, runs one sync cycle and prints its state.
The token lives in memory only: the keyring has its own test.
"""

from __future__ import annotations

import sys
from pathlib import Path

from keyring.backends import fail

from bhcp_ag.hub.demo_users import DEMO_PASSWORD
from bhcp_ag.store.db import Store, create_sqlite_engine
from bhcp_ag.sync.client import HubClient
from bhcp_ag.sync.credentials import TokenStore
from bhcp_ag.sync.engine import SyncEngine


def main(argv: list[str]) -> int:
    store_path, hub_url, username, page_size = argv
    store = Store(create_sqlite_engine(Path(store_path)))
    tokens = TokenStore(hub_url, backend=fail.Keyring())
    client = HubClient(hub_url, credentials=tokens, timeout=(2, 30))
    try:
        engine = SyncEngine(store, client, tokens, page_size=int(page_size))
        engine.sign_in(username, DEMO_PASSWORD)
        print(engine.sync_once().state.value, flush=True)
    finally:
        client.close()
        tokens.close()
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
