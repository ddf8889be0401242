"""Text normalisation for Indonesian (and English) chat, before the intent classifier.

`clean` makes any input safe and plain: Unicode NFKC, markup and URLs removed, emoji,
symbols and control characters dropped, lowercase, letters repeated three or more times
cut to two, digits kept, whitespace collapsed, and bounded in length. `normalise` then
replaces chat words word by word: our overrides (assistant/data/normalise_overrides.tsv)
first, then indoNLP's slang list (Kamus Alay, bundled in its wheel: nothing is
downloaded). docs/assistant.md says why indoNLP and what the overrides are for.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
import unicodedata
from collections.abc import Container
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
OVERRIDES_FILE = DATA_DIR / "normalise_overrides.tsv"
# Longer messages are cut before any work: a chat message is short, and the cost of
# every step below is linear in this bound.
MAX_CHARS = 1000
# Bump when the steps below change what they produce: it is part of the model's
# fingerprint (assistant/understanding/classifier.py), so the model is rebuilt.
VERSION = 1

_TAG = re.compile(r"<[^<>]{0,200}>")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")
_DOUBLES = re.compile(r"([^\W\d_])\1+")
_TOKEN = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")


def clean(text: str) -> str:
    """Lowercase words and numbers separated by single spaces, and nothing else."""
    text = unicodedata.normalize("NFKC", str(text)[:MAX_CHARS])
    text = html.unescape(text)
    text = _TAG.sub(" ", text)
    text = _URL.sub(" ", text)
    text = text.casefold()
    text = _REPEATS.sub(r"\1\1", text)
    return " ".join(_TOKEN.findall(text))


def normalise(text: str) -> str:
    """`clean`, then chat words and abbreviations replaced by their plain form."""
    words = _words()
    out = []
    for token in clean(text).split(" "):
        if not token:
            continue
        out.append(_replace(token, words))
    return " ".join(out)


_WORD = re.compile(r"(?<![\w'-])[^\W\d_]+(?:['-][^\W\d_]+)*(?![\w'-])")


def replace_words(text: str, *, keep: Container[str] = frozenset()) -> str:
    """`text` with each word of letters replaced by its plain form, as `normalise`
    replaces it ("bsk" -> "besok", "jm" -> "jam", "dpn" -> "depan"), and everything else
    (digits, punctuation, spacing, a word joined to a digit such as "2nd") left where it
    is, so dates ("12/5"), times ("10.30") and codes can still be read. Words in `keep`
    (lowercase) stay as they are: entity extraction passes its own date words and the
    catalog's vocabulary, which the slang list would otherwise rewrite ("jan" ->
    "jangan"). Words are compared lowercased; pass lowercase text."""
    words = _words()

    def plain(match: re.Match[str]) -> str:
        token = match.group(0)
        return token if token in keep else _replace(token, words)

    return _WORD.sub(plain, text)


def _replace(token: str, words: dict[str, str]) -> str:
    if token in words:
        return words[token]
    # "haloo", "minn", "pp": with doubled letters cut to one, a word we know.
    single = _DOUBLES.sub(r"\1", token)
    if single in words:
        return words[single]
    return single if single in _known() else token


@functools.cache
def _words() -> dict[str, str]:
    from indoNLP.preprocessing.slang_data import SLANG_DATA

    words = {key.casefold(): value.casefold() for key, value in SLANG_DATA.items()}
    words.update(_overrides())
    return words


@functools.cache
def _known() -> frozenset[str]:
    return frozenset(word for value in _words().values() for word in value.split(" "))


def _overrides() -> dict[str, str]:
    overrides = {}
    for line in OVERRIDES_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, replacement = line.split("\t")
        overrides[word.strip().casefold()] = replacement.strip().casefold()
    return overrides


def fingerprint() -> str:
    """What the normaliser's output depends on, for the model's fingerprint."""
    import indoNLP

    digest = hashlib.sha256(OVERRIDES_FILE.read_bytes()).hexdigest()
    return f"normalise={VERSION} overrides={digest} indoNLP={indoNLP.__version__}"
