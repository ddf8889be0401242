"""Container health check: GET /healthz/ on this container's gunicorn, standard library only
(python:3.11-slim has no curl). Exits 0 on 200, 1 otherwise; the reason goes to stdout,
where `docker inspect` shows it."""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def allowed_host() -> str:
    """Django answers 400 to a Host outside ALLOWED_HOSTS, so ask with an allowed one."""
    for entry in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = entry.strip().lstrip(".")  # ".example.go.id" also allows "example.go.id"
        if host and host != "*":
            return host
    return "localhost"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect means /healthz/ did not answer


def main() -> int:
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz/"
    # X-Forwarded-Proto counts only with SECURE_PROXY_SSL_HEADER=1; it then keeps
    # SECURE_SSL_REDIRECT from sending this plain-HTTP probe to https.
    request = urllib.request.Request(
        url, headers={"Host": allowed_host(), "X-Forwarded-Proto": "https"}
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=4) as response:
            body = response.read(500).decode("utf-8", "replace")
            print(response.status, body)
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as error:
        print(error.code, error.read(500).decode("utf-8", "replace"))
    except OSError as error:
        print("unreachable:", error)
    return 1


if __name__ == "__main__":
    sys.exit(main())
