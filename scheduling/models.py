"""A day's capacity plan for an office, the supervisor's adjustments to it, and the
audit log of every change. The plan's appointment quotas become the slots' capacities
(booking reads nothing else); its walk-in capacities, handed down to the queue with
every write of the plan (scheduling/planning.py), bound the day's walk-in numbers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from offices.models import Office


class PlanStatus(models.TextChoices):
    DEFAULT = "default", _("Default plan (not optimised yet)")
    PLANNING = "planning", _("Planning…")
    PLANNED = "planned", _("Planned")
    FAILED = "failed", _("Planning failed")


SOLVER_OUTCOMES = {
    "OPTIMAL": _("the best plan for these bookings and this forecast"),
    "FEASIBLE": _("a good plan; the planner stopped at its time limit"),
    "FALLBACK": _("a simple plan: the planner ran out of time"),
    "INFEASIBLE_BOOKINGS": _(
        "too few counters for the bookings: every booking keeps its place, see the list"
    ),
    "CLOSED": _("the office is closed"),
}


class DayPlan(models.Model):
    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="day_plans", verbose_name=_("office")
    )
    local_date = models.DateField(_("day (office time)"))
    # The supervisor's adjustments, inputs to every re-plan.
    is_closed = models.BooleanField(_("closed all day"), default=False)
    staffed = models.JSONField(
        _("counters staffed per block"),
        default=dict,
        blank=True,
        help_text=_("Block start (HH:MM) → counters with a person; missing: all counters."),
    )
    quota_overrides = models.JSONField(
        _("daily quota per service"),
        default=dict,
        blank=True,
        help_text=_("Service code → most appointments for the day."),
    )
    walk_in_reserve_percent = models.PositiveSmallIntegerField(
        _("capacity kept for walk-ins (%)"), null=True, blank=True
    )
    # The last plan.
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DEFAULT
    )
    progress = models.CharField(_("progress"), max_length=200, blank=True)
    solver_status = models.CharField(_("solver status"), max_length=24, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    instance = models.JSONField(_("instance"), null=True, blank=True)
    solution = models.JSONField(_("solution"), null=True, blank=True)
    planned_at = models.DateTimeField(_("planned at"), null=True, blank=True)
    # What the page compares the plan with (scheduling/explain.py: plan_brief).
    previous = models.JSONField(_("the plan before, in brief"), null=True, blank=True)

    class Meta:
        ordering = ["office", "local_date"]
        verbose_name = _("day plan")
        verbose_name_plural = _("day plans")
        constraints = [
            models.UniqueConstraint(fields=["office", "local_date"], name="one_plan_per_office_day")
        ]

    def __str__(self) -> str:
        return f"{self.office} · {self.local_date}"

    @property
    def solver_outcome(self) -> str:
        """What the last solve achieved, in the reader's language."""
        return str(SOLVER_OUTCOMES.get(self.solver_status, self.solver_status))

    def walk_in_capacity(self, service_code: str) -> int | None:
        """Walk-ins the plan can serve for this service that day; None where the
        optimiser has not planned it (the queue then keeps the fixed quota)."""
        if not self.solution or self.status != PlanStatus.PLANNED:
            return None
        outcome = self.solution.get("services", {}).get(service_code)
        if outcome is None:
            return None
        return int(sum(outcome["walk_in_capacity"]))


class PlanChange(models.Model):
    """Who changed which day's plan, when, what and why. Append-only."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="plan_changes", verbose_name=_("office")
    )
    local_date = models.DateField(_("day (office time)"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    what = models.JSONField(_("what"))
    why = models.TextField(_("why"))

    class Meta:
        ordering = ["-at"]
        verbose_name = _("plan change")
        verbose_name_plural = _("plan changes")
        indexes = [models.Index(fields=["office", "local_date"], name="plan_change_by_day")]

    def __str__(self) -> str:
        return f"{self.office} · {self.local_date} · {self.at:%Y-%m-%d %H:%M}"

    @property
    def summary(self) -> str:
        """The change in words: counters per block, closure, quotas, reserve, moves."""
        what, parts = self.what, []
        if what.get("staffed"):
            blocks = ", ".join(f"{label} → {n}" for label, n in sorted(what["staffed"].items()))
            parts.append(str(_("counters staffed: %(blocks)s")) % {"blocks": blocks})
        if "is_closed" in what:
            parts.append(str(_("closed all day") if what["is_closed"] else _("opened again")))
        for code, quota in (what.get("quota_overrides") or {}).items():
            parts.append(
                str(_("daily quota of %(service)s: %(quota)s"))
                % {"service": code, "quota": quota if quota is not None else _("as planned")}
            )
        if "walk_in_reserve_percent" in what:
            parts.append(
                str(_("walk-in reserve: %(percent)s %%"))
                % {"percent": what["walk_in_reserve_percent"]}
            )
        if what.get("moved_bookings"):
            parts.append(
                str(_("bookings moved: %(codes)s")) % {"codes": ", ".join(what["moved_bookings"])}
            )
        return "; ".join(parts)
