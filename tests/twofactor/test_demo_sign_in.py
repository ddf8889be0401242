"""The README's demo logins keep working: a demo supervisor signs in with the published
password and the code of the authenticator key load_demo printed."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from demo.management.commands.load_demo import DEMO_PASSWORD
from offices.models import Role, StaffMembership

pytestmark = pytest.mark.django_db


def test_demo_supervisor_signs_in_with_the_printed_key(client: Client, settings: Any) -> None:
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    username = (
        StaffMembership.objects.filter(role=Role.SUPERVISOR).values_list(
            "user__username", flat=True
        )
    )[0]
    assert re.search(rf"^\s+{username}\s+[A-Z2-7]{{32}}$", out.getvalue(), re.M)
    client.post(reverse("staff:login"), {"username": username, "password": DEMO_PASSWORD})
    code = StringIO()
    call_command("demo_otp_code", username, stdout=code)
    response = client.post(reverse("twofactor:verify"), {"code": code.getvalue().strip()})
    assert response.status_code == 302
    assert client.get(reverse("staff:home")).status_code == 200


def test_demo_codes_are_refused_without_debug(settings: Any) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_otp_code", "anyone")
