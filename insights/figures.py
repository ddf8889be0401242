"""The dashboards' figures as their pages show them: computed from the facts
(insights/dashboard.py), drawn (insights/charts.py) and rendered once per night's facts
and language, so a page view reads one cache entry. The nightly warm-up
(insights.tasks) computes the default views before anyone asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.template.loader import render_to_string
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.timezones import local_date
from core.versioned_cache import Answer, cached_answer
from insights import charts
from insights.dashboard import ComplaintRow, Dashboard, Scope, dashboard_of
from insights.recommendations import Recommendation, recommendations_for
from insights.selectors import NATIONAL_FACTS_VERSION, facts_version
from offices.models import Office

DEFAULT_DAYS = 28
# The dashboards' figures change once a night: kept until the next build bumps them.
CACHE_SECONDS = 24 * 3600
# Indonesia's westernmost zone ends a day last: the national "yesterday" is its.
NATIONAL_ZONE = "Asia/Jakarta"


def last_ended_day(office: Office | None, now: datetime) -> date:
    """The last ended day: the office's, or every office's (WIB's) nationally."""
    today = office.local_date(now) if office else local_date(NATIONAL_ZONE, now)
    return today - timedelta(days=1)


@dataclass(frozen=True)
class Figures:
    """A dashboard as the page shows it: its tables and charts rendered (in one
    language), and what is rendered per request: the recommendations, whose forms carry
    the reader's CSRF token, and the complaints, whose pungli reports only some read."""

    html: str
    recommendations: list[Recommendation]
    complaints: list[ComplaintRow]


def _charts(board: Dashboard) -> dict[str, SafeString]:
    hours = [f"{row.hour:02d}" for row in board.by_hour]
    weekdays = [str(WEEKDAYS_ABBR[d]) for d in range(7)]
    heat_columns = [f"{hour:02d}" for hour in board.heat_hours]

    def heat(attribute: str) -> list[list[float | None]]:
        return [
            [
                getattr(cell, attribute) if (cell := board.heatmap.get((d, h))) else None
                for h in board.heat_hours
            ]
            for d in range(7)
        ]

    return {
        "waits_by_hour": charts.bars(
            _("Wait for a call by hour (minutes)"),
            hours,
            [
                charts.Series(_("median"), [row.p50 for row in board.by_hour], "chart-a"),
                charts.Series(_("90th percentile"), [row.p90 for row in board.by_hour], "chart-b"),
            ],
        ),
        "waits_by_day": charts.lines(
            _("Wait for a call by day (minutes)"),
            [row.day.strftime("%d/%m") for row in board.by_day],
            [
                charts.Series(_("median"), [row.p50 for row in board.by_day], "chart-a"),
                charts.Series(_("90th percentile"), [row.p90 for row in board.by_day], "chart-b"),
            ],
        ),
        "arrivals": charts.heatmap(
            _("Arrivals per day, by weekday and hour"), weekdays, heat_columns, heat("arrivals")
        ),
        "forecast": charts.heatmap(
            _("Forecast arrivals per day, by weekday and hour"),
            weekdays,
            heat_columns,
            heat("forecast"),
        ),
        "counters": charts.bars(
            _("Counters by hour: planned, needed by the plan, worked"),
            hours,
            [
                charts.Series(_("planned"), [row.planned for row in board.by_hour], "chart-a"),
                charts.Series(_("needed"), [row.needed for row in board.by_hour], "chart-c"),
                charts.Series(_("worked"), [row.active for row in board.by_hour], "chart-b"),
            ],
        ),
    }


def _csv_query(scope: Scope) -> str:
    return urlencode(
        {
            **({"kantor": scope.office.code} if scope.office else {"nasional": "1"}),
            "dari": scope.first.isoformat(),
            "sampai": scope.last.isoformat(),
            **({"layanan": scope.service.code} if scope.service else {}),
        }
    )


def figures_of(scope: Scope, now: datetime) -> Figures:
    """The scope's figures in the active language, computed once per night's facts
    (core/versioned_cache.py: each build of the office's facts, or any office's for the
    national dashboard, bumps the version)."""
    version = facts_version(scope.office.pk) if scope.office else NATIONAL_FACTS_VERSION
    key = ":".join(
        [
            "insights:dashboard",
            str(scope.office.pk if scope.office else "all"),
            scope.first.isoformat(),
            scope.last.isoformat(),
            str(scope.service.pk if scope.service else ""),
            get_language() or "",
        ]
    )

    def compute() -> Answer[Figures]:
        board = dashboard_of(scope)
        html = render_to_string(
            "insights/dashboard_figures.html",
            {
                "board": board,
                "office": scope.office,
                "charts": _charts(board),
                "heat_rows": [
                    (WEEKDAYS_ABBR[d], [board.heatmap.get((d, h)) for h in board.heat_hours])
                    for d in range(7)
                ],
                "csv_query": _csv_query(scope),
            },
        )
        recommendations = (
            recommendations_for(office=scope.office, first=scope.first, last=scope.last)
            if scope.office
            else []
        )
        return Answer(
            Figures(html, recommendations, board.complaints),
            now + timedelta(seconds=CACHE_SECONDS),
        )

    return cached_answer(
        key=key, versions=[version], now=now, compute=compute, max_seconds=CACHE_SECONDS
    )


def default_scope(office: Office | None, now: datetime) -> Scope:
    """What a dashboard shows first: the last DEFAULT_DAYS ended days, every service."""
    last = last_ended_day(office, now)
    return Scope(last - timedelta(days=DEFAULT_DAYS - 1), last, office=office)
