"""A fake SMS/WhatsApp gateway: a real HTTP server on loopback that speaks the contract
in notifications/channels.py, records everything it receives, and can be told to fail.

Like a real idempotent gateway, it accepts a repeated Idempotency-Key as the same
message (same answer, delivered once); it also counts every raw request per key, so a
test sees both what a citizen would receive (`delivered`) and what was re-sent
(`raw_requests`).

    with FakeGateway() as gateway:            # in a test (a thread of this process)
        gateway.fail_next(3, status=500)
        ... gateway.url, gateway.delivered, gateway.duplicates_delivered()

    python -m tests.fake_gateway --port 9911  # its own process (benchmarks); GET /stats
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeGateway:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, delay: float = 0.0) -> None:
        self.delay = delay
        self._lock = threading.Lock()
        self.raw_requests: Counter[str] = Counter()
        self.delivered: dict[str, dict[str, Any]] = {}  # idempotency key → payload
        # What reached citizens, by content: the same words to the same person under two
        # keys would be a duplicate no idempotency key could absorb.
        self.delivery_count: Counter[tuple[str, str, str]] = Counter()
        self.request_headers: list[dict[str, str]] = []
        self._failures: list[
            tuple[str, int]
        ] = []  # ("status", code) | ("timeout", s) | ("garbage", 0)
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave in two writes; with Nagle's algorithm the second
            # would wait for the client's delayed ACK, adding 40 ms to every request.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._answer(200, json.dumps(gateway.stats()).encode(), "application/json")

            def do_POST(self) -> None:
                with gateway._lock:
                    gateway.request_headers.append(dict(self.headers))
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                key = self.headers.get("Idempotency-Key", "")
                status, body, content_type = gateway._receive(key, raw)
                self._answer(status, body, content_type)

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        # A client that hangs up (a worker killed mid-request) is what tests provoke.
        self.server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        # Stop within 50 ms of being asked (the default poll is 0.5 s).
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # --- control --------------------------------------------------------------------

    @property
    def url(self) -> str:
        port = self.server.server_address[1]
        return f"http://127.0.0.1:{port}/messages"

    def fail_next(self, count: int, *, status: int = 500) -> None:
        with self._lock:
            self._failures.extend([("status", status)] * count)

    def time_out_next(self, count: int, *, seconds: float) -> None:
        with self._lock:
            self._failures.extend([("timeout", int(seconds * 1000))] * count)

    def garble_next(self, count: int) -> None:
        with self._lock:
            self._failures.extend([("garbage", 0)] * count)

    def headers_for(self, idempotency_key: str) -> list[dict[str, str]]:
        """The headers of every request that carried `idempotency_key`, in order."""
        with self._lock:
            return [h for h in self.request_headers if h.get("Idempotency-Key") == idempotency_key]

    def duplicates_delivered(self) -> int:
        """Messages a citizen would have received more than once: the same text to the
        same recipient under different keys, or one key delivered again."""
        with self._lock:
            return sum(n - 1 for n in self.delivery_count.values() if n > 1)

    def repeated_requests(self) -> int:
        """Raw requests that repeated an earlier key (absorbed by idempotency)."""
        with self._lock:
            return sum(n - 1 for n in self.raw_requests.values() if n > 1)

    def stats(self) -> dict[str, int]:
        with self._lock:
            delivered = len(self.delivered)
            raw = sum(self.raw_requests.values())
        return {
            "delivered": delivered,
            "raw_requests": raw,
            "repeated_requests": self.repeated_requests(),
            "duplicates_delivered": self.duplicates_delivered(),
        }

    # --- the server side ----------------------------------------------------------------

    def _receive(self, key: str, raw: bytes) -> tuple[int, bytes, str]:
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            self.raw_requests[key] += 1
            failure = self._failures.pop(0) if self._failures else None
        if failure and failure[0] == "timeout":
            time.sleep(failure[1] / 1000)
            return 504, b"too late", "text/plain"
        if failure and failure[0] == "status":
            return failure[1], b'{"error": "told to fail"}', "application/json"
        if failure and failure[0] == "garbage":
            return 200, b"<html>not json</html>", "text/html"
        try:
            payload = json.loads(raw)
        except ValueError:
            return 400, b'{"error": "body is not JSON"}', "application/json"
        if not key or not isinstance(payload, dict) or not payload.get("to"):
            return 400, b'{"error": "missing Idempotency-Key or to"}', "application/json"
        with self._lock:
            if key not in self.delivered:
                self.delivered[key] = payload
                effect = (
                    str(payload.get("to")),
                    str(payload.get("kind")),
                    str(payload.get("text")),
                )
                self.delivery_count[effect] += 1
        return 200, json.dumps({"id": f"fake-{key}"}).encode(), "application/json"

    def __enter__(self) -> FakeGateway:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=9911)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    with FakeGateway(port=args.port, delay=args.delay) as gateway:
        print(f"fake gateway listening on {gateway.url}", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
