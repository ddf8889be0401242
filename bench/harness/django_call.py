"""`python -m harness.django_call module:function`: the function's JSON result, in Django.

Run by harness.run.django_call with the benchmark's environment; the keyword arguments
come as JSON on standard input, the result goes out as one `BENCH_RESULT {…}` line.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from typing import Any

import django


def queries_per_request(paths: list[str]) -> dict[str, int]:
    """SQL queries of one request to each path, after one that fills per-process caches:
    a count that grows with the data (N+1) is the usual cause of a slow list."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client, counts = Client(HTTP_HOST="127.0.0.1"), {}
    for path in paths:
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            status = client.get(path).status_code
        if status != 200:
            raise SystemExit(f"GET {path} answered {status}")
        counts[path] = len(queries)
    return counts


def insert_columns(model: Any, known: dict[str, str]) -> tuple[str, str, list[Any]]:
    """For a bulk `INSERT INTO <table> (columns) SELECT values …`: every concrete column
    but the primary key, its SQL expression from `known` or else a %s placeholder for the
    field's default (as the ORM would write it), so a field added later needs no change."""
    from django.db import connection

    columns, values, defaults = [], [], []
    for f in model._meta.concrete_fields:
        if not f.primary_key:
            columns.append(connection.ops.quote_name(f.column))
            values.append(known.get(f.column, "%s"))
            if f.column not in known:
                defaults.append(f.get_db_prep_save(f.get_default(), connection))
    return ", ".join(columns), ", ".join(values), defaults


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    module, function = sys.argv[1].split(":")
    result = getattr(importlib.import_module(module), function)(**json.loads(sys.stdin.read()))
    print("BENCH_RESULT " + json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    main()
