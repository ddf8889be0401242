"""The catalogues say what the code says: every string translated, nothing fuzzy or left
over, placeholders kept, and one entry for each translatable string in the source.

Runs on Babel alone (no GNU gettext): Python files are read by Babel's Python extractor,
templates first go through Django's own `templatize`, as `makemessages` does, so the set
of msgids found here is the set `makemessages` would write (checked against it once).
An entry whose msgid changed keeps no translation of its old text: `makemessages` marks
such a guess fuzzy and writes the old msgid in a `#|` comment, and both fail here until
someone has read the new English and written its Indonesian.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
LANGUAGES = ["id", "en"]

# What `make makemessages` leaves out (besides hidden folders), and what it reads.
IGNORED_FOLDERS = {"var", "bench", "tests", "locale", "node_modules"}
EXTENSIONS = {".py", ".html", ".txt"}
# Django's translation functions, as Babel keyword specs (argument positions, "c" = context).
KEYWORDS: dict[str, tuple[int | tuple[int, str], ...] | None] = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
# printf-style (%(name)s, %s, %d…) and brace-style ({name}, {0}, {}) placeholders; "%%",
# "{{" and "}}" are literal characters, not placeholders.
PLACEHOLDER = re.compile(
    r"%%|%(?:\(\w+\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
    r"|\{\{|\}\}|\{[\w.\[\]]*(?:![rsa])?(?::[^{}]*)?\}"
)

Key = tuple[str | None, str]


@cache
def _catalog(language: str) -> Catalog:
    with open(LOCALE / language / "LC_MESSAGES" / "django.po", "rb") as po:
        return read_po(po)


def _messages(language: str) -> list[Message]:
    return [message for message in _catalog(language) if message.id]


def _ids(message: Message) -> tuple[str, ...]:
    """(msgid,) or (msgid, msgid_plural)."""
    return (message.id,) if isinstance(message.id, str) else tuple(message.id)


def _strings(message: Message) -> tuple[str, ...]:
    """(msgstr,) or each plural form's msgstr."""
    string = message.string or ""
    return (string,) if isinstance(string, str) else tuple(string)


def _label(message: Message) -> str:
    context = f" (context {message.context!r})" if message.context else ""
    return f"line {message.lineno}: {_ids(message)[0]!r}{context}"


def _key(message: Message) -> Key:
    return message.context, _ids(message)[0]


def _placeholders(text: str) -> frozenset[str]:
    return frozenset(p for p in PLACEHOLDER.findall(text) if p not in ("%%", "{{", "}}"))


def _source_files() -> Iterator[Path]:
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = sorted(
            name for name in subfolders if name not in IGNORED_FOLDERS and not name.startswith(".")
        )
        for name in sorted(files):
            path = Path(folder) / name
            if path.suffix in EXTENSIONS:
                yield path


@cache
def source_messages() -> dict[Key, str | tuple[str, ...]]:
    """Every translatable string of the code and templates: (context, msgid) → msgid, or
    (singular, plural) for a plural."""
    found: dict[Key, str | tuple[str, ...]] = {}
    for path in _source_files():
        text = path.read_text(encoding="utf-8")
        if path.suffix != ".py":
            # templatize keeps the template's indentation, which Python's tokenizer
            # refuses; each translation call stays on one line, so drop it.
            text = "\n".join(line.lstrip() for line in templatize(text, str(path)).splitlines())
        for _line, msgid, _comments, context in extract(
            "python", io.BytesIO(text.encode()), keywords=KEYWORDS
        ):
            key = (context, msgid if isinstance(msgid, str) else msgid[0])
            found[key] = msgid if isinstance(msgid, str) else tuple(msgid)
    return found


def test_templatized_templates_yield_what_makemessages_finds() -> None:
    source = (
        "{% load i18n %}\n  <p>{% translate 'Hi' context 'greeting' %}</p>\n"
        "    {% blocktranslate count counter=n %}{{ counter }} day{% plural %}"
        "{{ counter }} days{% endblocktranslate %}\n"
        "{% blocktranslate trimmed with who=name %}\n  Hello\n  {{ who }}\n"
        "{% endblocktranslate %} {% translate '90 %' %}"
    )
    text = "\n".join(line.lstrip() for line in templatize(source).splitlines())
    found = [
        (context, msgid)
        for _line, msgid, _comments, context in extract(
            "python", io.BytesIO(text.encode()), keywords=KEYWORDS
        )
    ]
    assert found == [
        ("greeting", "Hi"),
        (None, ("%(counter)s day", "%(counter)s days")),
        (None, "Hello %(who)s"),
        (None, "90 %%"),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_an_entry_for_every_string_in_the_source(language: str) -> None:
    catalogue = {_key(message) for message in _messages(language)}
    missing = sorted(set(source_messages()) - catalogue, key=str)
    assert missing == [], (
        f"{len(missing)} strings of the code have no entry in locale/{language}: add each "
        f"at the end of the .po file: {missing}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_keeps_no_entry_the_source_no_longer_uses(language: str) -> None:
    # A left-over entry is how an old text ends up under a new message: delete it.
    source = source_messages()
    unused = [_label(m) for m in _messages(language) if _key(m) not in source]
    assert unused == [], f"entries of locale/{language} that no code uses: {unused}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_entries_match_the_source(language: str) -> None:
    source = source_messages()
    wrong = [
        _label(m)
        for m in _messages(language)
        if _key(m) in source and (_ids(m) if m.pluralizable else _ids(m)[0]) != source[_key(m)]
    ]
    assert wrong == [], f"singular/plural differs from the source: {wrong}"


def test_every_message_has_an_indonesian_translation() -> None:
    untranslated = [_label(m) for m in _messages("id") if not all(_strings(m))]
    assert untranslated == [], f"entries of locale/id with no Indonesian: {untranslated}"


def test_english_catalogue_repeats_the_source() -> None:
    # English is the source language: a msgstr is empty or the msgid itself, else it is
    # another message's old text.
    stale = []
    for m in _messages("en"):
        ids = _ids(m)
        for form, string in enumerate(_strings(m)):
            if string and string != ids[min(form, len(ids) - 1)]:
                stale.append(f"{_label(m)} → {string!r}")
    assert stale == [], f"English msgstrs that are not their msgid: {stale}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_fuzzy_obsolete_or_previous_text_entries(language: str) -> None:
    catalogue = _catalog(language)
    fuzzy = [_label(m) for m in _messages(language) if m.fuzzy]
    obsolete = [repr(msgid) for msgid in catalogue.obsolete]
    # "#| msgid …" is what makemessages writes above a fuzzy guess: the translation
    # below it was written for that old text.
    previous = [
        _label(m)
        for m in _messages(language)
        if m.previous_id or any(c.lstrip().startswith("| msgid") for c in m.user_comments)
    ]
    assert (fuzzy, obsolete, previous) == ([], [], []), (
        f"locale/{language}: read each beside its English, fix the msgstr, and remove the "
        f"fuzzy flag, the #~ entry or the #| comment: fuzzy {fuzzy}, obsolete {obsolete}, "
        f"written for an older msgid {previous}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_of_their_message(language: str) -> None:
    wrong = []
    for m in _messages(language):
        # Each plural form against the plural or the singular (a singular may say "one").
        allowed = {_placeholders(msgid) for msgid in _ids(m)}
        for form in _strings(m):
            if form and _placeholders(form) not in allowed:
                wrong.append(f"{_label(m)} → {form!r}")
    assert wrong == [], f"placeholders differ from the msgid in locale/{language}: {wrong}"


def test_placeholder_pattern() -> None:
    assert _placeholders("%(count)d of %s at 100%% {name} {0} {{literal}}") == {
        "%(count)d",
        "%s",
        "{name}",
        "{0}",
    }
    assert _placeholders("Enter a share from 0 to 90 %.") == frozenset()


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogs_are_present(language: str) -> None:
    # `make test` and `make run` compile them with Babel before anything else runs.
    assert (LOCALE / language / "LC_MESSAGES" / "django.mo").exists()
