"""The one Celery app. Its settings are the CELERY_* names in config/settings.py;
periodic work is declared here, in one place, so no second schedule can hide elsewhere."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import beat_init, worker_init
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("giliran")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def _make_var_folders(**_: object) -> None:
    # The embedded broker's folders and beat's schedule file live under GILIRAN_VAR_DIR.
    from config.folders import ensure_var_folders

    ensure_var_folders()


# Every entry is safe to run twice at once (two beat processes started by mistake): each
# task claims its rows with a conditional UPDATE, so a second run finds nothing to do.
app.conf.beat_schedule = {
    "heartbeat": {"task": "core.tasks.heartbeat", "schedule": 60.0},
    # Hourly rather than nightly: offices in three zones reach midnight at different
    # times, and extending is idempotent (it only adds the days that have no slots).
    "extend-capacity-plans": {"task": "scheduling.tasks.extend_all_plans", "schedule": 3600.0},
    # Nightly, after midnight in all three zones (00:30 WIB, 01:30 WITA, 02:30 WIT).
    "plan-next-days": {
        "task": "scheduling.tasks.plan_all_offices",
        "schedule": crontab(hour=17, minute=30),
    },
    # Nightly, after midnight in all three zones (01:30 WIB, 02:30 WITA, 03:30 WIT):
    # every office's ended days become facts (insights/).
    "build-insights": {
        "task": "insights.tasks.build_all_facts",
        "schedule": crontab(hour=18, minute=30),
    },
    # An hour after the build: the national dashboard's default view, computed ahead.
    "warm-insights-dashboards": {
        "task": "insights.tasks.warm_dashboards",
        "schedule": crontab(hour=19, minute=30),
    },
    "release-expired-holds": {"task": "booking.tasks.release_expired_holds", "schedule": 60.0},
    "release-no-shows": {"task": "booking.tasks.release_no_shows", "schedule": 60.0},
    "waitlist-offer": {"task": "booking.tasks.waitlist_sweep", "schedule": 60.0},
    # Ballots: next rounds made ahead, draws at the release, unclaimed places passed on.
    "ballots": {"task": "ballots.tasks.ballots_tick", "schedule": 60.0},
    # Hourly: each office's past days close whenever its own midnight has passed.
    "close-past-queue-days": {"task": "queueing.tasks.close_past_days", "schedule": 3600.0},
    # Hourly: offices reach the end of a day at different times in three zones, and a
    # run finds nothing to do when nothing became due.
    "retention": {"task": "core.tasks.retention_run", "schedule": 3600.0},
    # Reminders, retries and messages orphaned by a dead worker.
    # A sweep not started by the next tick is dropped: during a wave of reminders the
    # running sweeps have the work in hand, and a pile of sweeps would only make the
    # other tasks (one-time codes) wait behind them.
    "outbox-sweep": {
        "task": "notifications.tasks.outbox_sweep",
        "schedule": float(settings.GILIRAN_OUTBOX_SWEEP_SECONDS),
        "options": {"expires": float(settings.GILIRAN_OUTBOX_SWEEP_SECONDS)},
    },
}
