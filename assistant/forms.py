from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from assistant.understanding.normalise import MAX_CHARS


class ChatForm(forms.Form):
    """A message from the web chat. An empty one is answered (a request to write the
    question in words); `after` is the last turn the panel shows, so the answer brings
    exactly the turns it has not shown yet."""

    text = forms.CharField(
        label=_("Your question"),
        max_length=MAX_CHARS,
        required=False,
        error_messages={"max_length": _("Write at most %(limit_value)d characters.")},
    )
    # Bounded to a database id: a larger number would overflow PostgreSQL's bigint.
    after = forms.IntegerField(
        required=False, min_value=0, max_value=2**63 - 1, widget=forms.HiddenInput
    )
