"""Office list API.

`GET /api/v1/offices/` with no filter, as the booking page's office picker and API
clients call it: every active demo office with the services it offers (one page, the
API's default page size of 50), in Bahasa Indonesia (no `Accept-Language`), anonymous.
The baseline `/bench/hello/` goes through the same middleware but does no database work,
so the ratio shows what the list itself costs. `make bench` runs this benchmark.

    .venv/bin/python bench/offices_api.py            # full run, rewrites its docs section
    .venv/bin/python bench/offices_api.py --quick    # smoke run, leaves the docs alone
"""

from __future__ import annotations

import sys

from harness import django_call, net, run, stats

PATH = "/api/v1/offices/"


def main() -> int:
    bench = run.Bench("offices_api", __doc__ or "", {}, groups=("load", "server", "database"))
    with bench.database() as env:
        queries = run.django_call(env, django_call.queries_per_request, paths=[net.BASELINE, PATH])
        with net.gunicorn(env, bench.o, bench.path("gunicorn.log")) as server:
            body = net.fetch_json(server.url(PATH))
            services = sum(len(o.get("services", [])) for o in body.get("results", []))
            if not services:  # an empty page would make a fast, meaningless benchmark
                raise SystemExit(f"bench: {PATH} lists no offices with services: {body}")
            summaries = net.alternate(
                server,
                [net.Endpoint("hello", net.BASELINE), net.Endpoint("offices", PATH)],
                bench.o,
            )
    problems = net.log_problems(server.log)
    errors = sum(s.errors for s in summaries) + len(problems)
    section = stats.section(
        "Office list API",
        __doc__ or "",
        bench.command,
        bench.run_line(stats.versions("django", "gunicorn")),
        net.load_table(summaries, {"hello": queries[net.BASELINE], "offices": queries[PATH]}),
        f"The list held {body['count']} offices with {services} services. "
        + net.load_line(bench.o),
    )
    report = {"summaries": [vars(s) for s in summaries], "queries": queries, "problems": problems}
    return bench.finish(report, section, [f"{errors} errors"] if errors else [])


if __name__ == "__main__":
    sys.exit(main())
