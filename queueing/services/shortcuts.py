"""A staff member's single-key shortcuts on the counter console: on or off, and which
key presses which button (WCAG 2.1.4, docs/counter-console.md)."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from queueing.models import SHORTCUT_DEFAULTS, SHORTCUT_KEYS, ConsoleShortcuts

ONE_KEY = _("Use one letter (a–z) or digit (0–9).")
SAME_KEY = _("Two buttons cannot share the key %(key)s.")


def console_shortcuts_set(
    *, user: User, enabled: bool, keys: Mapping[str, str]
) -> ConsoleShortcuts:
    """Save `user`'s shortcuts. `keys` maps each name of SHORTCUT_DEFAULTS to its key
    (upper case is lowered); a key that is not one letter or digit, or that two buttons
    share, is refused per field (`key_<name>`) and nothing is saved. The database's
    check constraint holds the same rule."""
    chosen = {name: (keys.get(name) or "").strip().lower() for name in SHORTCUT_DEFAULTS}
    problems: dict[str, list[str]] = {}
    first_with: dict[str, str] = {}
    for name, key in chosen.items():
        if len(key) != 1 or key not in SHORTCUT_KEYS:
            problems[f"key_{name}"] = [str(ONE_KEY)]
        elif key in first_with:
            problems[f"key_{name}"] = [str(SAME_KEY % {"key": key.upper()})]
        else:
            first_with[key] = name
    if problems:
        message = next(iter(problems.values()))[0]
        raise ApplicationError("invalid", message, fields=problems)
    values = {"enabled": enabled, **{f"key_{name}": key for name, key in chosen.items()}}
    with transaction.atomic():
        shortcuts, _created = ConsoleShortcuts.objects.update_or_create(user=user, defaults=values)
    return shortcuts
