from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from offices.models import Role
from offices.permissions import (
    has_office_role,
    offices_for,
    require_office_role,
    require_supervises,
    supervises,
)
from twofactor.policy import requires_two_factor

pytestmark = pytest.mark.django_db


def test_clerk_acts_only_as_clerk_in_their_own_office(
    counter_clerk: Any, jakarta_office: Any, denpasar_office: Any
) -> None:
    assert has_office_role(counter_clerk, jakarta_office)
    assert not has_office_role(counter_clerk, jakarta_office, at_least=Role.SUPERVISOR)
    assert not has_office_role(counter_clerk, denpasar_office)
    assert list(offices_for(counter_clerk)) == [jakarta_office]


def test_higher_roles_include_lower_ones(office_admin: Any, jakarta_office: Any) -> None:
    for role in Role:
        assert has_office_role(office_admin, jakarta_office, at_least=role)


def test_supervisor_of_another_office_is_refused(
    supervisor_of_another_office: Any, jakarta_office: Any
) -> None:
    with pytest.raises(PermissionDenied):
        require_office_role(supervisor_of_another_office, jakarta_office)
    assert jakarta_office not in offices_for(supervisor_of_another_office)


def test_national_admin_reaches_every_office(
    national_admin: Any, jakarta_office: Any, denpasar_office: Any
) -> None:
    assert set(offices_for(national_admin, at_least=Role.ADMINISTRATOR)) == {
        jakarta_office,
        denpasar_office,
    }


def test_deactivated_staff_and_anonymous_reach_nothing(
    counter_clerk: Any, jakarta_office: Any
) -> None:
    counter_clerk.is_active = False
    counter_clerk.save(update_fields=["is_active"])
    assert not has_office_role(counter_clerk, jakarta_office)
    assert not offices_for(AnonymousUser()).exists()


# --- One answer to "supervisor or administrator" (review item 12) -------------------

SUPERVISOR_PAGES = ["audit:log", "staff:data-map", "staff:retention", "privacy-staff-queue"]


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("counter_clerk", False),
        ("supervisor", True),
        ("office_admin", True),
        ("supervisor_of_another_office", True),
        ("national_admin", True),
    ],
)
def test_every_supervisor_page_and_the_second_factor_follow_one_rule(
    client: Any, request: pytest.FixtureRequest, person: str, expected: bool
) -> None:
    user = request.getfixturevalue(person)
    assert supervises(user) is expected
    # Whoever supervises must pass a second factor (anyone with the admin too).
    assert requires_two_factor(user) is (expected or user.is_staff)
    client.force_login(user)
    for name in SUPERVISOR_PAGES:
        assert client.get(reverse(name)).status_code == (200 if expected else 403), name
    # The start page links to exactly the pages this person may open.
    home = client.get(reverse("staff:home")).content.decode()
    for name in SUPERVISOR_PAGES:
        assert (reverse(name) in home) is expected, name


def test_nobody_signed_out_or_inactive_supervises(supervisor: Any) -> None:
    assert not supervises(AnonymousUser())
    supervisor.is_active = False
    assert not supervises(supervisor)
    with pytest.raises(PermissionDenied):
        require_supervises(supervisor)
