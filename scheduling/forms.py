"""The supervisor's planning forms: a day's slot capacities, and a day's plan (counters
staffed per block, closing the day, daily quota per service, walk-in reserve, re-plan).
Each form is built for the rows it edits; its errors are shown next to their field."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.models import Slot
from core.params import whole_number
from scheduling.planning import Adjustment
from scheduling.selectors import DayPlanView

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class WholeNumberField(forms.Field):
    """A whole number (0 or more) or blank (None). Read with core.params.whole_number, so
    "²", "-1" or 5,000 digits are an error for the field, never a 500."""

    def __init__(self, *, invalid: StrOrPromise, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.error_messages["invalid"] = invalid

    def to_python(self, value: Any) -> int | None:
        text = str(value if value is not None else "").strip()
        if not text:
            return None
        number = whole_number(text)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class CapacityDayForm(forms.Form):
    """One field per slot of the day, `slot-<pk>`: its new capacity, blank to keep it."""

    def __init__(self, *args: Any, slots: list[Slot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slots = slots
        for slot in slots:
            self.fields[f"slot-{slot.pk}"] = WholeNumberField(
                invalid=_("Enter a number from 0 to 1000.")
            )

    def changes(self) -> dict[int, int]:
        """The capacities that differ from what the slots have (call after is_valid)."""
        changes = {}
        for slot in self.slots:
            capacity = self.cleaned_data.get(f"slot-{slot.pk}")
            if capacity is not None and capacity != slot.capacity:
                changes[slot.pk] = capacity
        return changes


class PlanActionForm(forms.Form):
    """Which button of the day page was pressed: anything but "replan" adjusts the day."""

    action = forms.CharField(required=False)

    @property
    def is_replan(self) -> bool:
        return self.is_valid() and self.cleaned_data["action"] == "replan"


class DayPlanForm(forms.Form):
    """The day's adjustments. A blank field, or one still showing what the day has, leaves
    that setting as it is: the audit log records what was changed, not the whole form."""

    walk_in_reserve_percent = WholeNumberField(invalid=_("Enter a whole number."))
    is_closed = forms.BooleanField(required=False)
    why = forms.CharField(required=False, strip=False)
    move_bookings = forms.BooleanField(required=False)

    def __init__(self, *args: Any, view: DayPlanView, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.view = view
        for label, _now in view.staffed_by_label:
            self.fields[f"staffed-{label}"] = WholeNumberField(invalid=_("Enter a whole number."))
        for service in view.services:
            self.fields[f"quota-{service.code}"] = WholeNumberField(
                invalid=_("Enter a whole number.")
            )

    def adjustment(self) -> Adjustment:
        """What the form changes of the day (call after is_valid)."""
        data, plan = self.cleaned_data, self.view.plan
        staffed = {
            label: n
            for label, now in self.view.staffed_by_label
            if (n := data[f"staffed-{label}"]) is not None and n != now
        }
        quotas: dict[str, int | None] = {
            # None: the override is cleared, as planned again
            service.code: data[f"quota-{service.code}"]
            for service in self.view.services
            if data[f"quota-{service.code}"] != service.override
        }
        reserve = data["walk_in_reserve_percent"]
        return Adjustment(
            staffed=staffed or None,
            is_closed=data["is_closed"] if data["is_closed"] != plan.is_closed else None,
            quota_overrides=quotas or None,
            walk_in_reserve_percent=reserve if reserve != plan.walk_in_reserve_percent else None,
        )

    def field_errors(self) -> dict[str, list[str]]:
        return {name: [str(e) for e in problems] for name, problems in self.errors.items()}
