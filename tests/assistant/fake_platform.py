"""A fake chat platform API (Telegram's Bot API, Meta's Graph API): a real HTTP server on
loopback, in a thread of the test's process, that records every request (path, headers,
JSON body) and answers what it is told to (by default what the platform answers to a
message accepted)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    body: Any


class FakePlatform:
    def __init__(self, answer: dict[str, Any]) -> None:
        self.requests: list[Request] = []
        self.status = 200
        self.answer = answer
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                platform.requests.append(Request(self.path, dict(self.headers), body))
                data = json.dumps(platform.answer).encode()
                self.send_response(platform.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakePlatform:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(self, status: int, answer: dict[str, Any]) -> None:
        self.status, self.answer = status, answer
