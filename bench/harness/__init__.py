"""The one harness of bench/: each benchmark script states its scenario and calls this.

- `run.Bench(name, __doc__, params, groups=…)`: the command line (common option groups
  "load", "server", "database", "redis" plus the benchmark's own, each with a full and a
  --quick preset), signals turned into SystemExit, `bench.database()` (a throwaway
  PostgreSQL database, migrated with the demo data, ALWAYS dropped at the end: error,
  Ctrl-C, SIGTERM; one left by a run killed outright is dropped by the next run),
  `bench.finish()` (raw report to bench/results/, the docs section rewritten).
- `run.django_call(env, "module:function", **kw)`: set-ups and in-process measurements
  run in a Django process with the server's own environment; JSON in and out. In that
  process, `django_call` has copies of the demo offices, rows by COPY and column lists
  for INSERT … SELECT.
- `net`: gunicorn (optionally with a per-request access log), wrk rounds alternating with
  the `/bench/hello/` baseline in the same run, medians and ratios, one asyncio HTTP
  client for multi-step flows, a staff member's sign-in, requests timed one by one with
  the cache emptied, and a download's peak memory in a one-worker server.
- `procs`: processes stopped however a run ends, Celery worker and beat, Redis emptied,
  CPU and memory from /proc.
- `stats`: medians, percentiles, the machine and load average, tables, the docs writer.
"""
