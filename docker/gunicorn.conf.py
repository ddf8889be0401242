"""Gunicorn settings for the container image; each can be changed from the environment.

Connections to PostgreSQL per web container = WEB_CONCURRENCY x GUNICORN_THREADS (Django
keeps one per thread for DATABASE_CONN_MAX_AGE seconds): docs/deployment.md budgets them.
GUNICORN_CMD_ARGS (read by gunicorn itself) overrides anything here.
"""

import os
import sys
from pathlib import Path
from typing import Any

from gunicorn.glogging import Logger

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from core.logging import redact_secrets

bind = [f"0.0.0.0:{os.environ.get('PORT', '8000')}"]
# The pool this process serves (config/server_pools.py): its name in `ps` and the logs.
# Each pool is its own gunicorn with its own WEB_CONCURRENCY (compose.yaml: web, staff).
proc_name = f"giliran-{os.environ.get('GILIRAN_SERVER_POOL', 'all')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Longer than the load balancer's idle timeout, or it may reuse a connection gunicorn
# has just closed and answer 502.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10

accesslog = "-"


# The access-log atoms that can carry a token: gunicorn's request line, path, query and
# referer, the raw WSGI values behind them, and the Authorization header.
_TOKEN_ATOMS = (
    *("r", "U", "q", "f"),
    *("{raw_uri}e", "{query_string}e", "{path_info}e", "{http_referer}e"),
    *("{referer}i", "{authorization}i", "{http_authorization}e"),
)


class RedactingLogger(Logger):
    """The access log without the tokens some URLs carry (core/logging.py): the
    request line, path, query, referer and Authorization header are blanked."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        for name in _TOKEN_ATOMS:
            if isinstance(atoms.get(name), str):
                atoms[name] = redact_secrets(atoms[name])
        return atoms


logger_class = RedactingLogger
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()

# The heartbeat file on tmpfs, not on the container's overlay filesystem.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# The container is scaled by its orchestrator; no control socket (it would want a
# writable home directory, which the unprivileged user does not have).
control_socket_disable = True
