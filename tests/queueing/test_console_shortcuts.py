"""Each clerk's single-key shortcuts on the counter console can be turned off or
remapped (WCAG 2.1.4), saved on their account (docs/counter-console.md)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import translation

from core.errors import ApplicationError
from offices.models import Counter
from queueing.models import SHORTCUT_DEFAULTS, ConsoleShortcuts
from queueing.selectors import console_shortcuts
from queueing.services.shortcuts import console_shortcuts_set

pytestmark = pytest.mark.django_db


def _keys(page: str) -> dict[str, str]:
    """The console's buttons that carry a key: action → key."""
    found = re.findall(r'value="([a-z-]+)"[^>]*? data-key="(.)"', page)
    transfer = re.search(r'name="service" data-key="(.)"', page)
    return dict(found) | ({"transfer": transfer[1]} if transfer else {})


def test_shortcuts_are_on_with_the_default_keys_until_changed(
    client: Client, counter_one: Counter, counter_clerk: Any
) -> None:
    assert console_shortcuts(counter_clerk).enabled
    client.force_login(counter_clerk)
    page = client.get(f"/en/staf/loket/{counter_one.pk}/").content.decode()
    assert _keys(page) == {
        "pause": "z",
        "next": "n",
        "recall": "r",
        "start": "s",
        "finish": "f",
        "no-show": "x",
        "park": "p",
    }  # transfer's list only shows with a current ticket
    assert "Use single-key shortcuts" in page
    assert 'id="shortcuts-enabled" name="enabled" checked' in page


def test_a_clerk_turns_the_shortcuts_off_and_no_button_carries_a_key(
    client: Client, counter_one: Counter, counter_clerk: Any
) -> None:
    client.force_login(counter_clerk)
    url = f"/en/staf/loket/{counter_one.pk}/"
    saved = client.post(f"{url}pintasan/", {**SHORTCUT_DEFAULTS_FIELDS})  # no "enabled"
    assert saved.status_code == 302 and saved["Location"] == f"{url}#shortcuts"
    page = client.get(url).content.decode()
    assert _keys(page) == {} and "<kbd>" not in page
    assert "Keyboard shortcuts saved." in page
    assert "Single-key shortcuts are off" in page
    assert not console_shortcuts(counter_clerk).enabled


def test_a_clerk_remaps_a_key(client: Client, counter_one: Counter, counter_clerk: Any) -> None:
    client.force_login(counter_clerk)
    url = f"/en/staf/loket/{counter_one.pk}/"
    fields = {**SHORTCUT_DEFAULTS_FIELDS, "enabled": "on", "key_no_show": "Q", "key_next": "1"}
    assert client.post(f"{url}pintasan/", fields).status_code == 302
    keys = _keys(client.get(url).content.decode())
    assert keys["no-show"] == "q" and keys["next"] == "1"


@pytest.mark.parametrize(
    ("changed", "says"),
    [
        ({"key_no_show": "n"}, "Tuts N sudah dipakai untuk tombol lain."),
        ({"key_park": ""}, "Gunakan satu huruf (a–z) atau angka (0–9)."),
        ({"key_park": "é"}, "Gunakan satu huruf (a–z) atau angka (0–9)."),
        ({"key_park": "ab"}, "Gunakan satu huruf (a–z) atau angka (0–9)."),
    ],
)
def test_a_key_that_is_not_one_letter_or_is_taken_is_refused_and_nothing_saved(
    client: Client, counter_one: Counter, counter_clerk: Any, changed: dict, says: str
) -> None:
    client.force_login(counter_clerk)
    url = f"/staf/loket/{counter_one.pk}/"
    page = client.post(f"{url}pintasan/", {**SHORTCUT_DEFAULTS_FIELDS, **changed})
    assert page.status_code == 200
    text = page.content.decode()
    assert says in text and 'aria-invalid="true"' in text
    assert not ConsoleShortcuts.objects.exists()


def test_the_service_refuses_per_field_in_the_active_language(counter_clerk: Any) -> None:
    keys = dict(SHORTCUT_DEFAULTS, park="n")
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        console_shortcuts_set(user=counter_clerk, enabled=True, keys=keys)
    assert refused.value.fields == {"key_park": ["Two buttons cannot share the key N."]}
    assert not ConsoleShortcuts.objects.exists()


def test_the_database_refuses_two_buttons_on_one_key(counter_clerk: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsoleShortcuts.objects.create(user=counter_clerk, key_park="n")
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsoleShortcuts.objects.create(user=counter_clerk, key_park="!")


SHORTCUT_DEFAULTS_FIELDS = {f"key_{name}": key for name, key in SHORTCUT_DEFAULTS.items()}
