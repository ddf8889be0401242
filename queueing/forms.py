"""The counter console's one form: which button was pressed and what it names (a ticket
of this office, a service of this office, a priority group, a booking code). A value
that names nothing of this office is an error with a translated message, never a 500."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from booking.models import PriorityGroup
from core.params import whole_number
from offices.models import Counter, OfficeService
from queueing.models import CounterStatus, Ticket

# The buttons that act on the counter's own ticket (call_next … park) take no argument.
TICKET_ACTIONS = ("next", "recall", "start", "finish", "no_show", "park")
ACTIONS = (
    *TICKET_ACTIONS,
    *CounterStatus.values,
    "transfer",
    "call",
    "unpark",
    "issue",
    "check_in",
)
NAMES = {"call": "ticket", "unpark": "ticket", "transfer": "service", "issue": "service"}
SERVICE_ERROR = _("Choose a service of this office.")
TICKET_ERROR = _("This ticket is not in this office's queue.")


class RowChoiceField(forms.ModelChoiceField):
    """A row picked by its primary key; anything but a plain whole number (see
    core.params.whole_number) is an invalid choice before it reaches the database."""

    def to_python(self, value: Any) -> Model | None:
        if value in self.empty_values:
            return None
        number = whole_number(value)
        if number is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(number)


class ConsoleActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(a, a) for a in ACTIONS], error_messages={"required": _("Unknown action.")}
    )
    ticket = RowChoiceField(
        queryset=Ticket.objects.none(), required=False,
        error_messages={"invalid_choice": TICKET_ERROR},
    )  # fmt: skip
    service = RowChoiceField(
        queryset=OfficeService.objects.none(), required=False,
        error_messages={"invalid_choice": SERVICE_ERROR},
    )  # fmt: skip
    priority_group = forms.CharField(required=False)
    code = forms.CharField(required=False, strip=False)

    def __init__(self, *args: Any, counter: Counter, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].error_messages["invalid_choice"] = _("Unknown action.")
        self.fields["ticket"].queryset = Ticket.objects.filter(office=counter.office)  # type: ignore[attr-defined]
        self.fields["service"].queryset = OfficeService.objects.filter(office=counter.office)  # type: ignore[attr-defined]

    def clean_priority_group(self) -> str:
        """An unknown group is no group, as the kiosk does."""
        group = self.cleaned_data["priority_group"]
        return group if group in PriorityGroup.values else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        for name in ("ticket", "service"):
            if NAMES.get(str(action)) != name:  # a field this button does not use is ignored
                self.errors.pop(name, None)
                data[name] = None
        service: OfficeService | None = data.get("service")
        if (
            action in ("call", "unpark")
            and not self.has_error("ticket")
            and data.get("ticket") is None
        ):
            self.add_error("ticket", TICKET_ERROR)
        unusable = service is None or (action == "issue" and not service.is_active)
        if action in ("transfer", "issue") and not self.has_error("service") and unusable:
            self.add_error("service", SERVICE_ERROR)
        return data

    def first_error(self) -> str:
        """The console shows one message above its buttons: the first problem found."""
        for problems in self.errors.values():
            return str(problems[0])
        return ""
