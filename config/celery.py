"""The one Celery app. Its settings are the CELERY_* names in config/settings.py;
periodic work is declared here, in one place, so no second schedule can hide elsewhere."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("giliran")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "heartbeat": {"task": "core.tasks.heartbeat", "schedule": 60.0},
    # Hourly rather than nightly: offices in three zones reach midnight at different
    # times, and extending is idempotent (it only adds the days that have no slots).
    "extend-capacity-plans": {"task": "scheduling.tasks.extend_all_plans", "schedule": 3600.0},
}
