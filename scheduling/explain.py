"""A day's plan in a supervisor's words: how long walk-ins are expected to wait per
service, how many counters each service gets in each hour, and what changed since the
previous plan and why (more bookings, more walk-ins expected, fewer counters staffed).

Reads the plan's instance and solution (the JSON of docs/scheduling.md) and the brief of
the plan before it (`plan_brief`, kept on DayPlan.previous by every solve); no query.
The optimiser's objective, bounds and gap are not shown: they are measures of the
solver, not of the day."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# A change in expected walk-ins smaller than this (citizens per hour) is not a reason.
WALK_IN_NOTICE = 1.0


def plan_brief(
    instance: dict[str, Any], solution: dict[str, Any], planned_at: str
) -> dict[str, Any]:
    """What the next plan is compared with: per service, counters, bookings and expected
    walk-ins per block, and the counters staffed, under the block labels."""
    outcomes = solution.get("services", {})
    return {
        "planned_at": planned_at,
        "blocks": instance["blocks"],
        "staffed": instance["staffed"],
        "services": {
            s["id"]: {
                "counters": outcomes.get(s["id"], {}).get("counters", [0] * len(s["booked"])),
                "booked": s["booked"],
                "forecast": s["walk_in_forecast"],
            }
            for s in instance["services"]
        },
    }


@dataclass(frozen=True)
class ServiceExplanation:
    name: str
    wait: str  # the expected wait of a walk-in, in a sentence
    counters: list[str]  # per hour: "1", or "1–2" where it changes within the hour


@dataclass(frozen=True)
class PlanExplanation:
    hours: list[str]  # "08:00", "09:00", … (hours the office is open)
    services: list[ServiceExplanation]
    heading: str  # "What changed since the plan of …" or "Why the counters are where they are"
    changes: list[str]
    warnings: list[str]  # bookings without room, needs above the counters staffed


def _hours(labels: list[str]) -> dict[str, list[int]]:
    """Hour label ("10:00") → the indexes of its blocks."""
    hours: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        hours.setdefault(f"{label[:2]}:00", []).append(i)
    return hours


def _span(values: list[int]) -> str:
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}–{high}"


def _minutes(value: float) -> str:
    if value < 1:
        return _("less than a minute")
    minutes = round(value)
    return ngettext("about %(minutes)d minute", "about %(minutes)d minutes", minutes) % {
        "minutes": minutes
    }


def _wait(service: dict[str, Any], outcome: dict[str, Any], labels: list[str]) -> str:
    forecast = service["walk_in_forecast"]
    waits = outcome.get("expected_wait_minutes", [0.0] * len(labels))
    expected = sum(forecast)
    if expected < 0.5:
        return _("No walk-ins expected: booked citizens are served at their time.")
    mean = sum(f * w for f, w in zip(forecast, waits, strict=True)) / expected
    worst = max(
        (i for i, f in enumerate(forecast) if f > 0), key=lambda i: (waits[i], -i), default=0
    )
    target = _("Target: %(share)d %% called within %(minutes)d minutes.") % {
        "share": round(service["target_share"] * 100),
        "minutes": service["target_wait_minutes"],
    }
    if waits[worst] - mean < 1:
        text = _("Walk-ins expected: about %(walk_ins)d; each waits %(mean)s on average.") % {
            "walk_ins": round(expected),
            "mean": _minutes(mean),
        }
    else:
        text = _(
            "Walk-ins expected: about %(walk_ins)d; each waits %(mean)s on average, "
            "longest around %(time)s (%(worst)s)."
        ) % {
            "walk_ins": round(expected),
            "mean": _minutes(mean),
            "time": labels[worst],
            "worst": _minutes(waits[worst]),
        }
    return f"{text} {target}"


def _reasons(
    hour: list[int],
    now: dict[str, Any],
    before: dict[str, Any],
    staffed: tuple[list[int], list[int]],
) -> list[str]:
    """Why one service's counters changed in one hour, from the inputs of both plans."""
    reasons = []
    booked, was_booked = (sum(plan["booked"][i] for i in hour) for plan in (now, before))
    if booked != was_booked:
        words = _("more bookings") if booked > was_booked else _("fewer bookings")
        reasons.append(
            _("%(change)s (%(now)d, was %(before)d)")
            % {"change": words, "now": booked, "before": was_booked}
        )
    walk_ins, were = (sum(plan["forecast"][i] for i in hour) for plan in (now, before))
    if abs(walk_ins - were) >= WALK_IN_NOTICE:
        words = _("more walk-ins expected") if walk_ins > were else _("fewer walk-ins expected")
        reasons.append(
            _("%(change)s (about %(now)d, was %(before)d)")
            % {"change": words, "now": round(walk_ins), "before": round(were)}
        )
    on_duty, was_on_duty = (min(counts[i] for i in hour) for counts in staffed)
    if on_duty != was_on_duty:
        reasons.append(
            _("counters staffed: %(now)d, was %(before)d") % {"now": on_duty, "before": was_on_duty}
        )
    return reasons


def _changes(brief: dict[str, Any], previous: dict[str, Any], names: dict[str, str]) -> list[str]:
    """One sentence per service and hour whose counters changed since `previous`."""
    changes = []
    # Compare by block label: the office's hours may have changed between the plans.
    shared = [label for label in brief["blocks"] if label in previous["blocks"]]
    index_now = {label: i for i, label in enumerate(brief["blocks"])}
    index_before = {label: i for i, label in enumerate(previous["blocks"])}
    for code, now in brief["services"].items():
        before = previous["services"].get(code)
        if before is None:
            continue
        aligned_now = {key: [now[key][index_now[b]] for b in shared] for key in now}
        aligned_before = {key: [before[key][index_before[b]] for b in shared] for key in before}
        staffed = (
            [brief["staffed"][index_now[b]] for b in shared],
            [previous["staffed"][index_before[b]] for b in shared],
        )
        for hour, blocks in _hours(shared).items():
            counters = [aligned_now["counters"][i] for i in blocks]
            was = [aligned_before["counters"][i] for i in blocks]
            if counters == was:
                continue
            reasons = _reasons(blocks, aligned_now, aligned_before, staffed) or [
                _("given to a service that needs it more at this hour")
                if sum(counters) < sum(was)
                else _("taken from a service that needs less at this hour")
            ]
            changes.append(
                _("%(service)s at %(hour)s: counters %(before)s → %(now)s — %(why)s.")
                % {
                    "service": names.get(code, code),
                    "hour": hour,
                    "now": _span(counters),
                    "before": _span(was),
                    "why": "; ".join(reasons),
                }
            )
    return changes


def _drivers(brief: dict[str, Any], names: dict[str, str]) -> list[str]:
    """Without a plan before it: each service's busiest hour and what fills it."""
    sentences = []
    for code, now in brief["services"].items():
        hours = _hours(brief["blocks"])
        if not hours or not any(now["counters"]):
            continue
        if len(set(now["counters"])) == 1:
            sentences.append(
                _("%(service)s has the same counters all day (%(counters)s).")
                % {"service": names.get(code, code), "counters": now["counters"][0]}
            )
            continue
        hour, blocks = max(
            hours.items(), key=lambda item: (max(now["counters"][i] for i in item[1]), -item[1][0])
        )
        sentences.append(
            _(
                "%(service)s gets the most counters at %(hour)s (%(counters)s): "
                "bookings %(booked)d, walk-ins expected about %(walk_ins)d."
            )
            % {
                "service": names.get(code, code),
                "hour": hour,
                "counters": _span([now["counters"][i] for i in blocks]),
                "booked": sum(now["booked"][i] for i in blocks),
                "walk_ins": round(sum(now["forecast"][i] for i in blocks)),
            }
        )
    return sentences


def _warnings(
    instance: dict[str, Any], solution: dict[str, Any], names: dict[str, str]
) -> list[str]:
    warnings = [
        _(
            "Too few counters for the bookings: %(service)s at %(time)s has %(booked)d booked "
            "and room for %(room)d."
        )
        % {
            "service": names.get(short["service"], short["service"]),
            "time": short["block"],
            "booked": short["booked"],
            "room": short["capacity"],
        }
        for short in solution.get("shortfalls", [])
    ]
    for code, outcome in solution.get("services", {}).items():
        hours = _hours(instance["blocks"])
        short = [
            hour
            for hour, blocks in hours.items()
            if any(outcome["unmet_need"][i] >= 0.5 for i in blocks)
        ]
        if len(short) == len(hours) and short:
            warnings.append(
                _(
                    "All day %(service)s needs more counters than the plan can give it: "
                    "walk-ins will wait longer than the target."
                )
                % {"service": names.get(code, code)}
            )
        elif short:
            warnings.append(
                _(
                    "At %(times)s %(service)s needs more counters than the plan can give it: "
                    "walk-ins will wait longer than the target."
                )
                % {"service": names.get(code, code), "times": ", ".join(short)}
            )
    return warnings


def plan_explain(
    *,
    instance: dict[str, Any],
    solution: dict[str, Any],
    previous: dict[str, Any] | None,
    previous_at: str,
    names: dict[str, str],
) -> PlanExplanation:
    """The plan in words. `previous` is the brief of the plan before (None for the first
    plan of the day), `previous_at` when it was made, as the page shows a time."""
    brief = plan_brief(instance, solution, "")
    hours = _hours(instance["blocks"])
    outcomes = solution.get("services", {})
    services = [
        ServiceExplanation(
            name=names.get(s["id"], s["id"]),
            wait=_wait(s, outcomes.get(s["id"], {}), instance["blocks"]),
            counters=[
                _span([brief["services"][s["id"]]["counters"][i] for i in blocks])
                for blocks in hours.values()
            ],
        )
        for s in instance["services"]
    ]
    if previous is None:
        heading = _("Why the counters are where they are")
        changes = _drivers(brief, names)
    else:
        heading = _("What changed since the plan of %(at)s") % {"at": previous_at}
        changes = _changes(brief, previous, names) or [_("Nothing changed.")]
    return PlanExplanation(
        hours=list(hours),
        services=services,
        heading=heading,
        changes=changes,
        warnings=_warnings(instance, solution, names),
    )
