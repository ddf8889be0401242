"""The versions a cached calendar answer depends on (core.versioned_cache).

Each office-service has its own version, bumped on commit by every write that changes
what is free there: a claim or a release of a slot's place (booking.services.capacity,
no_show), a plan's slots or capacities (scheduling), a waiting list taking or giving back
a day (booking.services.waitlist). Catalog edits bump the catalog's version
(offices.catalog_cache). What changes with time alone is each answer's `valid_until`
(booking.selectors.availability)."""

from __future__ import annotations

from collections.abc import Iterable

from core.versioned_cache import version_bump_on_commit
from offices.catalog_cache import CATALOG_VERSION


def availability_version(office_service_id: int) -> str:
    return f"availability:{office_service_id}"


def availability_versions(office_service_id: int) -> tuple[str, str]:
    """What a cached answer about this office-service's free places is keyed by."""
    return (availability_version(office_service_id), CATALOG_VERSION)


def availability_changed(office_service_ids: Iterable[int]) -> None:
    """What is free at these office-services changes when the transaction commits."""
    names = {availability_version(pk) for pk in office_service_ids}
    if names:
        version_bump_on_commit(*names)
