"""The audit log page for supervisors and administrators: who read or changed what, when,
from where; filtered by person, kind of record, action, day and record."""

from __future__ import annotations

from datetime import date, timedelta

from auditlog.models import LogEntry
from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from audit.selectors import AuditFilter, audit_entries, audit_models
from core.dates import day_within
from core.errors import ApplicationError
from core.http import AuthenticatedHttpRequest
from offices.permissions import supervises

# The days a search may name: the log keeps two years, so this is generous, and no
# day near date.max ever reaches `until + 1 day` in audit.selectors.
FIRST_DAY = date(2000, 1, 1)
DAYS_AHEAD = timedelta(days=366)


# django-auditlog's own labels ("create", "access") have no Indonesian: the page says
# what happened in the reader's language.
ACTION_LABELS = {
    LogEntry.Action.CREATE: gettext_lazy("created"),
    LogEntry.Action.UPDATE: gettext_lazy("changed"),
    LogEntry.Action.DELETE: gettext_lazy("deleted"),
    LogEntry.Action.ACCESS: gettext_lazy("read"),
}


def _kind_of(content_type: ContentType) -> str:
    model = content_type.model_class()
    return str(model._meta.verbose_name).capitalize() if model else content_type.model


def _kind(entry: LogEntry) -> str:
    return _kind_of(entry.content_type)


class AuditFilterForm(forms.Form):
    who = forms.CharField(label=gettext_lazy("Who (username)"), required=False, max_length=150)
    what = forms.TypedChoiceField(
        label=gettext_lazy("Kind of record"), required=False, coerce=int, empty_value=None
    )
    action = forms.TypedChoiceField(
        label=gettext_lazy("Action"), required=False, coerce=int, empty_value=None
    )
    since = forms.DateField(label=gettext_lazy("From"), required=False)
    until = forms.DateField(label=gettext_lazy("Until"), required=False)
    target = forms.CharField(
        label=gettext_lazy("Record (id or code)"), required=False, max_length=100
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        kinds: list[tuple[object, str]] = [("", _("All"))]
        kinds += [(ct.pk, _kind_of(ct)) for ct in audit_models()]
        self.fields["what"].choices = kinds  # type: ignore[attr-defined]
        self.fields["action"].choices = [("", _("All")), *ACTION_LABELS.items()]  # type: ignore[attr-defined]

    def _bounded_day(self, name: str) -> date | None:
        day: date | None = self.cleaned_data.get(name)
        if day is None:
            return None
        try:
            return day_within(
                day,
                field=str(self.fields[name].label),
                first=FIRST_DAY,
                last=timezone.localdate() + DAYS_AHEAD,
            )
        except ApplicationError as error:
            raise forms.ValidationError(str(error.message), code=error.code) from None

    def clean_since(self) -> date | None:
        return self._bounded_day("since")

    def clean_until(self) -> date | None:
        return self._bounded_day("until")

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end day is before the start day."))
        return cleaned


@never_cache
@login_required
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not supervises(request.user):
        raise PermissionDenied(_("Only supervisors and administrators can read the audit log."))
    form = AuditFilterForm(request.GET or None)
    filters = AuditFilter()
    if form.is_bound and form.is_valid():
        filters = AuditFilter(**{k: v for k, v in form.cleaned_data.items() if v not in ("",)})
    entries = audit_entries(user=request.user, filters=filters)
    page = Paginator(entries, 50).get_page(request.GET.get("halaman"))
    for entry in page:
        entry.kind_label = _kind(entry)
        entry.action_label = ACTION_LABELS.get(entry.action, entry.get_action_display())
    query = request.GET.copy()
    query.pop("halaman", None)
    return render(
        request,
        "audit/log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
