"""The two server pools: which request paths the staff pool serves, the one place that
says so (docs/deployment.md, "Two server pools").

A citizen crowd at a release moment must never slow a counter, so staff pages (`/staf/`,
the admin) and the counter API (`/api/v1/counters/`, call-next and every other counter
action) run in their own gunicorn processes, behind a proxy that routes by these
prefixes. Everything else is the citizen pool's; a few paths both pools answer
(`SHARED_PATH_PREFIXES`: static files, health, the language switch).

Everything that routes by pool reads this module: the proxy's configuration
(`nginx_config`, written to docker/nginx.conf and checked by
tests/config/test_server_pools.py), the pool guard (config/middleware.py,
GILIRAN_SERVER_POOL) and the benchmark harness (`staff_path_prefixes`, `pool_of`). It
imports nothing from Django. After changing a prefix: `make nginx-conf`.
"""

from __future__ import annotations

import enum

# Pages carry their language in the address: Bahasa Indonesia without a prefix, English
# under /en/ (config/urls.py, i18n_patterns). tests/config/test_server_pools.py checks
# that every staff URL pattern, in every language, falls under one of these and that no
# citizen page does.
STAFF_PATH_PREFIXES: tuple[str, ...] = (
    "/staf/",
    "/en/staf/",
    "/admin/",
    "/en/admin/",
    "/api/v1/counters/",
)

# Answered by either pool; the proxy sends them to the citizen pool. Staff pages load
# their static files from here too, which the proxy caches (they are hashed, immutable).
SHARED_PATH_PREFIXES: tuple[str, ...] = (
    "/static/",
    "/healthz/",
    "/favicon.ico",
    "/i18n/",
    "/en/i18n/",
    "/jsi18n/",
    "/en/jsi18n/",
)


class Pool(enum.StrEnum):
    STAFF = "staff"
    CITIZEN = "citizen"
    ALL = "all"  # one process serves everything: development, tests, a small office


def staff_path_prefixes() -> tuple[str, ...]:
    """The path prefixes the staff pool serves (for the benchmark harness: counter
    clients go to the staff pool's port)."""
    return STAFF_PATH_PREFIXES


def is_staff_path(path: str) -> bool:
    return path.startswith(STAFF_PATH_PREFIXES)


def is_shared_path(path: str) -> bool:
    return path.startswith(SHARED_PATH_PREFIXES)


def pool_of(path: str) -> Pool:
    """The pool a request for `path` belongs to: STAFF, CITIZEN, or ALL for a path both
    answer."""
    if is_staff_path(path):
        return Pool.STAFF
    if is_shared_path(path):
        return Pool.ALL
    return Pool.CITIZEN


def serves(pool: Pool | str, path: str) -> bool:
    """Whether a process of `pool` answers `path` (the other pool's paths: no)."""
    wanted = pool_of(path)
    return pool == Pool.ALL or wanted == Pool.ALL or wanted == pool


# --- The front proxy ---------------------------------------------------------------------


def _location(prefix: str, upstream: str, extra: str = "") -> str:
    return (
        f"        location ^~ {prefix} {{\n"
        f"{extra}            proxy_pass http://{upstream};\n"
        "        }\n"
    )


def nginx_config(
    *, citizen: str = "web:8000", staff: str = "staff:8000", listen: int = 8080
) -> str:
    """The nginx configuration of compose.yaml's `proxy` service: each staff prefix to
    the staff pool, static files cached, everything else to the citizen pool."""
    staff_locations = "".join(_location(prefix, "staff_pool") for prefix in STAFF_PATH_PREFIXES)
    cached = "            proxy_cache static;\n            proxy_cache_valid 200 301 7d;\n"
    return f"""\
# Generated from config/server_pools.py: do not edit by hand. Regenerate with
# `make nginx-conf` (tests/config/test_server_pools.py fails when this file and the
# prefixes differ).
# The front proxy of compose.yaml: staff pages and the counter API go to the staff pool,
# everything else to the citizen pool, so a citizen crowd never slows a counter.

worker_processes auto;
pid /tmp/nginx.pid;

events {{
    worker_connections 4096;
}}

http {{
    # No paths in the log: some carry tokens (hold, ticket, manage links).
    log_format pools '$remote_addr [$time_local] $request_method $status '
                     '$body_bytes_sent $request_time $upstream_addr';
    access_log /dev/stdout pools;
    error_log /dev/stderr warn;
    server_tokens off;
    # Complaint photos are at most 2 MB (GILIRAN_COMPLAINT_PHOTO_MAX_BYTES), plus the form.
    client_max_body_size 3m;
    # Both pools sit behind this one proxy: GILIRAN_TRUSTED_PROXY_COUNT=1 (compose.yaml),
    # so the client is the address this proxy appends to X-Forwarded-For.
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    # Longer than gunicorn's 30 s timeout: gunicorn ends a stuck request first.
    proxy_read_timeout 35s;

    proxy_cache_path /tmp/nginx-static-cache keys_zone=static:10m max_size=200m
                     inactive=7d use_temp_path=off;

    upstream citizen_pool {{
        server {citizen};
        keepalive 32;
    }}

    upstream staff_pool {{
        server {staff};
        keepalive 16;
    }}

    server {{
        listen {listen};

        # The staff pool (config/server_pools.py STAFF_PATH_PREFIXES).
{staff_locations}
        # Hashed, immutable static files: cached here, so staff pages load them fast
        # even while the citizen pool is busy.
{_location("/static/", "citizen_pool", cached)}
        # Everything else: the citizen pool.
{_location("/", "citizen_pool")}    }}
}}
"""
