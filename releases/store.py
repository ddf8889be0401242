"""Where a waiting room keeps its line: Redis in production, this process on a laptop.

A release moment can bring ten thousand citizens who each ask "where am I?" every few
seconds, so the line never lives in PostgreSQL: every answer to a waiting citizen comes
from here. Both stores keep the same state and make the same steps atomic (a Lua script
in Redis, a lock in the process), so releases/rooms.py holds every rule once.

State of one room (all keys under `wr:<epoch>:<room>:`; a room lives a day):

- `pre`     members who joined before the draw, with their arrival number (kept only
            to measure fairness: their order is drawn, never taken from it);
- `line`    members in line order (score = place); drawn members first, then those who
            came after the draw in arrival order;
- `nik`     NIK keyed hash → member: one NIK, one place;
- `member:<id>` the member's NIK hash and arrival number;
- `inflow`  admitted members → the moment their admission lapses: first the pickup
            (the member has not asked since being let in), then, once they have
            collected it, the admission's full life;
- `collected` admitted members who have collected their admission;
- `used`    admissions spent on a hold (single use);
- `state`   drawn flag, how many were admitted, the admission clock.

`epoch` names one life of the store: a new one is drawn when the store is found empty,
so a Redis that restarted (it keeps nothing on disk here) or a restarted laptop process
is noticed and every room of the old life is ignored (rooms.py: fail closed, regather).
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol, cast

import redis
from django.conf import settings

ROOM_SECONDS = 24 * 3600
# Members who came after the draw are placed after every drawn member.
LATE = 10**12


@dataclass(frozen=True)
class Joined:
    member: str  # the member id (the hash of the citizen's ticket)
    arrival: int  # 1, 2, 3 … in the order they joined
    created: bool  # False: this NIK was already in line, with this member


@dataclass(frozen=True)
class Admitted:
    total: int  # members admitted so far, in line order
    inflow: int  # admitted, neither spent nor lapsed


class RoomStore(Protocol):
    def epoch(self) -> tuple[str, float]: ...
    def join(self, room: str, *, member: str, nik_hash: str, now: float) -> Joined: ...
    def pre_members(self, room: str) -> list[str]: ...
    def draw(self, room: str, order: list[str]) -> bool: ...
    def drawn(self, room: str) -> bool: ...
    def place(self, room: str, member: str) -> int | None: ...
    def nik_hash(self, room: str, member: str) -> str | None: ...
    def size(self, room: str) -> int: ...
    def admit(
        self,
        room: str,
        *,
        now: float,
        since: float,
        per_second: float,
        in_flow: int,
        pickup_seconds: float,
    ) -> Admitted: ...
    def admitted_total(self, room: str) -> int: ...
    def admission_collect(
        self, room: str, member: str, *, now: float, lapse_seconds: float
    ) -> float | None: ...
    def spent(self, room: str, member: str) -> bool: ...
    def spend(self, room: str, member: str, jti: str) -> bool: ...
    def unspend(self, room: str, member: str, jti: str, lapses: float) -> None: ...
    def meta(self, room: str) -> dict[str, str]: ...
    def meta_set(self, room: str, values: dict[str, str]) -> None: ...
    def count(self, key: str, *, window: float, now: float) -> int: ...


# --- Redis ------------------------------------------------------------------------------

_JOIN = """
local existing = redis.call('HGET', KEYS[1], ARGV[2])
if existing then return {existing, redis.call('HGET', KEYS[6] .. existing, 'arrival'), 0} end
local arrival = redis.call('HINCRBY', KEYS[5], 'seq', 1)
redis.call('HSET', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[6] .. ARGV[1], 'nik', ARGV[2], 'arrival', arrival)
redis.call('EXPIRE', KEYS[6] .. ARGV[1], ARGV[3])
if redis.call('HGET', KEYS[5], 'drawn') == '1' then
  redis.call('ZADD', KEYS[3], ARGV[4] + arrival, ARGV[1])
else
  redis.call('ZADD', KEYS[2], arrival, ARGV[1])
end
for i = 1, 5 do redis.call('EXPIRE', KEYS[i], ARGV[3]) end
return {ARGV[1], arrival, 1}
"""

_DRAW = """
if redis.call('HGET', KEYS[3], 'drawn') == '1' then return 0 end
local place = 0
local placed = {}
for i, member in ipairs(ARGV) do
  if redis.call('ZSCORE', KEYS[1], member) then
    redis.call('ZADD', KEYS[2], place, member)
    placed[member] = true
    place = place + 1
  end
end
-- Anyone who joined between the read and this script is late: arrival order.
local rest = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #rest, 2 do
  if not placed[rest[i]] then redis.call('ZADD', KEYS[2], LATE + rest[i + 1], rest[i]) end
end
redis.call('HSET', KEYS[3], 'drawn', 1)
return 1
"""

_ADMIT = """
local now = tonumber(ARGV[1])
local per_second = tonumber(ARGV[2])
local in_flow = tonumber(ARGV[3])
local pickup = tonumber(ARGV[4])
if redis.call('HGET', KEYS[1], 'drawn') ~= '1' then return {0, 0} end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
local admitted = tonumber(redis.call('HGET', KEYS[1], 'admitted') or '0')
local clock = tonumber(redis.call('HGET', KEYS[1], 'clock') or ARGV[6])
local credit = tonumber(redis.call('HGET', KEYS[1], 'credit') or '0')
credit = math.min(credit + math.max(0, now - clock) * per_second, in_flow)
local room = in_flow - redis.call('ZCARD', KEYS[3])
local waiting = redis.call('ZCARD', KEYS[2]) - admitted
local n = math.max(0, math.min(math.floor(credit), room, waiting))
if n > 0 then
  local members = redis.call('ZRANGE', KEYS[2], admitted, admitted + n - 1)
  for i, member in ipairs(members) do redis.call('ZADD', KEYS[3], now + pickup, member) end
  admitted = admitted + n
  credit = credit - n
end
redis.call('HSET', KEYS[1], 'admitted', admitted, 'clock', ARGV[1], 'credit', credit)
redis.call('EXPIRE', KEYS[3], ARGV[5])
return {admitted, redis.call('ZCARD', KEYS[3])}
"""

# The first collection starts the admission's life; later ones read it. Scores go back
# as strings: Redis turns a Lua number into an integer.
_COLLECT = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return false end
local now = tonumber(ARGV[2])
if tonumber(score) <= now then return false end
if redis.call('SADD', KEYS[2], ARGV[1]) == 1 then
  score = now + tonumber(ARGV[3])
  redis.call('ZADD', KEYS[1], score, ARGV[1])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
return tostring(score)
"""

_SPEND = """
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false then return 0 end
if redis.call('SADD', KEYS[2], ARGV[2]) == 0 then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return 1
"""

_EPOCH = """
local epoch = redis.call('GET', KEYS[1])
if epoch then return {epoch, redis.call('GET', KEYS[2])} end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
return {ARGV[1], ARGV[2]}
""".replace("LATE", str(LATE))


@lru_cache(maxsize=1)
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, decode_responses=True, health_check_interval=30)


class RedisRoomStore:
    def __init__(self, url: str) -> None:
        self.client = _redis(url)
        self._join = self.client.register_script(_JOIN)
        self._draw = self.client.register_script(_DRAW)
        self._admit = self.client.register_script(_ADMIT)
        self._spend = self.client.register_script(_SPEND)
        self._collect = self.client.register_script(_COLLECT)
        self._epoch = self.client.register_script(_EPOCH)

    def epoch(self) -> tuple[str, float]:
        epoch, started = self._epoch(
            keys=["wr:epoch", "wr:epoch:started"], args=[secrets.token_hex(8), time.time()]
        )
        return epoch, float(started)

    def _k(self, room: str, name: str) -> str:
        return f"wr:{room}:{name}"

    def join(self, room: str, *, member: str, nik_hash: str, now: float) -> Joined:
        keys = [self._k(room, n) for n in ("nik", "pre", "line", "used", "state", "member:")]
        found, arrival, created = self._join(keys=keys, args=[member, nik_hash, ROOM_SECONDS, LATE])
        return Joined(found, int(arrival), bool(created))

    def pre_members(self, room: str) -> list[str]:
        return [str(member) for member in self.client.zrange(self._k(room, "pre"), 0, -1)]

    def draw(self, room: str, order: list[str]) -> bool:
        keys = [self._k(room, n) for n in ("pre", "line", "state")]
        return bool(self._draw(keys=keys, args=order))

    def drawn(self, room: str) -> bool:
        return self.client.hget(self._k(room, "state"), "drawn") == "1"

    def place(self, room: str, member: str) -> int | None:
        rank = self.client.zrank(self._k(room, "line"), member)
        return None if rank is None else int(cast(int, rank))

    def nik_hash(self, room: str, member: str) -> str | None:
        value = self.client.hget(self._k(room, f"member:{member}"), "nik")
        return None if value is None else str(value)

    def size(self, room: str) -> int:
        pipe = self.client.pipeline()
        pipe.zcard(self._k(room, "line"))
        pipe.zcard(self._k(room, "pre"))
        return sum(int(n) for n in pipe.execute())

    def admit(
        self,
        room: str,
        *,
        now: float,
        since: float,
        per_second: float,
        in_flow: int,
        pickup_seconds: float,
    ) -> Admitted:
        keys = [self._k(room, n) for n in ("state", "line", "inflow")]
        total, flowing = self._admit(
            keys=keys, args=[now, per_second, in_flow, pickup_seconds, ROOM_SECONDS, since]
        )
        return Admitted(int(total), int(flowing))

    def admitted_total(self, room: str) -> int:
        return int(self.client.hget(self._k(room, "state"), "admitted") or 0)

    def admission_collect(
        self, room: str, member: str, *, now: float, lapse_seconds: float
    ) -> float | None:
        keys = [self._k(room, "inflow"), self._k(room, "collected")]
        lapses = self._collect(keys=keys, args=[member, now, lapse_seconds, ROOM_SECONDS])
        return None if lapses is None else float(lapses)

    def spent(self, room: str, member: str) -> bool:
        return bool(self.client.sismember(self._k(room, "used"), member))

    def spend(self, room: str, member: str, jti: str) -> bool:
        keys = [self._k(room, "inflow"), self._k(room, "used")]
        return bool(self._spend(keys=keys, args=[member, jti, ROOM_SECONDS]))

    def unspend(self, room: str, member: str, jti: str, lapses: float) -> None:
        pipe = self.client.pipeline()
        pipe.srem(self._k(room, "used"), jti)
        pipe.zadd(self._k(room, "inflow"), {member: lapses})
        pipe.execute()

    def meta(self, room: str) -> dict[str, str]:
        found = cast(dict[str, str], self.client.hgetall(self._k(room, "meta")))
        return {str(key): str(value) for key, value in found.items()}

    def meta_set(self, room: str, values: dict[str, str]) -> None:
        pipe = self.client.pipeline()
        pipe.hset(self._k(room, "meta"), mapping=cast(Any, values))
        pipe.expire(self._k(room, "meta"), ROOM_SECONDS)
        pipe.execute()

    def count(self, key: str, *, window: float, now: float) -> int:
        bucket = f"wr:count:{key}:{int(now // window)}"
        pipe = self.client.pipeline()
        pipe.incr(bucket)
        pipe.expire(bucket, int(window) + 1)
        return int(pipe.execute()[0])


# --- This process -----------------------------------------------------------------------


@dataclass
class _Room:
    nik: dict[str, str] = field(default_factory=dict)
    members: dict[str, tuple[str, int]] = field(default_factory=dict)  # nik, arrival
    pre: dict[str, int] = field(default_factory=dict)
    line: dict[str, int] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # line, sorted by place
    inflow: dict[str, float] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    collected: set[str] = field(default_factory=set)
    seq: int = 0
    drawn: bool = False
    admitted: int = 0
    clock: float | None = None
    credit: float = 0.0
    meta: dict[str, str] = field(default_factory=dict)


class LocalRoomStore:
    """The same rooms in this process, for the embedded default (one web process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rooms: dict[str, _Room] = {}
        self._counts: dict[str, tuple[int, int]] = {}  # key → (window number, count)
        self._epoch: tuple[str, float] | None = None

    def epoch(self) -> tuple[str, float]:
        with self._lock:
            if self._epoch is None:
                self._epoch = (secrets.token_hex(8), time.time())
            return self._epoch

    def _room(self, room: str) -> _Room:
        return self._rooms.setdefault(room, _Room())

    def join(self, room: str, *, member: str, nik_hash: str, now: float) -> Joined:
        with self._lock:
            r = self._room(room)
            if nik_hash in r.nik:
                existing = r.nik[nik_hash]
                return Joined(existing, r.members[existing][1], False)
            r.seq += 1
            r.nik[nik_hash] = member
            r.members[member] = (nik_hash, r.seq)
            if r.drawn:
                r.line[member] = LATE + r.seq
                r.order.append(member)
            else:
                r.pre[member] = r.seq
            return Joined(member, r.seq, True)

    def pre_members(self, room: str) -> list[str]:
        with self._lock:
            return sorted(self._room(room).pre, key=self._room(room).pre.__getitem__)

    def draw(self, room: str, order: list[str]) -> bool:
        with self._lock:
            r = self._room(room)
            if r.drawn:
                return False
            placed = [m for m in order if m in r.pre]
            late = sorted(set(r.pre) - set(placed), key=r.pre.__getitem__)
            for place, member in enumerate(placed):
                r.line[member] = place
            for member in late:
                r.line[member] = LATE + r.pre[member]
            r.order = placed + late + r.order
            r.drawn = True
            return True

    def drawn(self, room: str) -> bool:
        with self._lock:
            return self._room(room).drawn

    def place(self, room: str, member: str) -> int | None:
        with self._lock:
            r = self._room(room)
            if member not in r.line:
                return None
            return r.order.index(member)

    def nik_hash(self, room: str, member: str) -> str | None:
        with self._lock:
            found = self._room(room).members.get(member)
            return found[0] if found else None

    def size(self, room: str) -> int:
        with self._lock:
            r = self._room(room)
            return len(r.line) + (0 if r.drawn else len(r.pre))

    def admit(
        self,
        room: str,
        *,
        now: float,
        since: float,
        per_second: float,
        in_flow: int,
        pickup_seconds: float,
    ) -> Admitted:
        with self._lock:
            r = self._room(room)
            if not r.drawn:
                return Admitted(0, 0)
            r.inflow = {m: t for m, t in r.inflow.items() if t > now}
            clock = since if r.clock is None else r.clock
            r.credit = min(r.credit + max(0.0, now - clock) * per_second, in_flow)
            n = max(0, min(int(r.credit), in_flow - len(r.inflow), len(r.order) - r.admitted))
            for member in r.order[r.admitted : r.admitted + n]:
                r.inflow[member] = now + pickup_seconds
            r.admitted += n
            r.credit -= n
            r.clock = now
            return Admitted(r.admitted, len(r.inflow))

    def admitted_total(self, room: str) -> int:
        with self._lock:
            return self._room(room).admitted

    def admission_collect(
        self, room: str, member: str, *, now: float, lapse_seconds: float
    ) -> float | None:
        with self._lock:
            r = self._room(room)
            lapses = r.inflow.get(member)
            if lapses is None or lapses <= now:
                return None
            if member not in r.collected:
                r.collected.add(member)
                r.inflow[member] = lapses = now + lapse_seconds
            return lapses

    def spent(self, room: str, member: str) -> bool:
        with self._lock:
            return member in self._room(room).used

    def spend(self, room: str, member: str, jti: str) -> bool:
        with self._lock:
            r = self._room(room)
            if member not in r.inflow or jti in r.used:
                return False
            r.used.add(jti)
            del r.inflow[member]
            return True

    def unspend(self, room: str, member: str, jti: str, lapses: float) -> None:
        with self._lock:
            r = self._room(room)
            r.used.discard(jti)
            r.inflow[member] = lapses

    def meta(self, room: str) -> dict[str, str]:
        with self._lock:
            return dict(self._room(room).meta)

    def meta_set(self, room: str, values: dict[str, str]) -> None:
        with self._lock:
            self._room(room).meta.update(values)

    def count(self, key: str, *, window: float, now: float) -> int:
        number = int(now // window)
        with self._lock:
            seen, count = self._counts.get(key, (number, 0))
            count = count + 1 if seen == number else 1
            self._counts[key] = (number, count)
            return count

    def forget(self) -> None:
        """Lose everything, as a restarted process does (tests of the restart rule)."""
        with self._lock:
            self._rooms.clear()
            self._counts.clear()
            self._epoch = None


_local = LocalRoomStore()


def room_store() -> RoomStore:
    """Redis when REDIS_URL is set (every web process shares the line), else this
    process's own store (the embedded default runs one web process)."""
    if settings.REDIS_URL:
        return RedisRoomStore(settings.REDIS_URL)
    return _local
