"""The counter console's one form: which button was pressed and what it names (a ticket
of this office, a service of this office, a priority group, a booking code). A value
that names nothing of this office is an error with a translated message, never a 500;
what each action needs is checked by queueing.services.counter_actions.counter_act."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Model

from core.params import whole_number
from offices.models import Counter, OfficeService
from queueing.models import Ticket
from queueing.services.counter_actions import (
    CONFIRMED_ACTIONS,
    SERVICE_ACTIONS,
    SERVICE_ERROR,
    TICKET_ACTIONS,
    TICKET_ERROR,
    UNKNOWN_ACTION,
    CounterAction,
)


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
        choices=CounterAction.choices, error_messages={"required": UNKNOWN_ACTION}
    )
    ticket = RowChoiceField(
        queryset=Ticket.objects.none(),
        required=False,
        error_messages={"invalid_choice": TICKET_ERROR},
    )
    service = RowChoiceField(
        queryset=OfficeService.objects.none(),
        required=False,
        error_messages={"invalid_choice": SERVICE_ERROR},
    )
    priority_group = forms.CharField(required=False)
    code = forms.CharField(required=False, strip=False)
    # The confirmation step's "Yes" button sends confirm=1 (and the ticket confirmed).
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args: Any, counter: Counter, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].error_messages["invalid_choice"] = UNKNOWN_ACTION
        self.fields["ticket"].queryset = Ticket.objects.filter(office=counter.office)  # type: ignore[attr-defined]
        self.fields["service"].queryset = OfficeService.objects.filter(office=counter.office)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        uses = {
            "ticket": action in TICKET_ACTIONS or action in CONFIRMED_ACTIONS,
            "service": action in SERVICE_ACTIONS,
        }
        for name, used in uses.items():
            if not used:  # a field this button does not use is ignored
                self.errors.pop(name, None)
                data[name] = None
        return data

    def first_error(self) -> str:
        """The console shows one message above its buttons: the first problem found."""
        for problems in self.errors.values():
            return str(problems[0])
        return ""
