"""The virtual waiting room of a release moment: who waits, in what order, who may hold.

At a release a few hundred places meet thousands of citizens. Without a room the places
go to whoever's request reaches a worker first, which is how scripts and calo win. With
it (docs/releases.md):

1. **Gathering.** From `waiting_room_minutes` before the release, a citizen who opens
   the booking page joins the room with their NIK and gets a ticket. One NIK, one place:
   joining again (another phone, a closed tab) gives back the same place, never a second.
2. **The draw.** At the release the members gathered so far are put in a random order
   with the operating system's CSPRNG (`secrets.SystemRandom`), so arriving a millisecond
   or half an hour early gives the same chance. Later arrivals join at the back, in
   arrival order.
3. **Admission.** Members are let in in line order, no faster than
   GILIRAN_WAITING_ROOM_ADMIT_PER_MINUTE and never more than GILIRAN_WAITING_ROOM_IN_FLOW
   at once: each admitted member leaves the flow when they hold a place or when their
   admission lapses (GILIRAN_WAITING_ROOM_ADMISSION_MINUTES from when they first asked
   after being let in), so when the server is slow and citizens take longer, fewer are
   let in (the admission adapts to what is served). A member who never asks again (the
   page was closed) gives the place back after GILIRAN_WAITING_ROOM_PICKUP_SECONDS.
4. **The gate.** While the room is open, a hold for the office-service needs a valid
   admission: signed, expiring, for this room, presented with the ticket it was issued
   to, for the NIK the ticket joined with, and spent by the first hold it makes.

A room also opens without a release when holds for an office-service come faster than
GILIRAN_WAITING_ROOM_TRIGGER_PER_MINUTE (a rush nobody scheduled): it draws at once and
admits in arrival order.

Every answer to a waiting citizen comes from the room store (releases/store.py), never
from PostgreSQL. The room and its office's names are copied into the store when the
room is first touched. When the store loses its state (a Redis restart), every ticket
and admission of the old life is refused and the room regathers for
GILIRAN_WAITING_ROOM_REGATHER_SECONDS before drawing again: the room fails closed, no
place is given without a fresh, fair draw, and a place is never oversold (the slot's
conditional claim and its CHECK constraint guard that whatever the room does).
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from core import personal_data
from core.client_marks import NO_CLIENT, ClientMark
from core.errors import ApplicationError
from core.nik import normalize_nik
from core.timezones import format_local_time
from offices.models import OfficeService
from offices.models.catalog import Allocation
from offices.release_schedule import latest_release, next_release
from releases.models import RoomJoin
from releases.store import Admitted, RoomStore, room_store

TICKET_SALT = "giliran.waiting-room.ticket"
ADMISSION_SALT = "giliran.waiting-room.admission"
LOAD_WINDOW_SECONDS = 10
STAY_OPEN_HOURS = 6
POLL_MIN_SECONDS, POLL_MAX_SECONDS, POLL_SPREAD_SECONDS = 5, 120, 3


@dataclass(frozen=True)
class Room:
    id: str  # "<store epoch>:<office-service>:<release, epoch seconds>"
    office_service_id: int
    zone: str
    opens_at: datetime  # the release moment (or the moment a rush opened the room)
    gathers_from: datetime
    draws_at: datetime  # the release, or later when the store restarted while gathering
    closes_at: datetime  # holds need an admission until then
    regathering: bool  # the store lost the line: everyone rejoins before a new draw


@dataclass(frozen=True)
class Ticket:
    room: Room
    member: str
    token: str  # what the citizen keeps (a cookie, or the API's answer)
    arrival: int
    created: bool


@dataclass(frozen=True)
class Status:
    state: str  # gathering | waiting | admitted | spent | lapsed | sold_out | lost
    ahead: int | None  # members before this one not yet admitted
    line: int  # everyone in the room
    admitted: int
    estimate_seconds: int | None
    admission: str | None = None  # the signed admission, when admitted and not yet spent
    admission_lapses_at: datetime | None = None

    @property
    def poll_after_seconds(self) -> int:
        """When to ask again. An admission lasts minutes, so nobody needs to ask every
        second: far back in line, half the estimated wait (5 to 120 seconds); gathering,
        at the draw. A random spread keeps the pages from asking in the same instant:
        after the draw it grows with the crowd (a second per hundred people, 3 to 60
        seconds), since most of them are far back in the drawn line anyway."""
        if self.state == "sold_out":
            return 0  # nothing left to wait for: stop asking
        if self.estimate_seconds is None:
            return POLL_MIN_SECONDS
        if self.state == "gathering":
            base = min(self.estimate_seconds, POLL_MAX_SECONDS)
            spread = min(max(self.line // 100, POLL_SPREAD_SECONDS), 60)
        else:
            base = min(max(self.estimate_seconds // 2, POLL_MIN_SECONDS), POLL_MAX_SECONDS)
            spread = max(POLL_SPREAD_SECONDS, base // 5)
        return max(1, base) + random.randint(0, spread)  # noqa: S311 (spread only)


def _aware(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def _room(
    office_service: OfficeService,
    opens_at: datetime,
    gathers_from: datetime,
    life: tuple[str, float],
) -> Room:
    """The room of one release. When the store was born (first used, or restarted and
    empty) after the gathering began and before the room would close, the line it held
    is gone: the draw waits GILIRAN_WAITING_ROOM_REGATHER_SECONDS from the store's birth
    so everyone can rejoin first. `life` is the store's (epoch, birth)."""
    epoch, born = life
    open_for = timedelta(minutes=settings.GILIRAN_WAITING_ROOM_OPEN_MINUTES)
    draws_at = opens_at
    if gathers_from.timestamp() < born < (opens_at + open_for).timestamp():
        regather = timedelta(seconds=settings.GILIRAN_WAITING_ROOM_REGATHER_SECONDS)
        draws_at = max(opens_at, _aware(born) + regather)
    return Room(
        id=f"{epoch}:{office_service.pk}:{int(opens_at.timestamp())}",
        office_service_id=office_service.pk,
        zone=office_service.office.timezone,
        opens_at=opens_at,
        gathers_from=gathers_from,
        draws_at=draws_at,
        closes_at=draws_at + open_for,
        regathering=draws_at > opens_at,
    )


def room_for(
    office_service: OfficeService, now: datetime, store: RoomStore | None = None
) -> Room | None:
    """The room open for this office-service at `now`, if any: around a release (from
    the gathering until GILIRAN_WAITING_ROOM_OPEN_MINUTES after the draw, and for as
    long as citizens are still waiting in it), or after a rush opened one."""
    store = store or room_store()
    if office_service.allocation == Allocation.BALLOT:
        return None  # a ballot gives the places: there is no race to queue for
    minutes = office_service.waiting_room_minutes
    life = store.epoch()
    candidates = []
    if minutes:
        gather = timedelta(minutes=minutes)
        for release in (next_release(office_service, now), latest_release(office_service, now)):
            candidates.append(
                _room(office_service, release.opens_at, release.opens_at - gather, life)
            )
    rush = store.meta(f"{life[0]}:rush:{office_service.pk}").get("opens_at")
    if rush:
        opens_at = _aware(float(rush))
        candidates.append(_room(office_service, opens_at, opens_at, life))
    for room in candidates:
        if room.gathers_from <= now < room.closes_at or _still_waiting(room, now, store):
            return room
    return None


def _still_waiting(room: Room, now: datetime, store: RoomStore) -> bool:
    """A room stays open past its hours (up to STAY_OPEN_HOURS) while members are
    still in line for admission."""
    if not room.closes_at <= now < room.draws_at + timedelta(hours=STAY_OPEN_HOURS):
        return False
    admitted = store.admitted_total(room.id)
    return store.size(room.id) > admitted > 0


def _room_describe(room: Room, office_service: OfficeService, store: RoomStore) -> None:
    """Copy what the waiting page shows into the store, once, so that answering a
    waiting citizen never reads PostgreSQL."""
    if store.meta(room.id).get("office_code"):
        return
    office, service = office_service.office, office_service.service
    store.meta_set(
        room.id,
        {
            "office_code": office.code,
            "service_code": service.code,
            "office_name": office.name,
            "service_name_id": service.name_id,
            "service_name_en": service.name_en or service.name_id,
            "zone": office.timezone,
            "opens_at": str(room.opens_at.timestamp()),
            "gathers_from": str(room.gathers_from.timestamp()),
            "draws_at": str(room.draws_at.timestamp()),
            "closes_at": str(room.closes_at.timestamp()),
            "regathering": "1" if room.regathering else "",
        },
    )


# --- Joining ----------------------------------------------------------------------------


def room_join(
    *,
    office_service: OfficeService,
    nik: str,
    now: datetime,
    client: ClientMark = NO_CLIENT,
    store: RoomStore | None = None,
) -> Ticket:
    """Join the open room with a NIK; the same NIK gets back its first place. A new
    place is recorded with the client's network and device for the anti-calo report."""
    store = store or room_store()
    room = room_for(office_service, now, store)
    if room is None:
        raise ApplicationError(
            "waiting_room_closed",
            _("No waiting room is open for this service now. You can book directly."),
            status_code=409,
        )
    nik_hash = personal_data.keyed_hash(normalize_nik(nik))
    _room_describe(room, office_service, store)
    _draw_when_due(room, now, store)
    joined = store.join(
        room.id, member=secrets.token_hex(12), nik_hash=nik_hash, now=now.timestamp()
    )
    if joined.created:
        RoomJoin.objects.create(
            office_service=office_service,
            release_at=room.opens_at,
            release_day=room.opens_at.astimezone(office_service.office.zone).date(),
            joined_at=now,
            client_network=client.network,
            device_hash=client.device_hash,
        )
    token = signing.dumps([room.id, joined.member], salt=TICKET_SALT, compress=False)
    return Ticket(room, joined.member, token, joined.arrival, joined.created)


def _draw_when_due(room: Room, now: datetime, store: RoomStore) -> None:
    """At the draw moment, the gathered members are shuffled by the CSPRNG; the store
    places anyone who joined while the shuffle was being made after them, in arrival
    order, and only the first caller's draw counts."""
    if now >= room.draws_at:
        _shuffle_and_draw(room.id, store)


def _shuffle_and_draw(room_id: str, store: RoomStore) -> None:
    if store.drawn(room_id):
        return
    order = store.pre_members(room_id)
    secrets.SystemRandom().shuffle(order)
    store.draw(room_id, order)


# --- Waiting ----------------------------------------------------------------------------


def ticket_read(token: str) -> tuple[str, str] | None:
    """(room id, member) from a ticket, or None when it is forged or damaged."""
    try:
        room_id, member = signing.loads(token, salt=TICKET_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return str(room_id), str(member)


def room_status(
    *, room_id: str, member: str, now: datetime, store: RoomStore | None = None
) -> Status:
    """Where a member stands, from the store alone; lets in whoever is due first."""
    store = store or room_store()
    meta = store.meta(room_id)
    line = store.size(room_id)
    if not meta or store.nik_hash(room_id, member) is None:
        return Status("lost", None, line, 0, None)
    draws_at = _aware(float(meta["draws_at"]))
    if now < draws_at:
        return Status("gathering", None, line, 0, int((draws_at - now).total_seconds()))
    _shuffle_and_draw(room_id, store)
    admitted = _admit_room(room_id, now, draws_at, store)
    place = store.place(room_id, member)
    if place is None:
        return Status("lost", None, line, admitted.total, None)
    if place >= admitted.total:
        ahead = place - admitted.total
        if meta.get("sold_out"):
            return Status("sold_out", ahead, line, admitted.total, None)
        return Status(
            "waiting", ahead, line, admitted.total, _estimate(ahead, admitted.total, draws_at, now)
        )
    lapses = store.admission_collect(
        room_id,
        member,
        now=now.timestamp(),
        lapse_seconds=settings.GILIRAN_WAITING_ROOM_ADMISSION_MINUTES * 60,
    )
    if lapses is None:
        state = "spent" if store.spent(room_id, member) else "lapsed"
        return Status(state, 0, line, admitted.total, None)
    admission = signing.dumps([room_id, member, lapses], salt=ADMISSION_SALT, compress=False)
    return Status("admitted", 0, line, admitted.total, None, admission, _aware(lapses))


def _admit_room(room_id: str, now: datetime, since: datetime, store: RoomStore) -> Admitted:
    return store.admit(
        room_id,
        now=now.timestamp(),
        since=since.timestamp(),
        per_second=settings.GILIRAN_WAITING_ROOM_ADMIT_PER_MINUTE / 60,
        in_flow=settings.GILIRAN_WAITING_ROOM_IN_FLOW,
        pickup_seconds=settings.GILIRAN_WAITING_ROOM_PICKUP_SECONDS,
    )


def _estimate(ahead: int, admitted: int, draws_at: datetime, now: datetime) -> int:
    """Seconds until this member's turn at the pace measured since the draw (never
    faster than the configured pace, which is the most the room admits)."""
    configured = settings.GILIRAN_WAITING_ROOM_ADMIT_PER_MINUTE / 60
    elapsed = (now - draws_at).total_seconds()
    measured = admitted / elapsed if elapsed >= 30 and admitted else configured
    return int((ahead + 1) / max(min(measured, configured), 0.01))


def room_sold_out(*, office_service: OfficeService, now: datetime) -> None:
    """Tell the open room that every place of its release is taken: citizens still in
    line are told so (and to join a day's waiting list) instead of waiting for nothing,
    and stop asking. Admitted citizens keep their turn: a hold that lapses brings a
    place back, and the waiting list offers it in line (booking's rule)."""
    store = room_store()
    room = room_for(office_service, now, store)
    if room is not None and now >= room.draws_at:
        store.meta_set(room.id, {"sold_out": "1"})


# --- The gate ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Pass:
    """What a hold showed at the gate: `spent` is given back if the hold fails."""

    room_id: str = ""
    member: str = ""
    lapses: float = 0.0

    def give_back(self) -> None:
        if self.room_id:
            room_store().unspend(self.room_id, self.member, self.member, self.lapses)


def _refused_admission() -> ApplicationError:
    return ApplicationError(
        "admission_invalid",
        _(
            "This admission is not valid: it has expired, has already been used, or was "
            "given to someone else. Join the waiting room again."
        ),
        status_code=403,
    )


def admission_check(
    *,
    office_service: OfficeService,
    nik: str,
    admission: str,
    ticket: str,
    now: datetime,
) -> Pass:
    """Let a hold through the gate, or refuse it. Outside a room's hours nothing is
    asked (and a rush may open a room). Inside, the admission must be genuine, for this
    room, not lapsed, presented with the ticket it was issued to, for the same NIK, and
    unspent; it is spent here, and given back (`Pass.give_back`) if the hold fails."""
    store = room_store()
    room = room_for(office_service, now, store)
    if room is None:
        _rush_check(office_service, now, store)
        return Pass()
    if not admission:
        raise _waiting_room_required(room, office_service, now)
    try:
        room_id, member, lapses = signing.loads(admission, salt=ADMISSION_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise _refused_admission() from None
    read = ticket_read(ticket)
    if (
        room_id != room.id
        or read != (room_id, member)
        or float(lapses) <= now.timestamp()
        or store.nik_hash(room_id, member) != personal_data.keyed_hash(nik)
        or not store.spend(room_id, member, member)
    ):
        raise _refused_admission()
    return Pass(room_id, member, float(lapses))


def _waiting_room_required(
    room: Room, office_service: OfficeService, now: datetime
) -> ApplicationError:
    from django.urls import reverse

    path = reverse(
        "releases:room",
        kwargs={"office": office_service.office.code, "service": office_service.service.code},
    )
    if now < room.draws_at:
        message = _(
            "Booking for this service opens at %(at)s. Wait in the waiting room: everyone "
            "there before the opening is let in in a random order, so there is no need to hurry."
        ) % {"at": format_local_time(room.draws_at, office_service.office.zone, with_date=True)}
    else:
        message = _(
            "Many people are booking this service now. Join the waiting room; you will be "
            "let in to book in turn."
        )
    return ApplicationError(
        "waiting_room_required",
        message,
        status_code=429,
        extra={"waiting_room": path},
        retry_after=max(1, int((room.draws_at - now).total_seconds()))
        if now < room.draws_at
        else 5,
    )


def _rush_check(office_service: OfficeService, now: datetime, store: RoomStore) -> None:
    """Count this hold; past GILIRAN_WAITING_ROOM_TRIGGER_PER_MINUTE for the
    office-service, open a room at once and send this hold to it."""
    limit = settings.GILIRAN_WAITING_ROOM_TRIGGER_PER_MINUTE
    if not limit:
        return
    seen = store.count(
        f"holds:{office_service.pk}", window=LOAD_WINDOW_SECONDS, now=now.timestamp()
    )
    if seen * (60 / LOAD_WINDOW_SECONDS) <= limit:
        return
    epoch, _born = store.epoch()
    store.meta_set(f"{epoch}:rush:{office_service.pk}", {"opens_at": str(now.timestamp())})
    room = room_for(office_service, now, store)
    if room is not None:
        raise _waiting_room_required(room, office_service, now)
