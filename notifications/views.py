"""The notification log for supervisors: every message of their office, its status and
the reason it failed, searchable by booking code, with a resend button."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.http import AuthenticatedHttpRequest
from core.message_budget import message_budget_alarm, message_budget_scope_label
from notifications.models import Message, MessageStatus
from notifications.registry import message_kind_choices
from notifications.selectors import message_log
from notifications.services.outbox import message_resend
from offices.models import Office, Role
from offices.permissions import require_office_role


def _office(request: AuthenticatedHttpRequest, office_code: str) -> Office:
    office = get_object_or_404(Office, code=office_code, is_active=True)
    require_office_role(request.user, office, at_least=Role.SUPERVISOR)
    return office


@login_required
def message_log_page(request: AuthenticatedHttpRequest, office_code: str) -> HttpResponse:
    office = _office(request, office_code)
    search = request.GET.get("cari", "")[:40]
    status = request.GET.get("status", "")
    kind = request.GET.get("jenis", "")
    kinds = message_kind_choices()
    messages = message_log(
        office=office,
        search=search,
        status=status if status in MessageStatus.values else "",
        kind=kind if kind in dict(kinds) else "",
    )
    page = Paginator(messages, 50).get_page(request.GET.get("halaman"))
    alarm = message_budget_alarm()
    return render(
        request,
        "notifications/log.html",
        {
            "office": office,
            "page": page,
            "search": search,
            "status": status,
            "kind": kind,
            "statuses": MessageStatus.choices,
            "kinds": kinds,
            "budget_alarm": alarm,
            "budget_alarm_scope": message_budget_scope_label(alarm) if alarm else "",
        },
    )


@login_required
@require_POST
def message_resend_page(
    request: AuthenticatedHttpRequest, office_code: str, message_id: int
) -> HttpResponse:
    office = _office(request, office_code)
    message = get_object_or_404(Message, pk=message_id, office=office)
    try:
        message_resend(message=message, by=request.user)
    except ApplicationError as refused:
        flash.error(request, str(refused.message))
    else:
        flash.success(request, _("The message is being sent again."))
    reference = message.context.get("reference", "")
    return redirect(f"{reverse('staff:messages', args=[office.code])}?cari={reference}")
