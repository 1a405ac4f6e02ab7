"""The hub: one shared, secure home for every conversation (FastAPI over SQLAlchemy).

Plain Python below the web layer: ``models`` (tables), ``db`` (engine, migrations),
``security`` (passwords, tokens, throttling), ``feed`` (the change feed pulls read),
``access`` (who may see what), and the sync protocol (``docs/sync-protocol.md``):
``push`` applies clients' changes at most once with the rules of ``changes`` and
``submit``; ``pull`` pages through the feed and ``snapshots`` builds what it sends;
``sync_schemas`` are their wire shapes. ``app.create_app`` builds the web application;
nothing here opens a database at import time.
"""
