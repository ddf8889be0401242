"""Staff sessions: end them when idle or too old, and hold supervisors and administrators
at the second-factor step until they pass it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from twofactor.policy import is_verified, second_factor_applies, session_expired, session_touch

# Pages an unverified session may still open: signing in and out, the second-factor
# steps themselves, the language switch and the health probe.
OPEN_VIEWS = {
    "staff:login",
    "staff:logout",
    "admin:login",
    "admin:logout",
    "set_language",
    "javascript-catalog",
    "health",
}
OPEN_NAMESPACES = {"twofactor", "otp_webauthn"}
GUARDED_NAMESPACES = {"staff", "admin", "audit"}
# Staff pages outside those namespaces (the data-subject requests of the privacy app).
GUARDED_VIEW_PREFIXES = ("privacy-staff-",)


class StaffSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Citizens have no account: only signed-in staff sessions have a clock.
        if request.user.is_authenticated:
            now = timezone.now()
            if session_expired(request, now=now):
                logout(request)
            else:
                session_touch(request, now=now)
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if not request.user.is_authenticated or is_verified(request.user):
            return None
        match = request.resolver_match
        namespaces = set(match.namespaces) if match else set()
        if namespaces & OPEN_NAMESPACES or (match and match.view_name in OPEN_VIEWS):
            return None
        if not second_factor_applies(request, now=timezone.now()):
            return None
        if namespaces & GUARDED_NAMESPACES or (
            match and match.view_name.startswith(GUARDED_VIEW_PREFIXES)
        ):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('twofactor:verify')}?{query}")
        # The API and every other view see an unverified session as not signed in.
        request.user = AnonymousUser()
        return None
