from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from booking.models import Role
from booking.permissions import has_office_role, offices_for, require_office_role

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
