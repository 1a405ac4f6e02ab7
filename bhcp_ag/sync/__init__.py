"""The desktop's sync with the hub: HTTP client, sign-in token storage and the sync cycle.

Plain Python under the UI (no Qt): :mod:`bhcp_ag.sync.client` talks to the hub,
:mod:`bhcp_ag.sync.credentials` keeps the token in the OS keyring, and
:mod:`bhcp_ag.sync.engine` runs one sync cycle of ``docs/sync-protocol.md`` at a time.
The composition root builds them and a Qt worker runs the engine off the UI thread.
"""
