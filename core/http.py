"""The request types views are annotated with. Types only: nothing here runs or checks
anything at request time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails
from rest_framework.request import Request

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class HtmxHttpRequest(HttpRequest):
    """The request type views see: django-htmx's middleware adds `htmx`."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """The request of a view behind @login_required: `request.user` is a signed-in User,
    never AnonymousUser (the subclass django-stubs documents for this). Whether the
    session has passed its second factor is twofactor.policy.is_verified()."""

    user: User


class AuthenticatedApiRequest(Request):
    """The DRF request of an API view whose permission_classes include IsAuthenticated:
    `request.user` is a User."""

    user: User
