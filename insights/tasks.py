"""Celery edges of insights: a nightly fan-out, one task per office, each safe to run
twice at once (an office day is built under the office's row lock and replaced whole)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone, translation

from insights.figures import default_scope, figures_of
from insights.selectors import PERIODS, office_performance_cached
from insights.services import facts_build_due
from offices.models import Office


@shared_task(name="insights.tasks.build_all_facts", ignore_result=True)
def build_all_facts() -> int:
    """Nightly: every active office builds the days it has ended since its last."""
    offices = list(Office.objects.filter(is_active=True).values_list("pk", flat=True))
    for office_id in offices:
        build_office_facts.delay(office_id)
    return len(offices)


@shared_task(name="insights.tasks.build_office_facts", ignore_result=True)
def build_office_facts(office_id: int) -> int:
    """Build the office's ended days, then compute its public figures and its dashboard's
    default view ahead, so the day's first reader finds them ready."""
    office = Office.objects.get(pk=office_id)
    built = facts_build_due(office=office)
    office_figures_warm(office)
    return built


def office_figures_warm(office: Office) -> None:
    """The office's public figures (both periods) and its dashboard's default view in
    each language, computed into the cache."""
    now = timezone.now()
    for days in PERIODS:
        office_performance_cached(office=office, days=days, now=now)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            figures_of(default_scope(office, now), now)


@shared_task(name="insights.tasks.warm_dashboards", ignore_result=True)
def warm_dashboards() -> None:
    """Nightly, an hour after the build: the national dashboard's default view in each
    language, so the first national administrator of the day does not wait for it."""
    now = timezone.now()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            figures_of(default_scope(None, now), now)
