from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ballots.services.entries import Choice
from booking.forms import DetailsForm
from booking.one_time_codes import ONE_TIME_CODE_ATTRS
from core.templatetags.giliran import office_day
from offices.models import OfficeService


def choice_value(office_service: OfficeService, day: date) -> str:
    return f"{office_service.pk}:{day.isoformat()}"


def choice_parse(value: str) -> Choice | None:
    office_service_id, _sep, day = value.partition(":")
    try:
        return Choice(int(office_service_id), date.fromisoformat(day))
    except ValueError:
        return None


class EntryForm(DetailsForm):
    """A citizen's details (as for a booking) and up to three ranked (office, day)."""

    def __init__(self, *args: Any, options: list[tuple[OfficeService, date]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        labelled = [
            (choice_value(os, day), f"{os.office.name} · {office_day(day)}") for os, day in options
        ]
        labels = [_("1st choice"), _("2nd choice (optional)"), _("3rd choice (optional)")]
        for rank, label in enumerate(labels, start=1):
            self.fields[f"choice_{rank}"] = forms.ChoiceField(
                label=label, choices=[("", "—"), *labelled], required=rank == 1
            )

    def choices(self) -> list[Choice]:
        picked = [self.cleaned_data.get(f"choice_{rank}") or "" for rank in (1, 2, 3)]
        return [c for c in (choice_parse(v) for v in picked if v) if c is not None]

    def add_application_error(self, error: Any) -> None:
        if "choices" in (error.fields or {}):
            error.fields = {"choice_1" if k == "choices" else k: v for k, v in error.fields.items()}
        super().add_application_error(error)


class EntryCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the message"),
        max_length=20,
        widget=forms.TextInput(attrs=ONE_TIME_CODE_ATTRS),
    )
