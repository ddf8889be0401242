"""The second-factor pages: verify after the password, enrol an authenticator app (works
without JavaScript), recovery codes shown once, and the staff member's own devices."""

from __future__ import annotations

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from booking.forms import ApplicationErrorFormMixin
from core.errors import ApplicationError
from core.http import AuthenticatedHttpRequest
from twofactor.policy import is_verified, requires_two_factor
from twofactor.services import (
    authenticator_enrol_confirm,
    authenticator_enrol_start,
    has_second_factor,
    recovery_codes_issue,
    recovery_codes_left,
    two_factor_verify,
)

SHOW_CODES = "twofactor_recovery_codes"


class CodeForm(ApplicationErrorFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(settings.LOGIN_REDIRECT_URL)


@never_cache
@login_required
def verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if is_verified(user):
        return redirect(_next(request))
    if not has_second_factor(user=user):
        return redirect(f"{_url('twofactor:enrol')}?next={_quoted(_next(request))}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor_verify(request=request, user=user, token=form.cleaned_data["code"])
        except ApplicationError as error:
            form.add_application_error(error)
            return render(
                request,
                "twofactor/verify.html",
                _verify_context(request, form),
                status=error.status_code,
            )
        return redirect(_next(request))
    return render(request, "twofactor/verify.html", _verify_context(request, form))


def _verify_context(request: AuthenticatedHttpRequest, form: CodeForm) -> dict[str, object]:
    return {
        "form": form,
        "next": _next(request),
        "has_passkey": WebAuthnCredential.objects.filter(
            user=request.user, confirmed=True
        ).exists(),
        "required": requires_two_factor(request.user),
    }


@never_cache
@login_required
def enrol(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Add an authenticator app: the first device right after the password, or another
    one from a session that has already passed its second factor."""
    user = request.user
    if has_second_factor(user=user) and not is_verified(user):
        return redirect(f"{_url('twofactor:verify')}?next={_quoted(_next(request))}")
    device = authenticator_enrol_start(user=user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            codes = authenticator_enrol_confirm(
                request=request, user=user, device_id=device.pk, token=form.cleaned_data["code"]
            )
        except ApplicationError as error:
            form.add_application_error(error)
            status = error.status_code
        else:
            request.session[SHOW_CODES] = codes
            return redirect(f"{_url('twofactor:recovery-codes')}?next={_quoted(_next(request))}")
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "next": _next(request),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "otpauth": device.config_url,
        "qr_svg": _qr_svg(device),
        "required": requires_two_factor(user),
    }
    return render(request, "twofactor/enrol.html", context, status=status)


@never_cache
@login_required
def recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Shows the codes just issued, once: they leave the session as the page renders."""
    codes = request.session.pop(SHOW_CODES, None)
    if not codes:
        return redirect("twofactor:manage")
    return render(
        request, "twofactor/recovery_codes.html", {"codes": codes, "next": _next(request)}
    )


@never_cache
@login_required
def manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if has_second_factor(user=user) and not is_verified(user):
        return redirect(f"{_url('twofactor:verify')}?next={_quoted(request.get_full_path())}")
    context = {
        "authenticators": TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"),
        "passkeys": WebAuthnCredential.objects.filter(user=user).order_by("pk"),
        "recovery_left": recovery_codes_left(user=user),
        "verified": is_verified(user),
        "required": requires_two_factor(user),
    }
    return render(request, "twofactor/manage.html", context)


@require_POST
@login_required
def recovery_codes_renew(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not is_verified(request.user):
        return redirect("twofactor:verify")
    request.session[SHOW_CODES] = recovery_codes_issue(user=request.user)
    return redirect("twofactor:recovery-codes")


def _qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


def _quoted(target: str) -> str:
    from urllib.parse import quote

    return quote(target, safe="/")
