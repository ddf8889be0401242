"""The Indeks Kepuasan Masyarakat (IKM), as PermenPANRB 14/2017 measures it.

The regulation's survey asks about nine elements (unsur) of a public service, each
answered 1 (not good) to 4 (very good). For a group of answers, each element's mean
(nilai rata-rata, NRR) weighs one ninth; their sum is the IKM on the 1–4 scale, and ×25
its converted value (25–100), which falls in one of four bands (mutu pelayanan):

    A  88.31–100    very good (sangat baik)
    B  76.61–88.30  good (baik)
    C  65.00–76.60  not quite good (kurang baik)
    D  25.00–64.99  not good (tidak baik)

A citizen may skip an element, so each element's mean is over those who answered it.
Pure: no Django models, only the translated words of the survey."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Element:
    key: str  # ServiceRating's field is f"ikm_{key}"
    question: Promise


ELEMENTS: tuple[Element, ...] = (
    Element("requirements", _("Were the requirements of the service suitable?")),
    Element("procedure", _("Was the procedure easy to follow?")),
    Element("time", _("Was the service quick?")),
    Element("cost", _("Was the cost (or its being free) as announced?")),
    Element("product", _("Did you get what the service announces?")),
    Element("competence", _("Were the officers competent?")),
    Element("conduct", _("Were the officers polite and friendly?")),
    Element("complaints", _("Are complaints and suggestions handled well?")),
    Element("facilities", _("Were the facilities (room, seats, toilets) good?")),
)
ELEMENT_KEYS = tuple(element.key for element in ELEMENTS)

# The four answers, the same words for every element (the regulation lets each element
# word them; one scale keeps the survey quick on a phone).
ANSWERS: tuple[tuple[int, Promise], ...] = (
    (1, _("Not good")),
    (2, _("Not quite good")),
    (3, _("Good")),
    (4, _("Very good")),
)

# (lowest converted value, band, its meaning), best first.
BANDS: tuple[tuple[float, str, Promise], ...] = (
    (88.31, "A", _("very good")),
    (76.61, "B", _("good")),
    (65.00, "C", _("not quite good")),
    (25.00, "D", _("not good")),
)


@dataclass(frozen=True)
class Index:
    value: float  # converted, 25–100
    band: str
    meaning: Promise
    respondents: int  # answered at least one element
    element_means: dict[str, float]  # NRR per element answered by someone


def band_of(value: float) -> tuple[str, Promise]:
    for lowest, band, meaning in BANDS:
        if value >= lowest:
            return band, meaning
    return BANDS[-1][1], BANDS[-1][2]


def index_of(sums: Mapping[str, tuple[int, int]], respondents: int) -> Index | None:
    """The IKM of answers summed per element as (sum of answers, number of answers);
    None when no element was answered. Elements nobody answered are left out of the
    mean rather than counted as zero."""
    means = {key: total / n for key, (total, n) in sums.items() if key in ELEMENT_KEYS and n}
    if not means:
        return None
    value = round(sum(means.values()) / len(means) * 25, 2)
    band, meaning = band_of(value)
    return Index(
        value=value,
        band=band,
        meaning=meaning,
        respondents=respondents,
        element_means={key: round(means[key], 2) for key in ELEMENT_KEYS if key in means},
    )
