"""What a citizen may book, and how much is left: the one place booking reads capacity.

Capacity lives on Slot rows written by scheduling/ (the default plan today, the
optimiser later). Free places = capacity − taken + holds that have expired but are still
counted (they come back at the next claim), so the figures shown are honest at once."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Min, Q, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from booking.availability_cache import availability_versions
from booking.models import Booking, Slot, WaitlistEntry, WaitlistStatus
from core.timezones import format_local_time
from core.versioned_cache import Answer, cached_answer
from offices.models import OfficeService
from offices.models.catalog import Allocation
from offices.release_schedule import day_opens_at, last_open_day
from offices.selectors import closed_days


@dataclass(frozen=True)
class BookingWindow:
    today: date  # the office's today
    first_day: date  # earliest bookable day
    last_day: date  # latest day open for booking now
    next_day_opens_at: datetime  # when last_day + 1 opens (aware, office zone)


def booking_window(office_service: OfficeService, now: datetime) -> BookingWindow:
    """Days a citizen may book now: from the earliest booking day to the last day the
    release schedule has opened (offices.release_schedule)."""
    today = office_service.office.local_date(now)
    last_day = last_open_day(office_service, now)
    return BookingWindow(
        today=today,
        first_day=today + timedelta(days=office_service.booking_opens_days_ahead),
        last_day=last_day,
        next_day_opens_at=day_opens_at(office_service, last_day + timedelta(days=1)),
    )


def calendar_range(office_service: OfficeService, now: datetime) -> tuple[date, date]:
    """The days a calendar may show (and the API may be asked about): from the first of
    this month to the end of the month after the last bookable day, so it can still say
    when the next days open. Dates typed outside it are refused before any arithmetic."""
    window = booking_window(office_service, now)
    today = office_service.office.local_date(now)
    first = min(today, window.first_day).replace(day=1)
    last_month = max(window.last_day, window.first_day).replace(day=28) + timedelta(days=4)
    last = last_month.replace(day=monthrange(last_month.year, last_month.month)[1])
    return first, last


def _earliest_start(office_service: OfficeService, now: datetime) -> datetime:
    return now + timedelta(minutes=office_service.min_notice_minutes)


# A ballot office-service's days are given by its ballot alone (ballots/): its winners'
# holds are made by booking.services.assigned, which never asks slot_refusal. Pages that
# show the ballot_only refusal link to the round page, whose URL name is BALLOT_PAGE
# (office_code, service_code).
BALLOT_PAGE = "ballot-round"


def slot_refusal(slot: Slot, now: datetime) -> tuple[str, str] | None:
    """Why this slot cannot be booked now, as (code, translated message), or None. A
    time that has begun has passed (time_passed), which is not the same as one that is
    still ahead but inside the minimum notice (too_soon); a day beyond the window says
    when it opens. The details page asks this before it shows the form, and the hold
    asks it again, so a page and the API refuse with the same code."""
    office_service = slot.office_service
    office = office_service.office
    if not (office.is_active and office_service.is_active and office_service.service.is_active):
        return "not_offered", _("This office does not offer this service at the moment.")
    if not office_service.service.accepts_appointments:
        return "walk_in_only", _("This service takes walk-ins only; no appointment is needed.")
    if office_service.allocation == Allocation.BALLOT:
        return "ballot_only", _(
            "This office gives its places for this service by ballot. Enter the ballot instead."
        )
    window = booking_window(office_service, now)
    if slot.starts_at <= now:
        return "time_passed", _("This time has passed. Choose another time.")
    if slot.local_date < window.first_day or slot.starts_at < _earliest_start(office_service, now):
        return "too_soon", _("This time is too soon to book. Choose a later time.")
    if slot.local_date > window.last_day:
        opens_at = day_opens_at(office_service, slot.local_date)
        return "not_open_yet", _("Booking for this day opens on %(at)s.") % {
            "at": format_local_time(opens_at, office.zone, with_date=True)
        }
    closed = closed_days(office, slot.local_date, slot.local_date)
    if closed:
        return "closed", _("The office is closed on this day: %(reason)s.") % {
            "reason": closed[0].reason
        }
    if _waitlisted_days(office_service, slot.local_date, slot.local_date):
        return "waitlist_first", _(
            "Places freed on this day go to its waiting list first. Join the waiting list instead."
        )
    return None


def _waitlisted_days(office_service: OfficeService, first: date, last: date) -> set[date]:
    """Days whose freed places belong to citizens waiting in line for them."""
    return set(
        WaitlistEntry.objects.filter(
            office_service=office_service,
            local_date__range=(first, last),
            status=WaitlistStatus.WAITING,
        ).values_list("local_date", flat=True)
    )


@dataclass(frozen=True)
class DayAvailability:
    day: date
    status: str  # available | full | closed | not_open_yet | unavailable
    free: int
    reason: str = ""
    opens_at: datetime | None = None


@dataclass(frozen=True)
class _Counted:
    """Bookings still counted in slots, per group: how many have passed their release
    (free already, back at the next claim) and when the next one will."""

    returning: dict[object, int]
    next_release: dict[object, datetime]


def _counted(where: Q, now: datetime, group: str) -> _Counted:
    rows = (
        Booking.objects.filter(where, occupies_slot=True, releases_at__isnull=False)
        .values(group)
        .annotate(
            n=Count("pk", filter=Q(releases_at__lte=now)),
            next=Min("releases_at", filter=Q(releases_at__gt=now)),
        )
    )
    returning, upcoming = {}, {}
    for row in rows:
        if row["n"]:
            returning[row[group]] = row["n"]
        if row["next"] is not None:
            upcoming[row[group]] = row["next"]
    return _Counted(returning, upcoming)


def _window_changes_at(office_service: OfficeService, window: BookingWindow) -> datetime:
    """The next moment the window moves by the clock alone: the office's midnight (a new
    today and first bookable day) or the next release (a new last day)."""
    midnight = datetime.combine(
        window.today + timedelta(days=1), time(0), tzinfo=office_service.office.zone
    )
    return min(midnight, window.next_day_opens_at)


def _cache_key(office_service: OfficeService, *parts: object) -> str:
    # Closed days and reasons are named in the request's language.
    language = get_language() or "id"
    return ":".join(["availability", str(office_service.pk), language, *map(str, parts)])


def month_availability(
    office_service: OfficeService, year: int, month: int, now: datetime
) -> list[DayAvailability]:
    first = date(year, month, 1)
    last = date(year, month, monthrange(year, month)[1])
    return days_availability(office_service, first, last, now)


def days_availability(
    office_service: OfficeService, first: date, last: date, now: datetime
) -> list[DayAvailability]:
    """Each day in [first, last]: available (N left), full, closed (why), not yet open
    (from when) or unavailable (past, too soon, beyond the window).

    Served from the cache while it holds: until a write bumps the office-service's or
    the catalog's version (booking.availability_cache), and never past the moment it
    stops being true by the clock alone (`_days_computed`)."""
    return _days_answer(office_service, first, last, now).value


def _days_answer(
    office_service: OfficeService, first: date, last: date, now: datetime
) -> Answer[list[DayAvailability]]:
    """The days with the moment they stop being true, from the cache or computed."""

    def compute() -> Answer[Answer[list[DayAvailability]]]:
        answer = _days_computed(office_service, first, last, now)
        return Answer(answer, answer.valid_until)

    return cached_answer(
        key=_cache_key(office_service, "days", first, last),
        versions=availability_versions(office_service.pk),
        now=now,
        compute=compute,
    )


def days_availability_fresh(
    office_service: OfficeService, first: date, last: date, now: datetime
) -> list[DayAvailability]:
    """`days_availability` read from the database, for a service deciding on it."""
    return _days_computed(office_service, first, last, now).value


def _days_computed(
    office_service: OfficeService, first: date, last: date, now: datetime
) -> Answer[list[DayAvailability]]:
    """The days from the database, valid until the first of: the next counted hold
    releasing its place, the next slot entering the minimum notice, the window moving."""
    office = office_service.office
    window = booking_window(office_service, now)
    earliest = _earliest_start(office_service, now)
    bookable = Q(
        office_service=office_service, local_date__range=(first, last), starts_at__gte=earliest
    )
    totals: dict[date, int] = {}
    starts: dict[date, datetime] = {}
    for row in (
        Slot.objects.filter(bookable)
        .values("local_date")
        .annotate(
            free=Sum(F("capacity") - F("taken")),
            first=Min("starts_at", filter=Q(capacity__gt=0)),
        )
    ):
        totals[row["local_date"]] = row["free"]
        if row["first"] is not None:  # a slot without places changes nothing by leaving
            starts[row["local_date"]] = row["first"]
    counted = _counted(
        Q(
            slot__office_service=office_service,
            slot__local_date__range=(first, last),
            slot__starts_at__gte=earliest,
        ),
        now,
        "slot__local_date",
    )
    returning = counted.returning
    closed = {c.day: c.reason for c in closed_days(office, first, last)}
    open_weekdays = set(office.opening_hours.values_list("weekday", flat=True))
    for day in _waitlisted_days(office_service, first, last):
        totals[day], returning[day] = 0, 0  # its free places are offered in line
    days = []
    day = first
    while day <= last:
        days.append(
            _day_status(office_service, day, window, totals, returning, closed, open_weekdays)
        )
        day += timedelta(days=1)
    return Answer(days, _holds_until(office_service, window, starts, counted.next_release))


def _holds_until(
    office_service: OfficeService,
    window: BookingWindow,
    first_starts: dict[date, datetime],
    next_releases: dict[object, datetime],
) -> datetime:
    """When days computed now stop being true by the clock alone: the window moving,
    the first slot with places of a day entering the minimum notice, a counted hold of
    a day releasing its place. Only days inside the window show free places, so the
    slots and holds of other days change nothing by the clock."""
    notice = timedelta(minutes=office_service.min_notice_minutes)
    ends = [_window_changes_at(office_service, window)]
    for day, starts_at in first_starts.items():
        if window.first_day <= day <= window.last_day:
            ends.append(starts_at - notice)
    for key, releases_at in next_releases.items():
        if isinstance(key, date) and window.first_day <= key <= window.last_day:
            ends.append(releases_at)
    return min(ends)


def _day_status(
    office_service: OfficeService,
    day: date,
    window: BookingWindow,
    totals: dict[date, int],
    returning: dict[object, int],
    closed: dict[date, str],
    open_weekdays: set[int],
) -> DayAvailability:
    if day in closed:
        return DayAvailability(day, "closed", 0, closed[day])
    if day.weekday() not in open_weekdays:
        return DayAvailability(day, "closed", 0)  # a day it never opens needs no reason
    if day < window.today:
        return DayAvailability(day, "unavailable", 0, _("this day has passed"))
    if day < window.first_day:
        return DayAvailability(day, "unavailable", 0, _("too soon to book"))
    if day > window.last_day:
        return DayAvailability(day, "not_open_yet", 0, opens_at=day_opens_at(office_service, day))
    free = totals.get(day, 0) + returning.get(day, 0)
    return DayAvailability(day, "available" if free > 0 else "full", free)


@dataclass(frozen=True)
class DaysSummary:
    """What a citizen looking at some days (a month, or one day) is told about them."""

    status: str  # available | full | not_open_yet | unavailable
    first_day_to_open: date | None = None  # not_open_yet: the first of them to open
    opens_at: datetime | None = None  # … and when it opens (aware, office zone)

    @property
    def looks_elsewhere(self) -> bool:
        """Full or unbookable days point to where there is room; days that have not
        opened yet say when they open instead (a month beyond the window is not full)."""
        return self.status in ("full", "unavailable")


def days_summary(days: list[DayAvailability]) -> DaysSummary:
    """One rule for the calendar page and the API: available when a day has places;
    full when a day inside the window has none left; not yet open when none can be
    booked now but some will be (from the first of them); otherwise unavailable (closed,
    past or too soon)."""
    statuses = {day.status for day in days}
    if "available" in statuses:
        return DaysSummary("available")
    if "full" in statuses:
        return DaysSummary("full")
    waiting = [day for day in days if day.status == "not_open_yet"]
    if waiting:
        return DaysSummary("not_open_yet", waiting[0].day, waiting[0].opens_at)
    return DaysSummary("unavailable")


@dataclass(frozen=True)
class SlotAvailability:
    slot_id: int
    starts_at: datetime
    ends_at: datetime
    free: int


def day_slots(office_service: OfficeService, day: date, now: datetime) -> list[SlotAvailability]:
    """The times of one day with places left (none if the day is not bookable now),
    served from the cache as `days_availability` is."""
    return cached_answer(
        key=_cache_key(office_service, "times", day),
        versions=availability_versions(office_service.pk),
        now=now,
        compute=lambda: _day_slots_computed(office_service, day, now),
    )


def _day_slots_computed(
    office_service: OfficeService, day: date, now: datetime
) -> Answer[list[SlotAvailability]]:
    """Valid as long as the day's own answer: the same slots and holds decide both."""
    status = _days_answer(office_service, day, day, now)
    if status.value[0].status != "available":
        return Answer([], status.valid_until)
    slots = Slot.objects.filter(
        office_service=office_service,
        local_date=day,
        starts_at__gte=_earliest_start(office_service, now),
    ).order_by("starts_at")
    returning = _counted(Q(slot__in=slots), now, "slot_id").returning
    result = []
    for slot in slots:
        free = slot.capacity - slot.taken + returning.get(slot.pk, 0)
        if free > 0:
            result.append(SlotAvailability(slot.pk, slot.starts_at, slot.ends_at, free))
    return Answer(result, status.valid_until)


def next_free_day(office_service: OfficeService, after: date, now: datetime) -> date | None:
    window = booking_window(office_service, now)
    first = max(after + timedelta(days=1), window.first_day)
    if first > window.last_day:
        return None
    for day in days_availability(office_service, first, window.last_day, now):
        if day.status == "available":
            return day.day
    return None
