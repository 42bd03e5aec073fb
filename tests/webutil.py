"""Helpers for the web page's tests: the demo's app, client and CSRF token as fixtures (import them into a
test module), a served app on a free port, the CSRF token of a page."""
from __future__ import annotations

import re
import socket
import threading
import time

import pytest

LOCAL = "http://127.0.0.1"


@pytest.fixture
def app(demo):
    """The web page over a private copy of the demo (no LibreOffice kept running)."""
    from reportgen.web.app import Settings, create_app
    return create_app([demo], Settings(warm_office=False))


@pytest.fixture
def client(app):
    from starlette.testclient import TestClient
    with TestClient(app, base_url=LOCAL, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def csrf(client):
    return csrf_of(client.get("/p/demo").text)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """uvicorn serving `app` in a thread; stop() ends it (lifespan shutdown included)."""

    def __init__(self, app):
        import uvicorn
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.server.started, "uvicorn did not start"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)
