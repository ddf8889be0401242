"""A benchmark run: its options, its throwaway database, Django calls, results and docs."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from harness import stats
from harness.net import require_loopback

BASE_DIR = Path(__file__).resolve().parents[2]
RESULTS_DIR = BASE_DIR / "bench" / "results"
MANAGE_SECONDS = 1800.0
# Only these variables pass from the caller's environment to Django: anything else
# (a REDIS_URL, a SECURE_SSL_REDIRECT…) would silently change what is measured.
PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ")
# Marks a database as this harness's, with the process that made it: a run killed
# outright (SIGKILL, no `finally`) leaves one behind, and the next run drops it.
OWNER_MARK = "giliran-bench pid="

# name: (full run, --quick, help). A benchmark picks groups and adds its own the same way;
# one that runs Celery names its own Redis database as "redis" (it is emptied).
GROUPS: dict[str, dict[str, tuple[Any, Any, str]]] = {
    "load": {
        "rounds": (5, 1, "measured rounds"),
        "duration": (10, 2, "seconds per round"),
        "warmup": (3, 1, "unrecorded seconds per endpoint first"),
        "threads": (2, 2, "wrk threads"),
        "connections": (32, 32, "wrk connections"),
        "timeout": (5, 5, "seconds before wrk counts a timeout"),
    },
    "server": {
        "workers": (3, 3, "gunicorn workers (3 sync on 2 cores: docs/benchmarks.md)"),
        "worker_class": ("sync", "sync", "gunicorn worker class: sync or gthread"),
        "worker_threads": (1, 1, "threads per gthread worker"),
    },
    "database": {
        "postgres": (
            "postgres://postgres@127.0.0.1:5432/postgres",
            "postgres://postgres@127.0.0.1:5432/postgres",
            "maintenance database URL on the loopback server",
        ),
    },
}


class Bench:
    """One run of one benchmark: parses the command line (full or --quick preset, flags
    win), turns SIGTERM and SIGHUP into SystemExit so every `finally` runs, and knows
    where its results and docs section go. `o` holds every option's value."""

    def __init__(
        self,
        name: str,
        doc: str,
        params: dict[str, tuple[Any, Any, str]],
        *,
        groups: Sequence[str] = (),
        argv: Sequence[str] | None = None,
    ) -> None:
        self.name = name
        argv = list(sys.argv[1:] if argv is None else argv)
        merged: dict[str, tuple[Any, Any, str]] = {}
        for group in groups:
            merged.update(GROUPS[group])
        if "database" in groups:
            default = f"bench_{name.replace('-', '_')}"
            merged["database"] = (default, default, "throwaway database, dropped at the end")
        merged.update(params)
        parser = argparse.ArgumentParser(
            description=doc.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
        )
        parser.add_argument("--quick", action="store_true", help="smoke run; leaves the docs")
        parser.add_argument("--no-docs", action="store_true", help="leave docs/benchmarks.md")
        for key, (full, quick, text) in merged.items():
            shown = full if full == quick else f"{full}; quick: {quick}"
            parser.add_argument(
                "--" + key.replace("_", "-"), type=type(full), help=f"{text} ({shown})"
            )
        args = parser.parse_args(argv)
        values = {
            key: getattr(args, key) if getattr(args, key) is not None else preset[int(args.quick)]
            for key, preset in merged.items()
        }
        for key, value in values.items():
            if isinstance(value, int | float) and value < (0 if key == "warmup" else 1e-9):
                parser.error(f"--{key.replace('_', '-')} must be positive: {value}")
        self.o = SimpleNamespace(**values)
        self.quick: bool = args.quick
        self.write_docs = not (args.quick or args.no_docs)
        self.command = " ".join([".venv/bin/python", f"bench/{Path(sys.argv[0]).name}", *argv])
        for url in (values.get("postgres"), values.get("redis")):
            if url:
                require_loopback(urlsplit(url).hostname or "")
        self.started = datetime.now(UTC).replace(microsecond=0)
        self.stamp = self.started.strftime("%Y%m%dT%H%M%SZ")
        self.load_before = stats.load_average()
        # Ctrl-C raises KeyboardInterrupt even where the shell started us ignoring SIGINT.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, lambda number, _frame: sys.exit(128 + number))

    def path(self, suffix: str) -> Path:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        return RESULTS_DIR / f"{self.name}-{self.stamp}-{suffix}"

    def url(self) -> str:
        """The throwaway database's URL."""
        return urlsplit(self.o.postgres)._replace(path=f"/{self.o.database}").geturl()

    @contextlib.contextmanager
    def database(self, *, demo: bool = True) -> Iterator[dict[str, str]]:
        """A fresh database (migrated, with the demo data and static files unless
        `demo` is False) and the Django environment that uses it; dropped when the
        block ends, however it ends: an error, Ctrl-C, SIGTERM."""
        with (
            throwaway_database(self.o.postgres, self.o.database),
            tempfile.TemporaryDirectory(prefix="giliran-bench-") as var_dir,
        ):
            env = django_env(self.url(), Path(var_dir))
            manage(env, "migrate", "--no-input")
            if demo:
                manage(env, "load_demo", "--allow-without-debug")
                # Pages need the manifest when DEBUG is off, as in production.
                manage(env, "collectstatic", "--no-input")
            yield env

    def finish(self, report: dict[str, Any], section: str, failures: Sequence[str]) -> int:
        """Save the raw report, print the section, and rewrite the docs section unless
        this was a quick run or something failed."""
        report = {
            "benchmark": self.name,
            "started": self.started.isoformat(),
            "command": self.command,
            "quick": self.quick,
            "options": vars(self.o),
            "load_average": {"before": self.load_before, "after": stats.load_average()},
            "failures": list(failures),
            **report,
        }
        saved = self.path("report.json")
        saved.write_text(json.dumps(report, indent=2, default=str) + "\n")
        print(f"\n{section}\n\nbench: raw results in {saved.relative_to(BASE_DIR)}")
        if failures:
            print(f"bench: FAILED: {'; '.join(failures)}; docs left alone", file=sys.stderr)
            return 1
        if self.write_docs:
            stats.replace_docs_section(self.name, section)
            print(f"bench: wrote the {self.name} section of docs/benchmarks.md")
        return 0

    def run_line(self, versions: str) -> str:
        """The docs' line on when, where and with what this run was made."""
        after = stats.load_average()
        return (
            f"Run on {self.started:%Y-%m-%d %H:%M} UTC: {stats.machine()}; {versions}; "
            f"load average (1, 5, 15 min) before {self.load_before}, after {after}."
        )


# --- The throwaway database ------------------------------------------------------------


@contextlib.contextmanager
def throwaway_database(server_url: str, name: str) -> Iterator[None]:
    require_loopback(urlsplit(server_url).hostname or "")
    with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as conn:
        _drop_orphans(conn)
        # FORCE ends sessions a killed run left; CREATE/DROP need autocommit.
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(f"{OWNER_MARK}{os.getpid()}")
            )
        )
    print(f"bench: created database {name}", flush=True)
    try:
        yield
    finally:
        # Ctrl-C or SIGTERM during the drop would leave the database behind: both wait.
        held = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            drop_database(server_url, name)
        finally:
            for signum, handler in held.items():
                signal.signal(signum, handler)


def drop_database(server_url: str, name: str) -> None:
    for attempt in range(5):
        try:
            with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as conn:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            print(f"bench: dropped database {name}", flush=True)
            return
        except psycopg.OperationalError as error:
            print(f"bench: dropping {name} failed ({error}); retrying", file=sys.stderr)
            time.sleep(2 + attempt * 2)
    print(f"bench: COULD NOT DROP DATABASE {name}: drop it by hand", file=sys.stderr)


def _drop_orphans(conn: psycopg.Connection[Any]) -> None:
    """Drop databases this harness made in a process that is gone (killed outright)."""
    rows = conn.execute(
        "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database"
    ).fetchall()
    for name, comment in rows:
        if comment and comment.startswith(OWNER_MARK):
            pid = int(comment.removeprefix(OWNER_MARK))
            if pid != os.getpid() and not Path(f"/proc/{pid}").exists():
                print(f"bench: dropping {name}, left by a killed run (pid {pid})", flush=True)
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


# --- Django ------------------------------------------------------------------------------


def django_env(db_url: str, var_dir: Path) -> dict[str, str]:
    """Production-like: DEBUG off, a fresh random key, loopback only. TLS-only cookies
    and HSTS are off because the benchmark speaks plain HTTP on loopback; var_dir keeps
    the cache, mail and static files out of the developer's own var/."""
    env = {key: os.environ[key] for key in PASSED_ENV if key in os.environ}
    env.update(
        DATABASE_URL=db_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        GILIRAN_BENCHMARK_VIEWS="1",
        GILIRAN_VAR_DIR=str(var_dir),
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONPATH=os.pathsep.join([str(BASE_DIR), str(BASE_DIR / "bench")]),
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    """manage.py with env; on failure its output says what went wrong."""
    print(f"bench: manage.py {' '.join(args)}", flush=True)
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=MANAGE_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"bench: manage.py {args[0]} failed ({done.returncode})")
    return done.stdout


def django_call(env: dict[str, str], function: Callable[..., Any], **kwargs: Any) -> Any:
    """Call `function(**kwargs)` in a Django process with env (set-ups, in-process
    measurements) and return what it returns, through JSON: the benchmark itself stays
    outside Django, so its settings are exactly the server's. The function must be at
    the top of its module (a benchmark script's, or the harness's)."""
    module = function.__module__
    if module == "__main__":  # the script that was run: importable by its file's name
        module = Path(sys.modules["__main__"].__file__ or "").stem
    target = f"{module}:{function.__qualname__}"
    print(f"bench: in Django: {target}", flush=True)
    done = subprocess.run(
        [sys.executable, "-m", "harness.django_call", target],
        cwd=BASE_DIR,
        env=env,
        input=json.dumps(kwargs),
        capture_output=True,
        text=True,
        timeout=MANAGE_SECONDS,
        check=False,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_RESULT ")), None)
    if done.returncode != 0 or line is None:
        sys.stderr.write(done.stdout[-5000:] + done.stderr[-5000:])
        raise SystemExit(f"bench: {target} failed ({done.returncode})")
    return json.loads(line.split(" ", 1)[1])
