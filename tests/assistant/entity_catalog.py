"""The demo catalog (demo/data.py) as unsaved records, indexed for entity extraction:
the labelled entity set is written against it, and reading it needs no database."""

from __future__ import annotations

from functools import cache

from assistant.understanding.entities import Catalog
from demo import data
from offices.models import Office, Service

OFFICE_ONLY_KEYS = {"services", "counters", "saturday", "same_day", "faster"}


@cache
def demo_catalog() -> Catalog:
    services = [Service(**spec) for spec in data.SERVICES]
    offices = [
        Office(**{k: v for k, v in spec.items() if k not in OFFICE_ONLY_KEYS})
        for spec in data.OFFICES
    ]
    return Catalog(offices, services)
