"""The one permission helper: which offices a person may act on, and in which role.

Superusers are national administrators and reach every office. Everyone else reaches
exactly the offices where a StaffMembership gives them at least the role asked for.
Pages, API views and admin screens all call these functions.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from offices.models import Office, Role, StaffMembership

AnyUser = AbstractBaseUser | AnonymousUser


def _roles_at_least(role: Role) -> list[str]:
    return [r.value for r in Role if r.rank >= role.rank]


def offices_for(user: AnyUser, *, at_least: Role = Role.CLERK) -> QuerySet[Office]:
    """The offices where `user` holds `at_least` this role (all offices for superusers)."""
    if not user.is_authenticated or not user.is_active:
        return Office.objects.none()
    if getattr(user, "is_superuser", False):
        return Office.objects.all()
    return Office.objects.filter(
        memberships__user_id=user.pk, memberships__role__in=_roles_at_least(at_least)
    ).distinct()


def has_office_role(user: AnyUser, office: Office | int, *, at_least: Role = Role.CLERK) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_superuser", False):
        return True
    office_id = office if isinstance(office, int) else office.pk
    return StaffMembership.objects.filter(
        user_id=user.pk, office_id=office_id, role__in=_roles_at_least(at_least)
    ).exists()


def require_office_role(
    user: AnyUser, office: Office | int, *, at_least: Role = Role.CLERK
) -> None:
    """Raise PermissionDenied (403 in pages and API) unless `user` may act on `office`."""
    if not has_office_role(user, office, at_least=at_least):
        raise PermissionDenied(_("You do not have access to this office."))


def supervised_office(user: AnyUser, code: str) -> tuple[Office, list[Office]]:
    """The office `code` names among those `user` supervises (at least Role.SUPERVISOR),
    with all of them for a picker; the first of them when `code` is empty. Supervising
    none, or an office not theirs: PermissionDenied (403); a code no office has: Http404."""
    offices = list(offices_for(user, at_least=Role.SUPERVISOR).order_by("name"))
    if not offices:
        raise PermissionDenied(_("Only supervisors and administrators may see this page."))
    if not code:
        return offices[0], offices
    for office in offices:
        if office.code == code:
            return office, offices
    if not Office.objects.filter(code=code).exists():
        raise Http404(_("No office has this code."))
    raise PermissionDenied(_("You do not have access to this office."))


def integrity_offices_for(user: AnyUser) -> QuerySet[Office]:
    """The offices whose reports of pungli `user` reads: those where they are the
    integrity officer (every office for superusers). No clerk, supervisor or office
    administrator role reaches them (docs/complaints.md)."""
    if not user.is_authenticated or not user.is_active:
        return Office.objects.none()
    if getattr(user, "is_superuser", False):
        return Office.objects.all()
    return Office.objects.filter(
        memberships__user_id=user.pk, memberships__role=Role.INTEGRITY
    ).distinct()


def supervises(user: AnyUser) -> bool:
    """Supervisors and office administrators of any office, and national administrators
    (active superusers). The one answer to "supervisor or administrator": they read the
    audit log, the data map, the retention runs and the data-subject requests, and must
    pass a second factor (twofactor.policy)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return StaffMembership.objects.filter(
        user_id=user.pk, role__in=_roles_at_least(Role.SUPERVISOR)
    ).exists()


def require_supervises(user: AnyUser) -> None:
    """Raise PermissionDenied (403) unless `user` supervises (see `supervises`)."""
    if not supervises(user):
        raise PermissionDenied(_("Only supervisors and administrators may see this page."))
