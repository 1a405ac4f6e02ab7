"""The hub's identity: the id a desk's store is bound to, and whether it is a demo hub.

A **demo hub** (the embedded one, or any seeded by ``bhcp-ag-hub demo``) holds the demo
accounts and synthetic patients, whose NHS numbers are in the 999 range that is never
issued. A **live hub** holds real patients only, so it refuses a synthetic NHS number: a
test patient among real ones could be taken for a real one, and advice about a real
patient typed against a test number would reach no record.

A hub is live from its first migration unless demo data is seeded while it is still
empty of conversations; a live hub that holds conversations is never turned into a demo
one.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bhcp_ag.hub.models import Conversation, HubIdentity, utcnow

DEMO = "demo"
LIVE = "live"


class NotADemoHub(RuntimeError):
    """Demo data asked for on a live hub that already holds patients' records."""


def hub_identity(session: Session) -> HubIdentity:
    """The hub's one identity row (made, live, if a database somehow lacks it)."""
    identity = session.scalars(select(HubIdentity).limit(1)).first()
    if identity is None:
        identity = HubIdentity(id=str(uuid.uuid4()), kind=LIVE, created_at=utcnow())
        session.add(identity)
        session.flush()
    return identity


def is_demo_hub(session: Session) -> bool:
    return hub_identity(session).kind == DEMO


def mark_demo(session: Session) -> None:
    """Make this hub a demo hub, unless it is a live one that holds conversations."""
    identity = hub_identity(session)
    if identity.kind == DEMO:
        return
    if session.scalar(select(func.count()).select_from(Conversation)):
        raise NotADemoHub(
            "This hub is a live hub and holds patients' records, so demo accounts and "
            "synthetic patients are not added to it. Seed demo data on a new database."
        )
    identity.kind = DEMO
    session.flush()
