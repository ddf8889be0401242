"""The catalog's cache version: one token that every cached answer read from the
catalog carries in its key (core.versioned_cache).

Any saved or deleted office, service, service offered, counter, opening hours or closure
bumps it when its transaction commits (signals of this app's own models, connected in
`OfficesConfig.ready`), so the offices API and the booking calendars never serve what a
catalog edit changed. National holidays come from the `holidays` package: its version
is part of the key, so a package update (a new decree) is a new catalog too."""

from __future__ import annotations

from typing import Any

import holidays
from django.db.models.signals import m2m_changed, post_delete, post_save

from core.versioned_cache import version_bump_on_commit
from offices.models import Closure, Counter, Office, OfficeService, OpeningHours, Service

CATALOG_VERSION = f"catalog:holidays-{holidays.__version__}"
CATALOG_MODELS = (Office, Service, OfficeService, Counter, OpeningHours, Closure)


def catalog_changed(**_signal: Any) -> None:
    """Every cached answer read from the catalog becomes unreachable on commit."""
    version_bump_on_commit(CATALOG_VERSION)


def catalog_signals_connect() -> None:
    for model in CATALOG_MODELS:
        uid = f"catalog-changed-{model._meta.label_lower}"
        post_save.connect(catalog_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(catalog_changed, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(
        catalog_changed, sender=Counter.services.through, dispatch_uid="catalog-changed-skills"
    )
