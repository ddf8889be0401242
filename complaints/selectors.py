"""Reads: which complaints a staff member may see, and the staff list's filters."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from complaints.models import OPEN_STATUSES, Complaint
from complaints.services import AnyUser
from offices.models import Role
from offices.permissions import integrity_offices_for, offices_for


def complaints_for_staff(
    user: AnyUser,
    *,
    status: str = "",
    office_code: str = "",
    category: str = "",
) -> QuerySet[Complaint]:
    """The complaints `user` may handle: the non-pungli complaints of the offices they
    supervise or administer, and the pungli reports of the offices where they are the
    integrity officer. Open ones first by due date, unless `status` picks one."""
    visible = Q(pungli=False, office__in=offices_for(user, at_least=Role.SUPERVISOR)) | Q(
        pungli=True, office__in=integrity_offices_for(user)
    )
    complaints = Complaint.objects.filter(visible).select_related("office", "assignee")
    if status == "open":
        complaints = complaints.filter(status__in=OPEN_STATUSES)
    elif status:
        complaints = complaints.filter(status=status)
    if office_code:
        complaints = complaints.filter(office__code=office_code)
    if category:
        complaints = complaints.filter(category=category)
    return complaints.order_by("due_on", "pk")


def may_see_complaints(user: AnyUser) -> bool:
    """Whether the staff list has anything for `user` to see (its link, its 403)."""
    return (
        offices_for(user, at_least=Role.SUPERVISOR).exists() or integrity_offices_for(user).exists()
    )
