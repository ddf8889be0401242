"""The public performance page of an office (`/kantor/<code>/kinerja/`) and its open
data (`kinerja.json`, `kinerja.csv`), anonymous; the open data is cacheable by anyone
for an hour (the figures change once a night, when the facts are built)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import cache_control

from insights.open_data import office_performance_csv, office_performance_data
from insights.selectors import (
    PERIODS,
    PUBLIC_MIN_PEOPLE,
    Figure,
    Performance,
    office_performance_cached,
)
from offices.models import Office
from queueing.ikm import band_of

PUBLIC_CACHE_SECONDS = 3600


def _minutes(value: float) -> str:
    n = int(value)
    return ngettext("%(n)d minute", "%(n)d minutes", n) % {"n": n}


def _percent(value: float) -> str:
    return f"{number_format(round(value * 100))} %"


def _score(value: float) -> str:
    return number_format(value, decimal_pos=2)


def _ikm(value: float) -> str:
    band, meaning = band_of(value)
    return f"{number_format(value, decimal_pos=2)} ({band}, {meaning})"


def _count(value: float) -> str:
    return number_format(int(value), force_grouping=True)


@dataclass(frozen=True)
class _Row:
    label: Promise
    cells: list[str | None]  # None: hidden (fewer than PUBLIC_MIN_PEOPLE people)


_ROWS: list[tuple[Promise, Callable[[Performance], Figure], Callable[[float], str]]] = [
    (_("Median wait for a call"), lambda p: p.wait_median, _minutes),
    (_("9 in 10 were called within"), lambda p: p.wait_p90, _minutes),
    (_("Called within the promised wait"), lambda p: p.called_within_target, _percent),
    (_("Appointment places booked"), lambda p: p.places_booked, _count),
    (_("Booked appointments missed"), lambda p: p.no_show_rate, _percent),
    (_("Satisfaction (1 to 5)"), lambda p: p.satisfaction, _score),
    (_("Satisfaction index, IKM (25 to 100)"), lambda p: p.ikm, _ikm),
    (_("Complaints received"), lambda p: p.complaints_received, _count),
    (_("Complaints answered by their due date"), lambda p: p.complaints_answered_in_time, _percent),
]


def _rows(periods: list[Performance]) -> list[_Row]:
    rows = []
    for label, figure_of, show in _ROWS:
        cells: list[str | None] = []
        for period in periods:
            figure = figure_of(period)
            if figure.value is not None:
                cells.append(show(figure.value))
            else:  # hidden when people were counted, but too few; a dash when none
                cells.append(None if figure.people else "—")
        rows.append(_Row(label, cells))
    return rows


def _office(code: str) -> Office:
    return get_object_or_404(Office, code=code, is_active=True)


# The page itself is not marked public: it carries the visitor's CSRF token and sign-in.
def office_performance_page(request: HttpRequest, code: str) -> HttpResponse:
    office = _office(code)
    now = timezone.now()
    periods = [office_performance_cached(office=office, days=days, now=now) for days in PERIODS]
    return render(
        request,
        "insights/office_performance.html",
        {
            "office": office,
            "periods": periods,
            "rows": _rows(periods),
            "places_released": [_count(p.places_released) for p in periods],
            "longest": [(WEEKDAYS[a.weekday], a) for a in periods[-1].busiest],
            "shortest": [(WEEKDAYS[a.weekday], a) for a in periods[-1].quietest],
            "min_people": PUBLIC_MIN_PEOPLE,
        },
    )


@cache_control(public=True, max_age=PUBLIC_CACHE_SECONDS)
def office_performance_json(request: HttpRequest, code: str) -> JsonResponse:
    office = _office(code)
    data = office_performance_data(office=office, now=timezone.now())
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


class _Echo:
    """A file-like object whose write hands the line back, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_attachment(rows: Iterable[Sequence[object]], filename: str) -> StreamingHttpResponse:
    """A CSV file streamed as its rows are produced, never held whole in memory."""
    writer = csv.writer(_Echo())
    lines: Iterator[str] = (writer.writerow(row) for row in rows)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@cache_control(public=True, max_age=PUBLIC_CACHE_SECONDS)
def office_performance_csv_file(request: HttpRequest, code: str) -> StreamingHttpResponse:
    office = _office(code)
    data = office_performance_data(office=office, now=timezone.now())
    return csv_attachment(office_performance_csv(data), f"kinerja-{office.code}.csv")
