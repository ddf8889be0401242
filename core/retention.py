"""The retention job: runs every registered anonymiser in bounded batches and records
what it did. Each app writes its own anonymiser with `anonymise_batch` (or
`delete_batch` for logs that are simply deleted); see core/data_map.py and
docs/security.md, "Data map and retention"."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from core.data_map import anonymisers
from core.models import RetentionRun

logger = logging.getLogger(__name__)

# The run log itself is kept for a year: it holds counts only.
RUN_LOG_DAYS = 365


def _claimable(due: models.QuerySet[Any]) -> models.QuerySet[Any]:
    # The rows themselves, by id: `due` may be DISTINCT or joined (a citizen's bookings
    # found through several relations), which FOR UPDATE does not allow.
    candidates = due.model._default_manager.filter(pk__in=due.values("pk")).order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        # Parallel workers take disjoint batches instead of waiting for each other.
        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    return candidates


def anonymise_batch(
    *,
    due: models.QuerySet[Any],
    values: Mapping[str, Any],
    now: datetime,
    batch_size: int,
    also: Callable[[list[int]], object] | None = None,
) -> int:
    """Overwrite `values` on at most `batch_size` rows of `due` not yet anonymised, set
    their `anonymised_at`, and run `also` with the ids changed (to erase related rows).

    Locks: the candidate rows (FOR UPDATE SKIP LOCKED on PostgreSQL), then claims them
    with `UPDATE … WHERE anonymised_at IS NULL`, so two workers never change one row."""
    model = due.model
    with transaction.atomic():
        ids = list(
            _claimable(due.filter(anonymised_at__isnull=True)).values_list("pk", flat=True)[
                :batch_size
            ]
        )
        if not ids:
            return 0
        changed = model._default_manager.filter(pk__in=ids, anonymised_at__isnull=True).update(
            anonymised_at=now, **values
        )
        if also and changed:
            # Erasing related rows twice is harmless, so the ids read are good enough.
            also(ids)
        return changed


def erased_token() -> Concat:
    """A unique value for an erased token column: no link can carry it."""
    return Concat(Value("anonymised-"), Cast(F("pk"), output_field=CharField()))


def delete_batch(*, due: models.QuerySet[Any], batch_size: int) -> int:
    """Delete at most `batch_size` rows of `due` (logs with nothing worth keeping);
    returns how many of them went (rows deleted with them by cascade are not counted)."""
    with transaction.atomic():
        ids = list(_claimable(due).values_list("pk", flat=True)[:batch_size])
        if not ids:
            return 0
        _total, per_model = due.model._default_manager.filter(pk__in=ids).delete()
        return per_model.get(due.model._meta.label, 0)


def retention_run(*, now: datetime | None = None) -> RetentionRun:
    """Run every anonymiser until it has nothing left or used its batches for this run.

    Idempotent: a second run finds no row to change. Each batch is its own transaction,
    so a run stopped half-way keeps what it did, and the next run goes on from there."""
    now = now or timezone.now()
    batch_size = max(1, settings.GILIRAN_RETENTION_BATCH_SIZE)
    run = RetentionRun.objects.create(started_at=now)
    counts: dict[str, int] = {}
    for anonymiser in anonymisers():
        done = 0
        for _batch in range(max(1, settings.GILIRAN_RETENTION_MAX_BATCHES)):
            changed = anonymiser.run(now=now, batch_size=batch_size)
            done += changed
            if changed < batch_size:
                break
        counts[anonymiser.name] = done
    run.counts = counts
    run.total = sum(counts.values())
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "total", "finished_at"])
    RetentionRun.objects.filter(started_at__lt=now - timedelta(days=RUN_LOG_DAYS)).delete()
    logger.info("retention run %s: %s rows anonymised %s", run.pk, run.total, counts)
    return run
