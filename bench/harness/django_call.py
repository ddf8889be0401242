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


def copy_select(model: Any, changes: dict[str, str], alias: str = "s") -> tuple[str, str]:
    """For `INSERT INTO <table> (columns) SELECT values FROM <table> s …`: every column
    but the primary key, copied from `alias` unless `changes` gives its SQL expression,
    so a field added later needs no change."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = [connection.ops.quote_name(str(f.column)) for f in fields]
    values = [
        changes.get(str(f.column), f"{alias}.{q}") for f, q in zip(fields, columns, strict=True)
    ]
    return ", ".join(columns), ", ".join(values)


class CopyRows:
    """One model's rows for PostgreSQL COPY, far faster than INSERTs: `add` takes field
    values by attribute name and returns the row's id (given here, from the table's
    highest); a field not given gets its default, as the ORM would write it, so a field
    added later needs no change. `flush` writes the rows; `done` moves the id sequence
    past them."""

    def __init__(self, model: Any) -> None:
        from django.db import connection

        self.model, self.table = model, model._meta.db_table
        fields = model._meta.concrete_fields
        self.names = [f.attname for f in fields]
        self.columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
        self.defaults = [_jsonb(f.get_default()) for f in fields]
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {self.table}")  # noqa: S608
            self.next_id = int(cursor.fetchone()[0]) + 1

    def add(self, **values: Any) -> int:
        pk = values["id"] = self.next_id
        self.next_id += 1
        self.rows.append(
            tuple(
                _jsonb(values[n]) if n in values else d
                for n, d in zip(self.names, self.defaults, strict=True)
            )
        )
        return pk

    def flush(self) -> None:
        from django.db import connection

        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy,
        ):
            for row in self.rows:
                copy.write_row(row)
        self.count += len(self.rows)
        self.rows.clear()

    def done(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{self.table}', 'id'), "  # noqa: S608
                f"(SELECT coalesce(max(id), 1) FROM {self.table}))"
            )


def _jsonb(value: Any) -> Any:
    from psycopg.types.json import Jsonb

    return Jsonb(value) if isinstance(value, dict | list) else value


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    module, function = sys.argv[1].split(":")
    result = getattr(importlib.import_module(module), function)(**json.loads(sys.stdin.read()))
    print("BENCH_RESULT " + json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    main()
