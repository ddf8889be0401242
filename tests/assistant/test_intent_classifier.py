from __future__ import annotations

import numpy as np
import pytest

from assistant.understanding import classifier
from assistant.understanding.evaluation import blind_examples, evaluate

# The issue's goal is 95 % accuracy on the held-out split; docs/assistant.md records
# where the model stands against it (92.7 %: not met). These floors, just under today's
# figures, catch a change that makes it worse.
ACCURACY_FLOOR = 0.92
MACRO_F1_FLOOR = 0.93
LANGUAGE_FLOOR = 0.985
# The blind set has no goal; today 98.5 %. A floor well under it: the set is small
# (197 messages, one error is half a point) and is never edited to fit the model.
BLIND_FLOOR = 0.95


def test_held_out_accuracy_and_macro_f1(
    trained: classifier.Model, examples: list[classifier.Example]
) -> None:
    _training, held_out = classifier.split(examples)
    figures = evaluate(trained, held_out)
    assert figures.accuracy >= ACCURACY_FLOOR
    assert figures.macro_f1 >= MACRO_F1_FLOOR
    assert figures.language_accuracy >= LANGUAGE_FLOOR


def test_blind_set_is_evaluated_and_above_its_floor(trained: classifier.Model) -> None:
    blind = blind_examples()
    figures = evaluate(trained, blind)
    assert figures.examples == len(blind) >= 150
    assert len(figures.guesses) == len(blind)
    assert figures.accuracy >= BLIND_FLOOR
    assert figures.language_accuracy >= LANGUAGE_FLOOR


@pytest.mark.parametrize(
    ("text", "marked"),
    [
        ("bank buka jam berapa", True),
        ("jam besuk rumah sakit", True),
        ("biaya bikin sim", True),
        ("kantor imigrasi buka jam berapa", False),
        ("rumah saya jauh dari kantor", False),  # "rumah" alone is not "rumah sakit"
    ],
)
def test_another_agencys_place_or_service_is_marked(text: str, marked: bool) -> None:
    assert classifier.mark_other_services([text]) == [
        f"{text} {classifier.OTHER_MARK}" if marked else text
    ]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("jam buka kanim hari sabtu", "hours"),
        ("jam buka apotek hari sabtu", "out_of_scope"),
        ("biaya perpanjang paspor berapa", "fees"),
        ("biaya perpanjang stnk berapa", "out_of_scope"),
    ],
)
def test_the_same_question_about_another_agency_is_out_of_scope(
    trained: classifier.Model, text: str, intent: str
) -> None:
    assert trained.guess(text).intent == intent


def test_confidence_is_a_probability_higher_when_right(
    trained: classifier.Model, examples: list[classifier.Example]
) -> None:
    _training, held_out = classifier.split(examples)
    figures = evaluate(trained, held_out)
    assert all(0.0 <= guess.confidence <= 1.0 for guess in figures.guesses)
    assert figures.mean_confidence_right > figures.mean_confidence_wrong + 0.15


@pytest.mark.parametrize(
    ("text", "intent", "language"),
    [
        ("syarat bikin paspor apa aja?", "requirements", "id"),
        ("kantor buka jam berapa?", "hours", "id"),
        ("nomor saya udah dipanggil belum?", "queue_position", "id"),
        ("what are the requirements for a new passport", "requirements", "en"),
        ("I want to cancel my appointment", "cancel", "en"),
        ("sy mau komplain, petugasnya minta uang", "complaint", "id"),
    ],
)
def test_the_issues_own_examples(
    trained: classifier.Model, text: str, intent: str, language: str
) -> None:
    guess = trained.guess(text)
    assert (guess.intent, guess.language) == (intent, language)


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "<p><br></p>", "\x00\x01\x02"])
def test_a_message_with_no_word_is_out_of_scope_with_no_confidence(
    trained: classifier.Model, text: str
) -> None:
    assert trained.guess(text) == classifier.IntentGuess("out_of_scope", 0.0, "id")


def test_huge_and_binary_messages_get_an_ordinary_guess(trained: classifier.Model) -> None:
    for text in ("biaya paspor " * 50_000, bytes(range(256)).decode("latin-1") * 100):
        guess = trained.guess(text)
        assert guess.intent in classifier.INTENTS
        assert 0.0 <= guess.confidence <= 1.0
        assert guess.language in classifier.LANGUAGES


def test_two_trainings_give_identical_probabilities(
    trained: classifier.Model, examples: list[classifier.Example]
) -> None:
    training, held_out = classifier.split(examples)
    again = classifier.train(training)
    texts = [classifier.normaliser.normalise(e.text) for e in held_out]
    assert np.array_equal(trained.intent.predict_proba(texts), again.intent.predict_proba(texts))
    cleaned = [classifier.normaliser.clean(e.text) for e in held_out]
    assert list(trained.language.predict(cleaned)) == list(again.language.predict(cleaned))


@pytest.mark.parametrize(
    "text", ["你好，护照多少钱", "Bonjour, je voudrais un rendez-vous", "مرحبا", "asdf qwer zxcv"]
)
def test_a_language_it_does_not_know_is_out_of_scope(trained: classifier.Model, text: str) -> None:
    assert trained.guess(text).intent == "out_of_scope"
