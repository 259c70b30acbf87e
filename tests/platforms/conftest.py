"""Fixtures for the platform layer: recorded payloads, the fake platforms, a webhook receiver.

Everything runs on 127.0.0.1 with port 0; nothing here touches the network beyond loopback.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from steward.platforms.fake import FakePlatforms
from steward.platforms.signatures import meta_challenge, x_crc_response

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> Any:
    return json.loads(fixture_bytes(name))


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A tiny webhook endpoint: records POSTs, answers Meta's handshake and X's CRC."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    verify_token: str = "lps-verify-token"
    x_consumer_secret: str = "fake-x-consumer-secret"
    status: int = 200
    on_post: Callable[[Received], int] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def _answer(self, status: int, body: bytes, ctype: str = "text/plain") -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            params = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            if "crc_token" in params:
                body = json.dumps(
                    x_crc_response(params["crc_token"], state.x_consumer_secret)
                ).encode()
                return self._answer(200, body, "application/json")
            challenge = meta_challenge(params, state.verify_token)
            if challenge is None:
                return self._answer(403, b"forbidden")
            return self._answer(200, challenge.encode())

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            item = Received(
                self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)
            )
            with state.lock:
                state.received.append(item)
            status = state.on_post(item) if state.on_post else state.status
            self._answer(status, b"ok")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fake() -> Iterator[FakePlatforms]:
    platforms = FakePlatforms(port=0)
    platforms.start()
    try:
        yield platforms
    finally:
        platforms.stop()


@pytest.fixture
def fake_with_webhooks(receiver: Receiver) -> Iterator[FakePlatforms]:
    targets = {p: f"{receiver.url}/platforms/webhooks/{p}/" for p in ("facebook", "instagram", "x")}
    platforms = FakePlatforms(
        port=0, webhook_targets=targets, x_consumer_secret=receiver.x_consumer_secret
    )
    platforms.start()
    try:
        yield platforms
    finally:
        platforms.stop()
