"""Which of the 18 intents a message has, and its language: small, offline, deterministic.

The model is trained in the repo from assistant/data/intents.tsv (docs/assistant.md):
character n-grams (2-5, within words) and word n-grams (1-2) of the normalised text,
TF-IDF weighted, into a linear SVM calibrated to probabilities (Platt scaling fitted on
five-fold cross-validated scores), whose probability of the chosen intent is the
confidence; the language (id/en) is a second logistic regression on character n-grams of
the cleaned text (before slang replacement, which turns some English into Indonesian).
One example in five, chosen by a stable hash of its normalised text, is held out and
never trained on, so the figures measure unseen sentences.

The trained model is stored with joblib under GILIRAN_VAR_DIR with the fingerprint of
everything it was built from (data file, normaliser, scikit-learn version); `intent_of`
loads it, or builds it once if it is missing or stale. Nothing is downloaded.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import LinearSVC

from assistant.understanding import normalise as normaliser

logger = logging.getLogger(__name__)

INTENTS: tuple[str, ...] = (
    "greet",
    "thanks",
    "requirements",
    "hours",
    "location",
    "fees",
    "book",
    "reschedule",
    "cancel",
    "book_status",
    "take_number",
    "queue_position",
    "complaint",
    "complaint_status",
    "survey",
    "document_check",
    "human",
    "out_of_scope",
)
LANGUAGES: tuple[str, ...] = ("id", "en")
# A message with no word in it (empty, emoji only, markup only) gets this, with
# confidence 0: there is nothing to understand, and the reply is in Indonesian.
FALLBACK_INTENT, DEFAULT_LANGUAGE = "out_of_scope", "id"
DATA_FILE = normaliser.DATA_DIR / "intents.tsv"
# A second test set in another style (long WhatsApp messages), written before the model
# was run on it and never edited to fix its errors; never trained on, disjoint from
# DATA_FILE once normalised (docs/assistant.md).
BLIND_FILE = normaliser.DATA_DIR / "intents_blind.tsv"
HELD_OUT_ONE_IN = 5
# Bump when the pipeline below changes (OTHER_SERVICES included): it is part of the
# fingerprint.
MODEL_FORMAT = 2
SEED = 0
CALIBRATION_FOLDS = 5


# A message naming another agency's or business's place or service (the words of
# OTHER_SERVICES_FILE) gets the extra word OTHER_MARK, so the model learns once that
# "<another office> buka jam berapa" is out of scope instead of learning it for each
# office named; without it, an institution it has not seen (a clinic, the tax office)
# makes "buka jam berapa" read as `hours`. Five-fold cross-validation on the training
# split: 91.1 % -> 91.5 % (three shuffles, each better; docs/assistant.md).
OTHER_SERVICES_FILE = normaliser.DATA_DIR / "other_services.txt"
OTHER_MARK = "_lain_"


def mark_other_services(texts: Iterable[str]) -> list[str]:
    """Normalised texts, each naming another agency's service or place followed by
    OTHER_MARK: the first step of the intent pipeline."""
    words, phrases = _other_services()
    marked = []
    for text in texts:
        padded = f" {text} "
        other = not words.isdisjoint(text.split(" ")) or any(p in padded for p in phrases)
        marked.append(f"{text} {OTHER_MARK}" if other else text)
    return marked


@functools.cache
def _other_services() -> tuple[frozenset[str], tuple[str, ...]]:
    """(single words, phrases of several words padded with spaces) of the file, where a
    phrase is written with underscores ("rumah_sakit")."""
    words: set[str] = set()
    phrases: list[str] = []
    for line in OTHER_SERVICES_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        for word in line.split():
            if "_" in word:
                phrases.append(f" {word.replace('_', ' ')} ")
            else:
                words.add(word)
    return frozenset(words), tuple(phrases)


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    language: str


@dataclass(frozen=True)
class IntentGuess:
    intent: str
    confidence: float  # the model's probability of `intent`, in [0, 1]
    language: str


class DataError(ValueError):
    """The labelled data file is malformed; the message names the line."""


def load_examples(path: Path = DATA_FILE) -> list[Example]:
    """The labelled examples, in file order. Raises DataError on a malformed line, an
    unknown intent or language, or the same normalised text twice."""
    examples: list[Example] = []
    seen: dict[str, int] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#") or line == "text\tintent\tlanguage":
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise DataError(f"{path.name}:{number}: expected text, intent, language")
        text, intent, language = (field.strip() for field in fields)
        if intent not in INTENTS:
            raise DataError(f"{path.name}:{number}: unknown intent {intent!r}")
        if language not in LANGUAGES:
            raise DataError(f"{path.name}:{number}: unknown language {language!r}")
        key = normaliser.normalise(text)
        if not key:
            raise DataError(f"{path.name}:{number}: nothing left after normalising")
        if key in seen:
            raise DataError(f"{path.name}:{number}: same as line {seen[key]} once normalised")
        seen[key] = number
        examples.append(Example(text, intent, language))
    return examples


def is_held_out(text: str) -> bool:
    """True for the test split: a stable hash of the normalised text, so a sentence and
    any spelling of it that normalises the same always fall on the same side."""
    digest = hashlib.sha256(normaliser.normalise(text).encode()).digest()
    return int.from_bytes(digest[:8], "big") % HELD_OUT_ONE_IN == 0


def split(examples: Iterable[Example]) -> tuple[list[Example], list[Example]]:
    """(training, held out)."""
    training: list[Example] = []
    held_out: list[Example] = []
    for example in examples:
        (held_out if is_held_out(example.text) else training).append(example)
    return training, held_out


def fingerprint(data: Path = DATA_FILE, extra: Sequence[Example] = ()) -> str:
    """Everything a trained model depends on; a stored model with another is rebuilt.
    `extra` (labelled review items) adds its own digest, so a new label means a new
    model."""
    digest = hashlib.sha256(data.read_bytes()).hexdigest()
    other = hashlib.sha256(OTHER_SERVICES_FILE.read_bytes()).hexdigest()
    labels = ""
    if extra:
        rows = "\n".join(f"{e.text}\t{e.intent}\t{e.language}" for e in extra)
        labels = f" labels={hashlib.sha256(rows.encode()).hexdigest()}"
    return (
        f"format={MODEL_FORMAT} data={digest} other={other}{labels} {normaliser.fingerprint()} "
        f"sklearn={sklearn.__version__} numpy={np.__version__}"
    )


def labelled_examples() -> list[Example]:
    """The review items staff labelled (assistant.ReviewItem), by id: extra training
    examples, never held out (the held-out split stays the data file's, so its figures
    stay comparable). Items whose normalised text is empty or already seen among
    earlier items are left out; `training_set` also leaves out those the data file has.
    No database (a bare checkout, the benchmarks): none."""
    from django.db import DatabaseError

    from assistant.models import ReviewItem

    try:
        rows = list(
            ReviewItem.objects.exclude(label="")
            .order_by("pk")
            .values_list("text", "label", "language")
        )
    except DatabaseError:
        return []
    examples: list[Example] = []
    seen: set[str] = set()
    for text, intent, language in rows:
        key = normaliser.normalise(text)
        if intent not in INTENTS or language not in LANGUAGES or not key or key in seen:
            continue
        seen.add(key)
        examples.append(Example(text, intent, language))
    return examples


def training_set(data: Path = DATA_FILE, extra: Sequence[Example] = ()) -> list[Example]:
    """The data file's training split, then the `extra` examples whose text the data
    file does not have (a held-out sentence labelled in review must not leak into
    training)."""
    examples = load_examples(data)
    known = {normaliser.normalise(e.text) for e in examples}
    training, _held_out = split(examples)
    return training + [e for e in extra if normaliser.normalise(e.text) not in known]


class Model:
    """The two trained pipelines; `guess` is safe to call from several threads."""

    def __init__(self, *, intent: Pipeline, language: Pipeline, fingerprint: str) -> None:
        self.intent = intent
        self.language = language
        self.fingerprint = fingerprint

    def guess(self, text: str) -> IntentGuess:
        return self.guess_many([text])[0]

    def guess_many(self, texts: Sequence[str]) -> list[IntentGuess]:
        normalised = [normaliser.normalise(text) for text in texts]
        cleaned = [normaliser.clean(text) for text in texts]
        wanted = [i for i, text in enumerate(normalised) if text]
        guesses = [IntentGuess(FALLBACK_INTENT, 0.0, DEFAULT_LANGUAGE)] * len(texts)
        if not wanted:
            return guesses
        intents = self.intent.predict_proba([normalised[i] for i in wanted])
        languages = self.language.predict([cleaned[i] for i in wanted])
        classes = self.intent.classes_
        for row, i in enumerate(wanted):
            best = int(np.argmax(intents[row]))
            guesses[i] = IntentGuess(
                str(classes[best]), float(intents[row][best]), str(languages[row])
            )
        return guesses


def train(examples: Sequence[Example], *, fingerprint: str = "") -> Model:
    """Fit both pipelines on these examples (callers pass the training split)."""
    words = TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        sublinear_tf=True,
        token_pattern=r"\S+",  # noqa: S106 - not a password
    )
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    intent = Pipeline(
        [
            ("mark", FunctionTransformer(mark_other_services)),
            ("features", FeatureUnion([("chars", chars), ("words", words)])),
            ("classify", _calibrated_svm()),
        ]
    )
    intent.fit([normaliser.normalise(e.text) for e in examples], [e.intent for e in examples])
    language = Pipeline(
        [
            ("features", TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3))),
            ("classify", LogisticRegression(C=10.0, max_iter=5000, random_state=SEED)),
        ]
    )
    language.fit([normaliser.clean(e.text) for e in examples], [e.language for e in examples])
    return Model(intent=intent, language=language, fingerprint=fingerprint)


def _calibrated_svm() -> CalibratedClassifierCV:
    """A linear SVM (the most accurate of the linear models tried, docs/assistant.md)
    whose scores become probabilities by Platt scaling, fitted on the scores of five
    cross-validation folds (stratified, not shuffled: deterministic). One SVM on all the
    training data, not five averaged: as accurate here, and a guess costs a third."""
    return CalibratedClassifierCV(
        LinearSVC(C=1.0, random_state=SEED),
        method="sigmoid",
        cv=CALIBRATION_FOLDS,
        ensemble=False,
    )


def build(*, path: Path, data: Path = DATA_FILE, extra: Sequence[Example] = ()) -> Model:
    """Train on the data file's training split (and `extra`, see `training_set`) and
    store the model at `path`: written to a temporary file beside it and renamed, so a
    reader (another process) sees the old file or the new one, never half of one. Two
    processes building at once write the same model; the last rename wins. If the
    folder cannot be written (a read-only deployment), the model is used from memory
    and the failure logged."""
    model = train(training_set(data, extra), fingerprint=fingerprint(data, extra))
    try:
        _store(model, path)
    except OSError as error:
        logger.warning("assistant model not stored at %s (%s); using it from memory", path, error)
    return model


def _store(model: Model, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as file:
            stored = {
                "fingerprint": model.fingerprint,
                "intent": model.intent,
                "language": model.language,
            }
            joblib.dump(stored, file)
        # mkstemp makes it private to its writer; the model is no secret, and an image
        # built by root must let the application's user read it.
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load(*, path: Path, data: Path = DATA_FILE, extra: Sequence[Example] = ()) -> Model:
    """The stored model if it was built from exactly this data, normaliser and library
    versions; otherwise (missing, stale, unreadable) build and store it now. The file
    is ours (under GILIRAN_VAR_DIR, which only the app may write): joblib unpickles."""
    expected = fingerprint(data, extra)
    stored: Any = None
    if path.exists():
        try:
            stored = joblib.load(path)
        except Exception:
            stored = None
    if isinstance(stored, dict) and stored.get("fingerprint") == expected:
        return Model(intent=stored["intent"], language=stored["language"], fingerprint=expected)
    return build(path=path, data=data, extra=extra)


def model_path() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "assistant" / "intent-model.joblib"


_lock = threading.Lock()
_model: Model | None = None


def current_model() -> Model:
    """The process's model, loaded (or built) once, by one thread."""
    global _model
    with _lock:
        if _model is None:
            _model = load(path=model_path(), extra=labelled_examples())
        return _model


def intent_of(text: str) -> IntentGuess:
    """The intent of a citizen's message, the model's confidence in it and the
    message's language (id or en). Any string is accepted: long ones are cut, markup
    and emoji are dropped, and one with no word left is `out_of_scope` with
    confidence 0 in Indonesian."""
    return current_model().guess(text)
