"""Merging minute histograms in the database, grouped by any of the rows' columns.

A national dashboard covers hundreds of thousands of hour rows; reading them into Python
to add them up would be slow and heavy. Counts are summed with the ORM (`Sum`); this
merges the histograms bin by bin with the database's own JSON functions: PostgreSQL's
`jsonb_each_text`, SQLite's `json_each` (the embedded default), the same query
otherwise. Only the totals travel, one row per group and bin."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Model, QuerySet

Group = tuple[Any, ...]


def histograms_by(rows: QuerySet[Any], field: str, by: Sequence[str]) -> dict[Group, Counter[int]]:
    """Each group's histogram in `field`, merged bin by bin in the database. `by` are
    plain columns of the rows' table (for example "hour", "office_id")."""
    model: type[Model] = rows.model
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        return quote(str(model._meta.get_field(name).get_attname_column()[1]))  # type: ignore[union-attr]

    each = "jsonb_each_text" if connection.vendor == "postgresql" else "json_each"
    chosen, params = rows.order_by().values("pk").query.sql_with_params()
    grouped = ", ".join([*(f"fact.{column(name)}" for name in by), "bin.key"])
    # Only quoted names of the model's own columns and the ORM's own query go in here;
    # every value is a parameter.
    sql = (
        f"SELECT {grouped}, SUM(CAST(bin.value AS integer)) "  # noqa: S608
        f"FROM {quote(model._meta.db_table)} AS fact, {each}(fact.{column(field)}) AS bin "
        f"WHERE fact.{column(model._meta.pk.name)} IN ({chosen}) "
        f"GROUP BY {grouped}"
    )
    merged: dict[Group, Counter[int]] = defaultdict(Counter)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for *group, edge, count in cursor.fetchall():
            # SQLite answers a date column as its ISO text; the ORM would convert it.
            key = tuple(
                date.fromisoformat(value)
                if name == "local_date" and isinstance(value, str)
                else value
                for name, value in zip(by, group, strict=True)
            )
            merged[key][int(edge)] += int(count)
    return merged
