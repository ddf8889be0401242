from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.forms import ApplicationErrorFormMixin
from complaints.models import ANSWER_MAX_LENGTH, TEXT_MAX_LENGTH, ComplaintCategory, ComplaintStatus
from offices.selectors import active_offices


def _office_choices() -> list[tuple[str, str]]:
    return [("", "—"), *((o.code, o.name) for o in active_offices().order_by("name"))]


class ComplaintForm(ApplicationErrorFormMixin, forms.Form):
    """The fields are checked again by complaints.services.complaint_file; the form's
    own limits only give early, field-level errors."""

    office = forms.ChoiceField(label=_("Office"), choices=_office_choices)
    category = forms.ChoiceField(
        label=_("What is it about?"), choices=ComplaintCategory.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("What happened?"),
        help_text=_("When and where it happened, and what you expected. Do not write your NIK."),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    pungli = forms.BooleanField(
        label=_("This is about an illegal fee, extortion or a bribe (pungli)"),
        help_text=_("Then only integrity officers read it, not the office's own staff."),
        required=False,
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        help_text=_("JPEG, PNG or WebP. Only the staff who handle your complaint see it."),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    contact = forms.CharField(
        label=_("Mobile number or email (optional)"),
        help_text=_(
            "We tell you there when your complaint moves on. Without it, keep your access key."
        ),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class StatusForm(ApplicationErrorFormMixin, forms.Form):
    number = forms.CharField(
        label=_("Tracking number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    access_key = forms.CharField(
        label=_("Access key"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class AnswerForm(ApplicationErrorFormMixin, forms.Form):
    answer = forms.CharField(
        label=_("Answer (the citizen reads it as written)"),
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("open", _("Open")), ("", _("All")), *ComplaintStatus.choices],
        required=False,
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All")), *ComplaintCategory.choices], required=False
    )
