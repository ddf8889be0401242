"""Figures of a trained model on the held-out split (and on the blind set,
assistant/data/intents_blind.tsv): accuracy, macro-F1, per-intent precision/recall/F1,
the most frequent confusions and how well the confidence tracks accuracy. Used by
`manage.py assistant_train` and bench/assistant_intents.py."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.understanding import classifier
from assistant.understanding.classifier import INTENTS, Example, IntentGuess, Model


@dataclass
class IntentScores:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Evaluation:
    examples: int
    accuracy: float
    macro_f1: float
    language_accuracy: float
    per_intent: dict[str, IntentScores]
    confusions: list[tuple[str, str, int]]  # (true, guessed, count), most frequent first
    # Mean |confidence - correct| over ten equal-width confidence bins, weighted by
    # their size: 0 means the confidence is the chance of being right.
    calibration_error: float
    mean_confidence_right: float
    mean_confidence_wrong: float
    guesses: list[IntentGuess] = field(repr=False, default_factory=list)


def evaluate(model: Model, examples: Sequence[Example]) -> Evaluation:
    guesses = model.guess_many([e.text for e in examples])
    truth = [e.intent for e in examples]
    guessed = [g.intent for g in guesses]
    right = [t == g for t, g in zip(truth, guessed, strict=True)]
    per_intent = {}
    for intent in INTENTS:
        tp = sum(t == intent and g == intent for t, g in zip(truth, guessed, strict=True))
        support = truth.count(intent)
        predicted = guessed.count(intent)
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[intent] = IntentScores(precision, recall, f1, support)
    confusions = Counter((t, g) for t, g in zip(truth, guessed, strict=True) if t != g)
    languages = [g.language == e.language for g, e in zip(guesses, examples, strict=True)]
    confidences = [g.confidence for g in guesses]
    return Evaluation(
        examples=len(examples),
        accuracy=_mean(right),
        macro_f1=_mean([s.f1 for s in per_intent.values() if s.support]),
        language_accuracy=_mean(languages),
        per_intent=per_intent,
        confusions=[(t, g, n) for (t, g), n in confusions.most_common()],
        calibration_error=_calibration_error(confidences, right),
        mean_confidence_right=_mean([c for c, r in zip(confidences, right, strict=True) if r]),
        mean_confidence_wrong=_mean([c for c, r in zip(confidences, right, strict=True) if not r]),
        guesses=guesses,
    )


def blind_examples() -> list[Example]:
    """The blind test set: never trained on, and refused if a sentence of it is also in
    the training data once normalised (it would no longer be blind)."""
    blind = classifier.load_examples(classifier.BLIND_FILE)
    data = classifier.load_examples(classifier.DATA_FILE)
    known = {classifier.normaliser.normalise(e.text) for e in data}
    for example in blind:
        if classifier.normaliser.normalise(example.text) in known:
            raise classifier.DataError(
                f"{classifier.BLIND_FILE.name}: {example.text!r} is also in "
                f"{classifier.DATA_FILE.name}"
            )
    return blind


def _mean(values: Sequence[float | bool]) -> float:
    return sum(values) / len(values) if values else 0.0


def _calibration_error(confidences: Sequence[float], right: Sequence[bool]) -> float:
    bins: dict[int, list[int]] = {}
    for index, confidence in enumerate(confidences):
        bins.setdefault(min(int(confidence * 10), 9), []).append(index)
    total = len(confidences)
    return sum(
        len(members)
        / total
        * abs(_mean([confidences[i] for i in members]) - _mean([right[i] for i in members]))
        for members in bins.values()
    )


def cross_validated_accuracy(examples: Sequence[Example], *, folds: int = 5) -> float:
    """Accuracy of the same training on `folds` shuffled, stratified folds of these
    examples (callers pass the training split): each example is guessed by a model
    that never saw it. A second estimate beside the held-out split's, which was read
    while the data was written (docs/assistant.md)."""
    from sklearn.model_selection import StratifiedKFold

    labels = [e.intent for e in examples]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=classifier.SEED)
    right = 0
    for fit_rows, test_rows in splitter.split(labels, labels):
        model = classifier.train([examples[i] for i in fit_rows])
        guesses = model.guess_many([examples[i].text for i in test_rows])
        right += sum(
            g.intent == examples[i].intent for g, i in zip(guesses, test_rows, strict=True)
        )
    return right / len(examples)
