"""Sessions for tests of the second factor itself (tests/conftest.py makes every other
`force_login` session verified)."""

from __future__ import annotations

from typing import Any

from django.test import Client

# Taken when this module is imported (test collection), before any test patches it.
_password_only = Client.force_login


def sign_in_without_second_factor(client: Client, user: Any) -> None:
    """A session that has passed the password step only."""
    _password_only(client, user, backend="django.contrib.auth.backends.ModelBackend")
