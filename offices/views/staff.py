"""Staff sign-in (guarded by django-axes), sign-out and the staff start page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from core.http import AuthenticatedHttpRequest
from offices import permissions
from offices.forms import StaffAuthenticationForm
from offices.models import StaffMembership


class StaffLoginView(auth_views.LoginView):
    template_name = "staff/login.html"
    form_class = StaffAuthenticationForm
    redirect_authenticated_user = True


@login_required
def staff_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    memberships = (
        StaffMembership.objects.filter(user=user).select_related("office").order_by("office__name")
    )
    # Supervisors, office administrators and national administrators read the data map,
    # the retention runs and the audit log.
    return render(
        request,
        "staff/home.html",
        {
            "memberships": memberships,
            "supervises": permissions.supervises(user),
            "integrity": permissions.integrity_offices_for(user).exists(),
        },
    )
