"""Celery edges of insights: a nightly fan-out, one task per office, each safe to run
twice at once (an office day is built under the office's row lock and replaced whole)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone, translation

from insights.figures import figures_of, national_default_scope
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
    return facts_build_due(office=Office.objects.get(pk=office_id))


@shared_task(name="insights.tasks.warm_dashboards", ignore_result=True)
def warm_dashboards() -> None:
    """Nightly, an hour after the build: the national dashboard's default view in each
    language, so the first national administrator of the day does not wait for it."""
    now = timezone.now()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            figures_of(national_default_scope(now), now)
