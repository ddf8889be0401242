"""`python -m harness.django_call module:function`: the function's JSON result, in Django.

Run by harness.run.django_call with the benchmark's environment; the keyword arguments
come as JSON on standard input, the result goes out as one `BENCH_RESULT {…}` line.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
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


def clone(obj: Any, **changes: Any) -> Any:
    """An unsaved copy of a model instance: every column of `obj` but its primary key,
    unless `changes` gives it (for bulk_create)."""
    values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    return type(obj)(**{**values, obj._meta.pk.attname: None, **changes})


def demo_copies(count: int, size: Callable[[], int] = lambda: 1) -> list[tuple[Any, Any]]:
    """The demo offices and copies of them in turn, `count` offices in all, as (office,
    template) pairs, the templates first: a copy has its template's services and opening
    hours, and its counters `size()` times over (once by default), each with the
    services of the counter it repeats. In one transaction, by bulk_create."""
    from django.db import transaction

    from demo import data as demo_data
    from offices.models import Counter, Office, OfficeService, OpeningHours

    templates = [Office.objects.get(code=spec["code"]) for spec in demo_data.OFFICES]
    pattern = [templates[k % len(templates)] for k in range(len(templates), count)]
    counters = {
        t.pk: list(t.counters.order_by("number").prefetch_related("services")) for t in templates
    }
    with transaction.atomic():
        made = Office.objects.bulk_create(
            clone(t, code=f"{t.code}-{k:03d}", name=f"{t.name} {k:03d}")
            for k, t in enumerate(pattern, len(templates))
        )
        pairs = list(zip(made, pattern, strict=True))
        for model in (OfficeService, OpeningHours):
            model.objects.bulk_create(
                clone(row, office_id=o.pk)
                for o, t in pairs
                for row in model._default_manager.filter(office=t)
            )
        repeated = [
            (clone(c, office_id=o.pk, number=k + 1), c)
            for o, t in pairs
            for k, c in enumerate(counters[t.pk] * size())
        ]
        Counter.objects.bulk_create(new for new, _ in repeated)
        Counter.services.through.objects.bulk_create(
            Counter.services.through(counter_id=new.pk, service_id=s.pk)
            for new, old in repeated
            for s in old.services.all()
        )
    return [*((t, t) for t in templates), *pairs]


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
    """Rows of several models written by PostgreSQL COPY, far faster than INSERTs.
    `add` takes a model and field values by attribute name and returns the row's id
    (given here, from the table's highest); a field not given gets its default, as the
    ORM would write it, so a field added later needs no change. Every `batch` rows, and
    at `done`, the rows are written in one transaction, model by model in the order
    given (a foreign key's target first); `done` then moves the id sequences past them.
    `counts`: the rows written per model."""

    def __init__(self, *models: Any, batch: int = 50_000) -> None:
        from django.db import connection

        self.tables: dict[Any, _Table] = {}
        self.batch, self.pending = batch, 0
        with connection.cursor() as cursor:
            for model in models:
                fields = model._meta.concrete_fields
                cursor.execute(f"SELECT coalesce(max(id), 0) FROM {model._meta.db_table}")  # noqa: S608
                self.tables[model] = _Table(
                    [f.attname for f in fields],
                    ", ".join(connection.ops.quote_name(str(f.column)) for f in fields),
                    [_jsonb(f.get_default()) for f in fields],
                    int(cursor.fetchone()[0]) + 1,
                )

    def add(self, model: Any, **values: Any) -> int:
        t = self.tables[model]
        pk = values["id"] = t.next_id
        t.next_id += 1
        t.rows.append(
            tuple(
                _jsonb(values[n]) if n in values else d
                for n, d in zip(t.names, t.defaults, strict=True)
            )
        )
        self.pending += 1
        if self.pending >= self.batch:
            self._flush()
        return pk

    def _flush(self) -> None:
        from django.db import connection, transaction

        with transaction.atomic(), connection.cursor() as cursor:
            for model, t in self.tables.items():
                with cursor.cursor.copy(
                    f"COPY {model._meta.db_table} ({t.columns}) FROM STDIN"
                ) as copy:
                    for row in t.rows:
                        copy.write_row(row)
                t.count += len(t.rows)
                t.rows.clear()
        self.pending = 0

    def done(self) -> None:
        from django.db import connection

        self._flush()
        with connection.cursor() as cursor:
            for model in self.tables:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )

    @property
    def counts(self) -> dict[str, int]:
        return {model.__name__: t.count for model, t in self.tables.items()}


@dataclass
class _Table:
    names: list[str]
    columns: str
    defaults: list[Any]
    next_id: int
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    count: int = 0


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
