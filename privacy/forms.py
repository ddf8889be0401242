from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.forms import ApplicationErrorFormMixin, OneTimeCodeField
from privacy.models import CorrectableField, RequestKind


class ProveForm(ApplicationErrorFormMixin, forms.Form):
    nik = forms.CharField(
        label=_("NIK (16 digits)"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    contact = forms.CharField(
        label=_("Mobile number or email you used with Giliran"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class CodeForm(ApplicationErrorFormMixin, forms.Form):
    code = OneTimeCodeField(label=_("Code"))


class RequestForm(ApplicationErrorFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you ask for?"), choices=RequestKind.choices, widget=forms.RadioSelect
    )
    field = forms.ChoiceField(
        label=_("Detail to correct (for a correction)"),
        choices=[("", "—"), *CorrectableField.choices],
        required=False,
    )
    new_value = forms.CharField(
        label=_("What it should be (for a correction)"), max_length=254, required=False
    )
    reason = forms.CharField(
        label=_("Explanation (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RefuseForm(ApplicationErrorFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusal (the citizen is told)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
