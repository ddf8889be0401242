from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.models import Channel, PriorityGroup
from booking.one_time_codes import ONE_TIME_CODE_ATTRS, one_time_code_clean
from core.errors import ApplicationError


class ApplicationErrorFormMixin:
    """Put a service's ApplicationError next to the fields it names."""

    def add_application_error(self, error: ApplicationError) -> None:
        for name, messages in (error.fields or {"__all__": [str(error.message)]}).items():
            target = name if name in self.fields else None  # type: ignore[attr-defined]
            for message in messages:
                self.add_error(target, message)  # type: ignore[attr-defined]


class DetailsForm(ApplicationErrorFormMixin, forms.Form):
    full_name = forms.CharField(label=_("Full name (as on your KTP)"), max_length=200)
    nik = forms.CharField(
        label=_("NIK (16 digits)"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
        help_text=_("Your NIK is encrypted and never shown in full."),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    channel = forms.ChoiceField(
        label=_("Send my code and reminders by"),
        choices=[c for c in Channel.choices if c[0] != Channel.NONE],
        initial=Channel.WHATSAPP,
        widget=forms.RadioSelect,
    )
    priority_group = forms.ChoiceField(
        label=_("Priority group (served first at the office)"),
        choices=PriorityGroup.choices,
        required=False,
    )


class StaffDetailsForm(DetailsForm):
    """Staff booking for a citizen at the office: phone and email are optional."""

    channel = forms.ChoiceField(
        label=_("Messages to the citizen by"),
        choices=Channel.choices,
        initial=Channel.NONE,
        widget=forms.RadioSelect,
    )


class OneTimeCodeField(forms.CharField):
    """A one-time code: 6 digits, spaces and dashes allowed. Refused here, as the services
    refuse it, before any attempt is counted (booking.one_time_codes)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs=ONE_TIME_CODE_ATTRS))
        super().__init__(max_length=12, **kwargs)

    def clean(self, value: Any) -> str:
        typed = super().clean(value)
        try:
            return one_time_code_clean(typed)
        except ApplicationError as error:
            raise forms.ValidationError(str(error.message), code=error.code) from None


class CodeForm(ApplicationErrorFormMixin, forms.Form):
    code = OneTimeCodeField(label=_("6-digit code"))


class LookupForm(ApplicationErrorFormMixin, forms.Form):
    code = forms.CharField(label=_("Booking code"), max_length=20)
    secret = forms.CharField(
        label=_("Last 4 digits of your NIK, or the phone number or email you booked with"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
