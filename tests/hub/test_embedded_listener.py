"""The embedded hub's listening socket: replies are not held back by Nagle's algorithm.

asyncio sets ``TCP_NODELAY`` on an accepted connection only when its socket says it is
TCP (``proto == IPPROTO_TCP``); a socket made with ``socket.socket()`` says 0, so every
reply of the hub on this computer waited for the client's delayed ACK (48 ms a request,
against 2.4 ms) wherever uvicorn runs on asyncio's own loop (Windows, or no uvloop;
uvloop sets the option itself). Checked on the connection uvicorn really accepted.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time

import pytest
import uvicorn

from bhcp_ag.embedded_hub import _listen


async def _ok(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.mark.parametrize("loop", ["asyncio", "auto"])  # "auto": uvloop where installed
def test_connections_the_embedded_hub_accepts_send_at_once(loop: str) -> None:
    listener = _listen(0)
    config = uvicorn.Config(_ok, log_level="warning", lifespan="off", loop=loop)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.started
        client = http.client.HTTPConnection("127.0.0.1", listener.getsockname()[1], timeout=5)
        client.request("GET", "/")
        assert client.getresponse().read() == b"ok"  # the connection stays open (keep-alive)
        [connection] = list(server.server_state.connections)
        accepted = connection.transport.get_extra_info("socket")
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        client.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
