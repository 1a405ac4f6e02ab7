"""A store syncs with one hub: the first it ever synced with.

Two hubs' conversations in one store would be counted together in its reports, and a
GP's changes queued for one hub could be sent to another. So before anything is sent or
taken, :func:`check_hub` asks the hub who it is (``GET /health`` gives its ``hub_id``): a
store that has never synced is bound to it; a store bound to another hub refuses, with
:class:`~bhcp_ag.sync.errors.OtherHub` saying what to do. The same hub at a new address
is the same hub (its address is noted).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from bhcp_ag.store.db import Store
from bhcp_ag.store.sync_state import BoundHub, bind_hub, bound_hub
from bhcp_ag.sync.errors import OtherHub, ProtocolMismatch
from bhcp_ag.sync.wire import Json


class AsksWhoTheHubIs(Protocol):
    base_url: str

    def health(self) -> Json: ...


def store_folder(store: Store) -> str:
    database = store.engine.url.database
    return str(Path(database).parent) if database else "memory"


def other_hub_message(bound: BoundHub, url: str, folder: str) -> str:
    return (
        f"Nothing was synced: the hub at {url} is not the hub this computer's records came "
        f"from ({bound.url or 'another address'}). One folder of records belongs to one "
        f"hub, so that reports never mix two hubs. Sign in to {bound.url or 'that hub'} "
        f"again, or, to work with {url}, start bhcp-ag with a data folder of its own "
        f"(BHCP_AG_DATA_DIR); the records here are in {folder}."
    )


def check_hub(store: Store, client: AsksWhoTheHubIs) -> BoundHub:
    """The hub behind ``client``, once this store is (or has just been) bound to it."""
    health = client.health()
    hub_id = health.get("hub_id")
    if not isinstance(hub_id, str) or not 0 < len(hub_id) <= 64:
        raise ProtocolMismatch(
            f"The hub at {client.base_url} did not say which hub it is; it may be older "
            "than this version of bhcp-ag. Ask the hub's administrator to update it.",
            "no_hub_id",
        )
    answering = BoundHub(hub_id, client.base_url, bool(health.get("demo")))
    with store.session() as session:
        bound = bound_hub(session)
        if bound is not None and bound.hub_id != hub_id:
            raise OtherHub(
                other_hub_message(bound, client.base_url, store_folder(store)), "other_hub"
            )
        bind_hub(session, answering)
    return answering
