"""Every user-facing string has a Bahasa Indonesia translation, and nothing is fuzzy."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def _catalog(language: str) -> object:
    with open(LOCALE / language / "LC_MESSAGES" / "django.po", "rb") as po:
        return read_po(po)


def test_every_message_has_an_indonesian_translation() -> None:
    untranslated = [
        message.id
        for message in _catalog("id")  # type: ignore[attr-defined]
        if message.id and not all(message.string if message.pluralizable else [message.string])
    ]
    assert untranslated == []


@pytest.mark.parametrize("language", ["id", "en"])
def test_no_fuzzy_translations(language: str) -> None:
    fuzzy = [m.id for m in _catalog(language) if m.id and m.fuzzy]  # type: ignore[attr-defined]
    assert fuzzy == []


@pytest.mark.parametrize("language", ["id", "en"])
def test_compiled_catalogs_are_present(language: str) -> None:
    # `make test` and `make run` compile them with Babel before anything else runs.
    assert (LOCALE / language / "LC_MESSAGES" / "django.mo").exists()
