"""The anti-calo rules: what each one counts, its threshold (a GILIRAN_CALO_* setting,
docs/deployment.md) and the sentence a supervisor reads next to the flag it raised
(docs/anticalo.md). A count flags when it is MORE than its threshold, never at it.

Counting works on plain rows (`HoldRow`, `NikRow`), never on querysets, so each rule
is tested on its own; `anticalo/selectors.py` fetches the rows of one office and period."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from core.timezones import format_duration


class Dimension(enum.StrEnum):
    """What holds and bookings are grouped by."""

    NETWORK = "network"  # the client's IPv4 /24 or IPv6 /48
    DEVICE = "device"  # the keyed hash of its device cookie or X-Device-Id
    PHONE = "phone"
    EMAIL = "email"


@dataclass(frozen=True)
class HoldRow:
    """One hold made through the site or the API (every booking starts as one)."""

    booking_id: int
    code: str
    created_at: datetime
    confirmed: bool  # it became a booking
    nik_hash: str
    network: str
    device_hash: str
    phone: str
    email: str

    def key(self, dimension: Dimension) -> str:
        return {
            Dimension.NETWORK: self.network,
            Dimension.DEVICE: self.device_hash,
            Dimension.PHONE: self.phone,
            Dimension.EMAIL: self.email,
        }[dimension]


@dataclass(frozen=True)
class Flag:
    """One group (a network, a device, a contact or a NIK) that passed at least one
    rule: `rules` are the sentences of every rule it passed, with its counts."""

    dimension: str
    key: str
    rules: list[str]
    holds: int
    bookings: int
    niks: int
    booking_ids: list[int]
    codes: list[str]


def window_max(times: Sequence[datetime], window: timedelta) -> int:
    """The most of `times` (sorted) that fall within any `window`-long stretch: holds at
    10:00 and 10:59 are within an hour, at 10:00 and 11:00 are not."""
    most, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


def _hold_limit(dimension: Dimension) -> int:
    if dimension == Dimension.NETWORK:
        return int(settings.GILIRAN_CALO_HOLDS_PER_NETWORK)
    if dimension == Dimension.DEVICE:
        return int(settings.GILIRAN_CALO_HOLDS_PER_DEVICE)
    return int(settings.GILIRAN_CALO_HOLDS_PER_CONTACT)


def _booking_limit(dimension: Dimension) -> int:
    if dimension == Dimension.NETWORK:
        return int(settings.GILIRAN_CALO_BOOKINGS_PER_NETWORK)
    if dimension == Dimension.DEVICE:
        return int(settings.GILIRAN_CALO_BOOKINGS_PER_DEVICE)
    return int(settings.GILIRAN_CALO_BOOKINGS_PER_CONTACT)


def _hold_rule(dimension: Dimension, *, count: int, limit: int, window: str) -> str:
    values = {"count": count, "limit": limit, "window": window}
    if dimension == Dimension.NETWORK:
        return (
            _(
                "Holds from one network (/24 or /48) within %(window)s: %(count)d, "
                "more than %(limit)d"
            )
            % values
        )
    if dimension == Dimension.DEVICE:
        return _("Holds from one device within %(window)s: %(count)d, more than %(limit)d") % values
    return _("Holds with one contact within %(window)s: %(count)d, more than %(limit)d") % values


def _booking_rule(dimension: Dimension, *, count: int, limit: int) -> str:
    values = {"count": count, "limit": limit}
    if dimension == Dimension.NETWORK:
        return _("Bookings from one network in the period: %(count)d, more than %(limit)d") % values
    if dimension == Dimension.DEVICE:
        return _("Bookings from one device in the period: %(count)d, more than %(limit)d") % values
    return _("Bookings with one contact in the period: %(count)d, more than %(limit)d") % values


def _flag(dimension: str, key: str, rules: list[str], rows: list[HoldRow]) -> Flag:
    return Flag(
        dimension=dimension,
        key=key,
        rules=rules,
        holds=len(rows),
        bookings=sum(row.confirmed for row in rows),
        niks=len({row.nik_hash for row in rows if row.nik_hash}),
        booking_ids=[row.booking_id for row in rows],
        codes=[row.code for row in rows],
    )


def group_flags(rows: Iterable[HoldRow], dimension: Dimension) -> list[Flag]:
    """The groups of `dimension` (rows without a value are no group) whose holds within
    GILIRAN_CALO_WINDOW_MINUTES, or whose bookings in the whole period, pass their
    thresholds; most holds first."""
    window = timedelta(minutes=settings.GILIRAN_CALO_WINDOW_MINUTES)
    groups: dict[str, list[HoldRow]] = {}
    for row in rows:
        if key := row.key(dimension):
            groups.setdefault(key, []).append(row)
    flags = []
    for key, members in groups.items():
        members.sort(key=lambda row: row.created_at)
        rules = []
        in_window = window_max([row.created_at for row in members], window)
        hold_limit = _hold_limit(dimension)
        if in_window > hold_limit:
            rules.append(
                _hold_rule(
                    dimension, count=in_window, limit=hold_limit, window=format_duration(window)
                )
            )
        booked = sum(row.confirmed for row in members)
        booking_limit = _booking_limit(dimension)
        if booked > booking_limit:
            rules.append(_booking_rule(dimension, count=booked, limit=booking_limit))
        if rules:
            flags.append(_flag(dimension, key, rules, members))
    return sorted(flags, key=lambda flag: (-flag.holds, flag.key))


@dataclass(frozen=True)
class JoinRow:
    """A place taken in a release's waiting room (releases.RoomJoin): no NIK, only where
    it came from."""

    joined_at: datetime
    network: str
    device_hash: str

    def key(self, dimension: Dimension) -> str:
        return self.network if dimension == Dimension.NETWORK else self.device_hash


@dataclass(frozen=True)
class JoinFlag:
    dimension: str
    key: str
    rule: str
    joins: int


def join_flags(rows: Iterable[JoinRow], dimension: Dimension) -> list[JoinFlag]:
    """Networks or devices that took more than GILIRAN_CALO_JOINS_PER_NETWORK (or
    _PER_DEVICE) places in waiting rooms within GILIRAN_CALO_WINDOW_MINUTES: one NIK has
    one place, so many places from one device means many NIKs typed on it."""
    window = timedelta(minutes=settings.GILIRAN_CALO_WINDOW_MINUTES)
    limit = int(
        settings.GILIRAN_CALO_JOINS_PER_NETWORK
        if dimension == Dimension.NETWORK
        else settings.GILIRAN_CALO_JOINS_PER_DEVICE
    )
    groups: dict[str, list[datetime]] = {}
    for row in rows:
        if key := row.key(dimension):
            groups.setdefault(key, []).append(row.joined_at)
    flags = []
    for key, times in groups.items():
        times.sort()
        most = window_max(times, window)
        if most <= limit:
            continue
        values = {"count": most, "limit": limit, "window": format_duration(window)}
        rule = (
            _(
                "Waiting-room places taken from one network within %(window)s: %(count)d, "
                "more than %(limit)d"
            )
            if dimension == Dimension.NETWORK
            else _(
                "Waiting-room places taken from one device within %(window)s: %(count)d, "
                "more than %(limit)d"
            )
        ) % values
        flags.append(JoinFlag(dimension, key, rule, len(times)))
    return sorted(flags, key=lambda flag: (-flag.joins, flag.key))


@dataclass(frozen=True)
class BallotEntryRow:
    """An entry in a ballot with its contact proven (ballots.BallotEntry), made in the
    period."""

    phone: str
    email: str

    def key(self, dimension: Dimension) -> str:
        return self.phone if dimension == Dimension.PHONE else self.email


def ballot_flags(rows: Iterable[BallotEntryRow], dimension: Dimension) -> list[JoinFlag]:
    """Phones or emails that proved more than GILIRAN_CALO_BALLOT_ENTRIES_PER_CONTACT
    ballot entries in the period: each entry is another NIK, so many entries on one
    contact are many people's chances in one person's hands."""
    limit = int(settings.GILIRAN_CALO_BALLOT_ENTRIES_PER_CONTACT)
    groups: dict[str, int] = {}
    for row in rows:
        if key := row.key(dimension):
            groups[key] = groups.get(key, 0) + 1
    flags = [
        JoinFlag(
            dimension,
            key,
            _("Ballot entries with one contact in the period: %(count)d, more than %(limit)d")
            % {"count": count, "limit": limit},
            count,
        )
        for key, count in groups.items()
        if count > limit
    ]
    return sorted(flags, key=lambda flag: (-flag.joins, flag.key))


@dataclass(frozen=True)
class NikRow:
    """A booking of one NIK that counts against it: a no-show, or a cancellation with
    the moment the next day's quota of its office-service opened after it."""

    booking_id: int
    code: str
    nik_hash: str
    masked_nik: str
    no_show: bool
    cancelled_at: datetime | None = None
    next_release: datetime | None = None

    def cancelled_late(self, before: timedelta) -> bool:
        return (
            self.cancelled_at is not None
            and self.next_release is not None
            and timedelta(0) <= self.next_release - self.cancelled_at <= before
        )


def nik_flags(rows: Iterable[NikRow]) -> list[Flag]:
    """NIKs with more than GILIRAN_CALO_NO_SHOWS no-shows, or more than
    GILIRAN_CALO_LATE_CANCELS cancellations within GILIRAN_CALO_LATE_CANCEL_HOURS before
    a day's quota opened (a place let go just as new ones are released, for someone
    waiting to take it). The key shown is the masked NIK (last four digits)."""
    before = timedelta(hours=settings.GILIRAN_CALO_LATE_CANCEL_HOURS)
    by_nik: dict[str, list[NikRow]] = {}
    for row in rows:
        if row.nik_hash:
            by_nik.setdefault(row.nik_hash, []).append(row)
    flags = []
    for members in by_nik.values():
        no_shows = [row for row in members if row.no_show]
        late = [row for row in members if row.cancelled_late(before)]
        rules = []
        if len(no_shows) > settings.GILIRAN_CALO_NO_SHOWS:
            rules.append(
                _("No-shows of one NIK in the period: %(count)d, more than %(limit)d")
                % {"count": len(no_shows), "limit": settings.GILIRAN_CALO_NO_SHOWS}
            )
        if len(late) > settings.GILIRAN_CALO_LATE_CANCELS:
            rules.append(
                _(
                    "Cancellations by one NIK within %(window)s before a day's quota "
                    "opened: %(count)d, more than %(limit)d"
                )
                % {
                    "window": format_duration(before),
                    "count": len(late),
                    "limit": settings.GILIRAN_CALO_LATE_CANCELS,
                }
            )
        if rules:
            counted = [row for row in members if row.no_show or row.cancelled_late(before)]
            flags.append(
                Flag(
                    dimension="nik",
                    key=members[0].masked_nik,
                    rules=rules,
                    holds=0,
                    bookings=len(counted),
                    niks=1,
                    booking_ids=[row.booking_id for row in counted],
                    codes=[row.code for row in counted],
                )
            )
    return sorted(flags, key=lambda flag: (-flag.bookings, flag.key))
