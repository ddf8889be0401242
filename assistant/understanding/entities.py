"""Entities in a citizen's message: offices and services of the catalog (fuzzy, both
languages, common abbreviations and typos), dates and times (relative to the office's own
zone), booking codes, ticket numbers, complaint numbers and NIKs (masked wherever they are
printed). Offline, no model: rapidfuzz over the catalog and regular expressions.

`entities_in(text, now=...)` is the one entry point; docs/assistant-entities.md states every
rule (which words count, how "senin depan" or "jam 2" are read, when a date rolls to next
year) and how the labelled set in assistant/data/entities.tsv measures them.
"""

from __future__ import annotations

import calendar
import re
import threading
import time as monotonic
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from rapidfuzz import fuzz, process

from assistant.understanding import normalise as normaliser
from core.errors import ApplicationError
from core.nik import normalize_nik
from core.timezones import local_date
from offices.models import Office, Service

# Longer messages are read only this far: a chat message is a few lines, and matching
# stays fast whatever is pasted in.
MAX_CHARS = 1_000
# A catalog token matches a message token at this rapidfuzz ratio (0-100) or above;
# "pasport" ~ "paspor" is 92, "bandun" ~ "bandung" 92. Tokens of 4 letters or fewer
# must be typed exactly ("kk", "ktp", "mpp", "sim").
TOKEN_SIMILARITY = 80
SHORT_TOKEN = 4
# A catalog phrase counts when this share of its words is in the message: 2 of 3, not 1 of 2.
PHRASE_COVERAGE = 0.6
DEFAULT_ZONE = "Asia/Jakarta"
# The catalog index is rebuilt at the latest after this long (and at once in the process
# that saves an office or a service, see AssistantConfig.ready).
CATALOG_SECONDS = 300.0

# Words that say nothing about which office or service is meant.
STOPWORDS = frozenset(
    [
        "atau",
        "dan",
        "di",
        "ke",
        "untuk",
        "yang",
        "kantor",
        "kelas",
        "khusus",
        "tpi",
        "dinas",
        "kota",
        "kabupaten",
        "kab",
        "dki",
        "cabang",
        "pelayanan",
        "layanan",
        "or",
        "and",
        "of",
        "the",
        "for",
        "office",
        "a",
        "an",
        "in",
        "at",
        "i",
        "ii",
        "iii",
    ]
)
# How citizens name each kind of office; each is also combined with the office's city.
KIND_WORDS = {
    "immigration": ("kanim", "imigrasi", "immigration", "kantor imigrasi"),
    "civil_registry": ("dukcapil", "disdukcapil", "capil", "civil registry"),
    "health_insurance": ("bpjs", "bpjs kesehatan"),
    "service_mall": ("mpp", "mal pelayanan publik", "public service mall"),
}
# Names citizens use for services, by service code, beside the catalog's two names. A
# word shared by several services ("paspor") matches them all: the conversation asks
# which one; a longer phrase ("paspor hilang") wins over a shorter one.
SERVICE_ALIASES: dict[str, tuple[str, ...]] = {
    "paspor-baru": (
        "paspor",
        "passport",
        "bikin paspor",
        "buat paspor",
        "paspor pertama",
        "new passport",
        "first passport",
    ),
    "paspor-ganti": (
        "paspor",
        "passport",
        "perpanjang paspor",
        "ganti paspor",
        "paspor habis",
        "paspor expired",
        "renew passport",
        "passport renewal",
    ),
    "paspor-hilang": (
        "paspor",
        "passport",
        "paspor hilang",
        "paspor rusak",
        "lost passport",
        "damaged passport",
        "passport lost",
    ),
    "ktp-el-rekam": ("ktp", "rekam ktp", "perekaman ktp", "bikin ktp", "buat ktp", "record ktp"),
    "ktp-el-cetak": (
        "ktp",
        "cetak ktp",
        "cetak ulang ktp",
        "ktp hilang",
        "ktp rusak",
        "ganti ktp",
        "reprint ktp",
        "lost ktp",
    ),
    "kartu-keluarga": ("kk", "kartu keluarga", "family card", "bikin kk", "ubah kk"),
    "akta-kelahiran": ("akta lahir", "akte lahir", "akte kelahiran", "birth certificate"),
    "surat-pindah": ("surat pindah", "pindah domisili", "pindah alamat", "skpwni", "moving"),
    "bpjs-daftar": (
        "bpjs",
        "jkn",
        "daftar bpjs",
        "bpjs mandiri",
        "register bpjs",
        "daftar jkn",
        "pendaftaran jkn",
        "jkn mandiri",
        "register jkn",
    ),
    "bpjs-ubah-data": ("bpjs", "jkn", "pindah faskes", "ganti faskes", "ubah data bpjs"),
    "bpjs-informasi": (
        "bpjs",
        "jkn",
        "tagihan bpjs",
        "tagihan jkn",
        "bpjs bill",
        "bpjs complaint",
    ),
    "sim-perpanjang": ("sim", "perpanjang sim", "driving licence", "driving license"),
}
# Spellings of one thing made one token before matching.
_REWRITES = (
    (re.compile(r"\b(?:e[\s-]?ktp|ktp[\s-]?el|ktp[\s-]?elektronik)\b"), "ktp"),
    (re.compile(r"\bakte\b"), "akta"),
    (re.compile(r"\bbpjs[\s-]?kes\b"), "bpjs"),
    # Cities as chat writes them.
    (re.compile(r"\bjkt\b"), "jakarta"),
    (re.compile(r"\bbdg\b"), "bandung"),
    (re.compile(r"\bmks\b"), "makassar"),
    (re.compile(r"\bdps\b"), "denpasar"),
    (re.compile(r"\bjpr\b"), "jayapura"),
    (re.compile(r"\bsby\b"), "surabaya"),
    (re.compile(r"\bsmg\b"), "semarang"),
    (re.compile(r"\bmdn\b"), "medan"),
    (re.compile(r"\b(?:jogja|jogjakarta|yogya|jogya)\b"), "yogyakarta"),
)
_TOKEN = re.compile(r"[a-z0-9]+")


# --- What is found ------------------------------------------------------------------


class Nik:
    """A NIK found in a message. Printing it in any way (str, repr, f-string, a log line)
    shows only its last four digits; `reveal()` is the one way to the digits."""

    __slots__ = ("_digits", "valid")

    def __init__(self, digits: str, *, valid: bool) -> None:
        self._digits = digits
        self.valid = valid

    @property
    def last4(self) -> str:
        return self._digits[-4:]

    def reveal(self) -> str:
        return self._digits

    def __str__(self) -> str:
        return f"****-****-****-{self.last4}"

    def __repr__(self) -> str:
        return f"Nik({self}, valid={self.valid})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Nik) and other._digits == self._digits

    def __hash__(self) -> int:
        return hash(self._digits)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a NIK is not pickled")


@dataclass(frozen=True)
class OfficeMatch:
    office: Office
    score: float  # 0-100: how closely the words matched

    def __repr__(self) -> str:
        return f"OfficeMatch({self.office.code}, {self.score:.0f})"


@dataclass(frozen=True)
class ServiceMatch:
    service: Service
    score: float

    def __repr__(self) -> str:
        return f"ServiceMatch({self.service.code}, {self.score:.0f})"


@dataclass(frozen=True)
class DateMention:
    day: date
    # "week" for "minggu depan" / "next week": `day` is that week's Monday.
    precision: str = "day"


@dataclass(frozen=True)
class Entities:
    offices: tuple[OfficeMatch, ...] = ()
    services: tuple[ServiceMatch, ...] = ()
    dates: tuple[DateMention, ...] = ()
    times: tuple[time, ...] = ()
    booking_codes: tuple[str, ...] = ()
    tickets: tuple[str, ...] = ()
    complaints: tuple[str, ...] = ()
    niks: tuple[Nik, ...] = ()
    # The zone dates were read in: the given one, the one office found, or WIB.
    zone: str = DEFAULT_ZONE

    def __bool__(self) -> bool:
        return any(
            (
                self.offices,
                self.services,
                self.dates,
                self.times,
                self.booking_codes,
                self.tickets,
                self.complaints,
                self.niks,
            )
        )


# --- The catalog index ------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    text = text.lower()
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return _TOKEN.findall(text)


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(t for t in _tokens(text) if t not in STOPWORDS)


def _name_phrases(name: str) -> set[tuple[str, ...]]:
    """A name, without its parenthesised part, and that part alone when it is one word
    (an acronym such as SKPWNI)."""
    inner = re.findall(r"\(([^)]*)\)", name)
    phrases = {_phrase(re.sub(r"\([^)]*\)", " ", name))}
    phrases |= {_phrase(part) for part in inner if len(_phrase(part)) == 1}
    return phrases


def _places(office: Office) -> set[tuple[str, ...]]:
    """The office's city, also without its second word ("jakarta" for Jakarta Pusat), and
    its province, whole ("maluku" is not Maluku Utara)."""
    city = _phrase(office.regency)
    return {p for p in (city, city[:1], _phrase(office.province)) if p}


@dataclass
class _Entry:
    record: Office | Service
    phrases: list[tuple[int, ...]] = field(default_factory=list)  # token ids per phrase


class Catalog:
    """Every office and service with the phrases that name it, as ids into one vocabulary
    that rapidfuzz compares with each of a message's words, and for each vocabulary word
    the records that use it: a message is scored only against the records one of its
    words is close to, so a national catalog costs little more than a small one."""

    def __init__(self, offices: Iterable[Office], services: Iterable[Service]) -> None:
        self.vocabulary: list[str] = []
        self._ids: dict[str, int] = {}
        self.offices = [self._entry(o, self._office_phrases(o)) for o in offices]
        self.services = [self._entry(s, self._service_phrases(s)) for s in services]
        self.short = [len(word) <= SHORT_TOKEN for word in self.vocabulary]
        self.users: dict[int, list[_Entry]] = {}
        for entry in (*self.offices, *self.services):
            for word in sorted({word for phrase in entry.phrases for word in phrase}):
                self.users.setdefault(word, []).append(entry)

    @staticmethod
    def _office_phrases(office: Office) -> set[tuple[str, ...]]:
        phrases = _name_phrases(office.name) | {_phrase(office.code.replace("-", " "))}
        places = _places(office)
        phrases |= places
        for kind_word in KIND_WORDS.get(office.kind, ()):
            phrases |= {_phrase(kind_word) + place for place in places}
        return phrases

    @staticmethod
    def _service_phrases(service: Service) -> set[tuple[str, ...]]:
        phrases = _name_phrases(service.name_id) | _name_phrases(service.name_en)
        phrases |= {_phrase(alias) for alias in SERVICE_ALIASES.get(service.code, ())}
        return phrases

    def _entry(self, record: Office | Service, phrases: set[tuple[str, ...]]) -> _Entry:
        entry = _Entry(record)
        for phrase in sorted(p for p in phrases if p):
            entry.phrases.append(tuple(self._id(word) for word in phrase))
        return entry

    def _id(self, word: str) -> int:
        if word not in self._ids:
            self._ids[word] = len(self.vocabulary)
            self.vocabulary.append(word)
        return self._ids[word]

    def similarities(self, words: Sequence[str]) -> list[tuple[int, int]]:
        """For each vocabulary word, its best similarity to the message's words and which
        word that was. Similarity is 0 below TOKEN_SIMILARITY, or when the lengths differ
        by more than one letter (two from 9 letters): "akta" is not "bakata". Short
        vocabulary words match only when typed exactly, and a message word that is a
        catalog word ("mandiri") is not also read as a typo of another ("mangiri")."""
        best = [(0, -1)] * len(self.vocabulary)
        for position, word in enumerate(words):
            exact = self._ids.get(word)
            if exact is not None:
                best[exact] = (100, position)
                continue
            if len(word) < SHORT_TOKEN - 1:
                continue
            for _, score, column in process.extract(
                word,
                self.vocabulary,
                scorer=fuzz.ratio,
                score_cutoff=TOKEN_SIMILARITY,
                limit=None,
            ):
                other = self.vocabulary[column]
                slack = 1 if min(len(word), len(other)) < 9 else 2
                if (
                    not self.short[column]
                    and abs(len(word) - len(other)) <= slack
                    and score > best[column][0]
                ):
                    best[column] = (int(score), position)
        return best

    def best(
        self, kind: type[Office | Service], similar: list[tuple[int, int]]
    ) -> list[tuple[Office | Service, float]]:
        """Every record of `kind` one of whose phrases is named (PHRASE_COVERAGE of its
        words in the message), except those whose matched words are only part of
        another's: "paspor hilang" is the lost-passport service, not every passport
        service."""
        candidates = {
            id(entry): entry
            for word, (similarity, _) in enumerate(similar)
            if similarity
            for entry in self.users.get(word, ())
            if isinstance(entry.record, kind)
        }
        found: list[tuple[frozenset[int], float, Office | Service]] = []
        for entry in candidates.values():
            words: set[int] = set()
            score = 0.0
            for phrase in entry.phrases:
                matched = [similar[i] for i in phrase if similar[i][0]]
                if len(matched) < PHRASE_COVERAGE * len(phrase):
                    continue
                words |= {position for _, position in matched}
                score = max(score, sum(similarity for similarity, _ in matched) / len(phrase))
            if words:
                found.append((frozenset(words), score, entry.record))
        kept = [
            (record, score)
            for words, score, record in found
            if not any(words < other for other, _, _ in found)
        ]
        return sorted(kept, key=lambda pair: (-pair[1], pair[0].code))


_cache_lock = threading.Lock()
_cache: tuple[float, Catalog] | None = None


def catalog_current() -> Catalog:
    """The active offices and services, indexed; rebuilt after CATALOG_SECONDS or when
    catalog_forget() is called (on every save or delete of an office or service)."""
    global _cache
    with _cache_lock:
        if _cache is None or monotonic.monotonic() - _cache[0] > CATALOG_SECONDS:
            catalog = Catalog(
                Office.objects.filter(is_active=True).order_by("code"),
                Service.objects.filter(is_active=True).order_by("code"),
            )
            _cache = (monotonic.monotonic(), catalog)
        return _cache[1]


def catalog_forget(**_signal: object) -> None:
    global _cache
    with _cache_lock:
        _cache = None


# --- Codes and numbers -----------------------------------------------------------------

_NIK = re.compile(r"(?<![\d-])(\d{4}[ .-]?\d{4}[ .-]?\d{4}[ .-]?\d{4})(?![\d-])")
_COMPLAINT = re.compile(r"\badu[\s-]?(20\d{2})[\s-]?(\d{1,6})\b", re.IGNORECASE)
# Booking codes: 8 characters of booking.services.booking.CODE_ALPHABET (no vowels, no
# 0/1): "K7Q2MZ9D". All-letter codes count only in capitals or after a word for code.
_BOOKING = re.compile(r"\b([2-9BCDFGHJKMNPQRSTVWXYZ]{8})\b", re.IGNORECASE)
_CODE_WORD = re.compile(r"(?:kode|code|booking|pemesanan|reservasi)\W*$", re.IGNORECASE)
_TICKET = re.compile(r"\b([a-z])(-|\s?)(\d{1,3})\b", re.IGNORECASE)
_TICKET_WORD = re.compile(
    r"(?:nomor|nomer|no|antrean|antrian|tiket|ticket|number|karcis)\W*$", re.IGNORECASE
)


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _codes(text: str) -> tuple[str, dict[str, list[object]]]:
    """Find the codes and numbers, and blank them out so no date or time is read in
    their digits."""
    found: dict[str, list[object]] = {"niks": [], "complaints": [], "bookings": [], "tickets": []}
    for match in reversed(list(_NIK.finditer(text))):
        digits = re.sub(r"\D", "", match.group(1))
        try:
            valid = normalize_nik(digits) == digits
        except ApplicationError:
            valid = False
        found["niks"].insert(0, Nik(digits, valid=valid))
        text = _blank(text, *match.span())
    for match in reversed(list(_COMPLAINT.finditer(text))):
        year, number = match.groups()
        found["complaints"].insert(0, f"ADU-{year}-{int(number):05d}")
        text = _blank(text, *match.span())
    for match in reversed(list(_BOOKING.finditer(text))):
        code = match.group(1)
        keyed = bool(_CODE_WORD.search(text[: match.start()]))
        has_digit = any(c.isdigit() for c in code)
        if (has_digit or code.isupper() or keyed) and not code.isdigit():
            found["bookings"].insert(0, code.upper())
            text = _blank(text, *match.span())
    for match in reversed(list(_TICKET.finditer(text))):
        letter, hyphen, number = match.groups()
        keyed = bool(_TICKET_WORD.search(text[: match.start()]))
        shaped = hyphen == "-" or len(number) == 3 or (letter.isupper() and not hyphen)
        if (shaped or keyed) and int(number) > 0:
            found["tickets"].insert(0, f"{letter.upper()}-{int(number):03d}")
            text = _blank(text, *match.span())
    return text, found


# --- Dates and times -------------------------------------------------------------------

_MONTHS = {
    **dict.fromkeys(("januari", "january", "jan"), 1),
    **dict.fromkeys(("februari", "pebruari", "february", "feb", "peb"), 2),
    **dict.fromkeys(("maret", "march", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("mei", "may"), 5),
    **dict.fromkeys(("juni", "june", "jun"), 6),
    **dict.fromkeys(("juli", "july", "jul"), 7),
    **dict.fromkeys(("agustus", "august", "agu", "agt", "ags", "aug"), 8),
    **dict.fromkeys(("september", "sept", "sep"), 9),
    **dict.fromkeys(("oktober", "october", "okt", "oct"), 10),
    **dict.fromkeys(("november", "nopember", "nov", "nop"), 11),
    **dict.fromkeys(("desember", "december", "des", "dec"), 12),
}
_WEEKDAYS = {
    **dict.fromkeys(("senin", "monday"), 0),
    **dict.fromkeys(("selasa", "tuesday"), 1),
    **dict.fromkeys(("rabu", "wednesday"), 2),
    **dict.fromkeys(("kamis", "thursday"), 3),
    **dict.fromkeys(("jumat", "jum'at", "friday"), 4),
    **dict.fromkeys(("sabtu", "saturday"), 5),
    **dict.fromkeys(("minggu", "ahad", "sunday"), 6),
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(re.escape(w) for w in sorted(_WEEKDAYS, key=len, reverse=True))
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("numeric", re.compile(r"(?<![\d.:/])(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}|\d{2}))?(?![\d/:])")),
    (
        "day_month",
        re.compile(
            rf"\b(?:(?:tanggal|tgl|tg)\.?\s*)?(\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?({_MONTH})\b\.?"
            r"(?:,?\s*(\d{4}))?"
        ),
    ),
    (
        "month_day",
        re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}}){_ORDINAL}\b(?:,?\s*(\d{{4}}))?"),
    ),
    (
        "day_only",
        re.compile(r"\b(?:tanggal|tgl|tg)\.?\s*(\d{1,2})\b|\bthe\s+(\d{1,2})(?:st|nd|rd|th)\b"),
    ),
    ("in_days", re.compile(r"\b(\d{1,2})\s+hari\s+lagi\b|\bin\s+(\d{1,2})\s+days?\b")),
    (
        "after_tomorrow",
        re.compile(r"\b(?:lusa|the\s+day\s+after\s+tomorrow|day\s+after\s+tomorrow)\b"),
    ),
    ("tomorrow", re.compile(r"\b(?:besok|besuk|bsk|esok|tomorrow|tmrw|tomorow)\b")),
    ("today", re.compile(r"\b(?:hari\s+ini|today|tdy)\b")),
    ("next_week", re.compile(r"\b(?:(?<!hari\s)minggu\s+depan|pekan\s+depan|next\s+week)\b")),
    (
        "weekday",
        re.compile(rf"\b(?:(next|this)\s+)?(?:hari\s+)?({_WEEKDAY})\b(?:\s+(depan|ini|nanti))?"),
    ),
)


def _on_or_after(today: date, month: int, day: int, year: int | None) -> date | None:
    """The date given; without a year, this year's, or next year's once it has passed."""
    try:
        if year is not None:
            return date(year + 2000 if year < 100 else year, month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


def _day_of_month(today: date, day: int) -> date | None:
    """ "tgl 5": this month's 5th, or next month's once it has passed."""
    year, month = today.year, today.month
    for _ in range(2):
        if day <= calendar.monthrange(year, month)[1] and date(year, month, day) >= today:
            return date(year, month, day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _dates(text: str, today: date) -> tuple[str, list[tuple[int, DateMention]]]:
    found: list[tuple[int, DateMention]] = []
    for kind, pattern in _DATE_PATTERNS:
        for match in reversed(list(pattern.finditer(text))):
            day = _read_date(kind, match, today)
            if day is None:
                continue
            found.append((match.start(), day))
            text = _blank(text, *match.span())
    return text, sorted(found, key=lambda pair: pair[0])


def _read_date(kind: str, match: re.Match[str], today: date) -> DateMention | None:
    g = match.groups()
    day: date | None
    if kind == "numeric":
        day = _on_or_after(today, int(g[1]), int(g[0]), int(g[2]) if g[2] else None)
    elif kind == "day_month":
        day = _on_or_after(today, _MONTHS[g[1]], int(g[0]), int(g[2]) if g[2] else None)
    elif kind == "month_day":
        day = _on_or_after(today, _MONTHS[g[0]], int(g[1]), int(g[2]) if g[2] else None)
    elif kind == "day_only":
        day = _day_of_month(today, int(g[0] or g[1]))
    elif kind == "in_days":
        day = today + timedelta(days=int(g[0] or g[1]))
    elif kind == "after_tomorrow":
        day = today + timedelta(days=2)
    elif kind == "tomorrow":
        day = today + timedelta(days=1)
    elif kind == "today":
        day = today
    elif kind == "next_week":
        return DateMention(today + timedelta(days=7 - today.weekday()), "week")
    else:  # weekday: "senin" on or after today; "senin depan", "next monday" after it
        wanted = _WEEKDAYS[g[1]]
        ahead = (wanted - today.weekday()) % 7
        if ahead == 0 and (g[0] == "next" or g[2] == "depan"):
            ahead = 7
        day = today + timedelta(days=ahead)
    return DateMention(day) if day else None


_PARTS = r"pagi|siang|sore|malam|am|pm|a\.m\.|p\.m\."
_TIME_PATTERNS = (
    re.compile(rf"\b(?:jam|pukul|pkl)\.?\s*setengah\s+(\d{{1,2}})\b(?:\s*({_PARTS}))?"),
    re.compile(rf"\bsetengah\s+(\d{{1,2}})\s*({_PARTS})\b"),
    re.compile(
        rf"\b(?:jam|pukul|pkl|at)\.?\s*(\d{{1,2}})(?:[.:](\d{{2}}))?(?!\d)(?:\s*({_PARTS}))?"
    ),
    re.compile(rf"(?<![\d.,:/])(\d{{1,2}})[.:](\d{{2}})(?![\d.,:/])(?:\s*({_PARTS}))?"),
    re.compile(r"(?<![\d.,:/])(\d{1,2})\s*(am|pm|a\.m\.|p\.m\.)"),
)


def _clock(hour: int, minute: int, part: str | None) -> time | None:
    part = (part or "").replace(".", "")
    if (part in ("pm", "sore", "malam") and hour < 12) or (part == "siang" and hour < 11):
        hour += 12
    elif part == "am" and hour == 12:
        hour = 0
    elif not part and 1 <= hour <= 6:
        hour += 12  # "jam 2": no office opens at 2 in the night
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _times(text: str) -> list[tuple[int, time]]:
    found: list[tuple[int, time]] = []
    for number, pattern in enumerate(_TIME_PATTERNS):
        for match in reversed(list(pattern.finditer(text))):
            g = match.groups()
            if number < 2:  # setengah 10 = 9:30
                moment = _clock(int(g[0]) - 1, 30, g[1]) if int(g[0]) >= 1 else None
            elif number == 4:
                moment = _clock(int(g[0]), 0, g[1])
            else:
                moment = _clock(int(g[0]), int(g[1] or 0), g[2])
            if moment is None:
                continue
            found.append((match.start(), moment))
            text = _blank(text, *match.span())
    return sorted(found, key=lambda pair: pair[0])


# --- The entry point ----------------------------------------------------------------------

# The words the patterns above read, which the slang list must leave alone ("jan" is
# January there, not "jangan"; "at" and "the" are English).
_OWN_WORDS = frozenset(
    [
        *_MONTHS,
        *_WEEKDAYS,
        *("hari", "ini", "depan", "nanti", "pekan", "lagi", "lusa", "besok", "besuk", "esok"),
        *("tanggal", "tgl", "tg", "jam", "pukul", "pkl", "setengah"),
        *("pagi", "siang", "sore", "malam", "am", "pm"),
        *("today", "tdy", "tomorrow", "tomorow", "tmrw", "next", "this", "the", "of"),
        *("in", "at", "day", "days", "after", "week"),
    ]
)


def _plain_words(text: str, catalog: Catalog) -> str:
    """Chat words in their plain form, through the intent classifier's normaliser
    ("bsk" -> "besok", "jm 10" -> "jam 10", "minggu dpn" -> "minggu depan", "jakpus"
    -> "jakarta pusat"), except the catalog's own words and the date and time words
    read here: digits and punctuation stay, so "12/5" and "10.30" are still read."""
    return normaliser.replace_words(text, keep=_Keep(catalog))


@dataclass(frozen=True)
class _Keep:
    catalog: Catalog

    def __contains__(self, word: object) -> bool:
        return word in _OWN_WORDS or word in self.catalog._ids


def entities_in(
    text: str,
    *,
    now: datetime,
    zone: str | None = None,
    catalog: Catalog | None = None,
) -> Entities:
    """Everything `text` names. Dates are read in `zone`, else in the zone of the one
    office the message names, else in WIB. The catalog defaults to the active one."""
    text = (text or "")[:MAX_CHARS]
    if not text.strip():
        return Entities(zone=zone or DEFAULT_ZONE)
    catalog = catalog or catalog_current()
    rest, codes = _codes(text)
    rest = _plain_words(rest.lower(), catalog)
    # Date words ("lusa", "senin") are no town's name: read them first, in the zone given
    # or WIB, and again below if the office named is in another zone.
    undated, dates = _dates(rest, local_date(zone or DEFAULT_ZONE, now))

    words = [word for word in _tokens(undated) if word not in STOPWORDS]
    similar = catalog.similarities(words)
    offices = tuple(
        OfficeMatch(record, score)
        for record, score in catalog.best(Office, similar)
        if isinstance(record, Office)
    )
    services = tuple(
        ServiceMatch(record, score)
        for record, score in catalog.best(Service, similar)
        if isinstance(record, Service)
    )
    if zone is None:
        zones = {match.office.timezone for match in offices}
        zone = zones.pop() if len(zones) == 1 else DEFAULT_ZONE
        if zone != DEFAULT_ZONE:
            undated, dates = _dates(rest, local_date(zone, now))
    times = _times(undated)
    return Entities(
        offices=offices,
        services=services,
        dates=tuple(mention for _, mention in dates),
        times=tuple(moment for _, moment in times),
        booking_codes=tuple(str(c) for c in codes["bookings"]),
        tickets=tuple(str(t) for t in codes["tickets"]),
        complaints=tuple(str(c) for c in codes["complaints"]),
        niks=tuple(n for n in codes["niks"] if isinstance(n, Nik)),
        zone=zone,
    )
