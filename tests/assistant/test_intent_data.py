from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from assistant.understanding import classifier
from assistant.understanding.evaluation import blind_examples
from assistant.understanding.normalise import normalise


def test_there_are_enough_examples_for_every_intent(examples: list[classifier.Example]) -> None:
    counts = Counter(example.intent for example in examples)
    assert len(examples) >= 1200
    assert set(counts) == set(classifier.INTENTS)
    assert min(counts.values()) >= 50


def test_every_intent_has_examples_in_both_languages(examples: list[classifier.Example]) -> None:
    pairs = {(example.intent, example.language) for example in examples}
    assert pairs == {(i, lang) for i in classifier.INTENTS for lang in classifier.LANGUAGES}


def test_the_intents_are_exactly_the_eighteen_of_the_api() -> None:
    assert len(set(classifier.INTENTS)) == len(classifier.INTENTS) == 18


def test_held_out_split_is_disjoint_from_training_even_after_normalising(
    examples: list[classifier.Example],
) -> None:
    training, held_out = classifier.split(examples)
    assert len(training) + len(held_out) == len(examples)
    assert {normalise(e.text) for e in training}.isdisjoint({normalise(e.text) for e in held_out})
    # About one in five, every intent present on both sides.
    assert 0.15 < len(held_out) / len(examples) < 0.25
    assert {e.intent for e in held_out} == set(classifier.INTENTS)


def test_a_spelling_that_normalises_the_same_falls_on_the_same_side() -> None:
    assert classifier.is_held_out("Gmn syarat paspor?") == classifier.is_held_out(
        "bagaimana syarat paspor"
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("halo\tgreet", "expected text, intent, language"),
        ("halo\twave\tid", "unknown intent 'wave'"),
        ("halo\tgreet\tfr", "unknown language 'fr'"),
        ("😀\tgreet\tid", "nothing left after normalising"),
    ],
)
def test_a_malformed_data_file_names_the_line(tmp_path: Path, line: str, message: str) -> None:
    data = tmp_path / "intents.tsv"
    data.write_text(f"text\tintent\tlanguage\nhai\tgreet\tid\n{line}\n", encoding="utf-8")
    with pytest.raises(classifier.DataError, match=re.escape(f"intents.tsv:3: {message}")):
        classifier.load_examples(data)


def test_a_duplicate_after_normalising_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "intents.tsv"
    data.write_text(
        "gmn syarat paspor\trequirements\tid\nGimana syarat PASPOR?\trequirements\tid\n"
    )
    with pytest.raises(classifier.DataError, match=re.escape("intents.tsv:2: same as line 1")):
        classifier.load_examples(data)


def test_the_blind_set_is_disjoint_from_the_data_and_covers_every_intent(
    examples: list[classifier.Example],
) -> None:
    blind = blind_examples()
    assert 150 <= len(blind) <= 250
    assert {normalise(e.text) for e in blind}.isdisjoint({normalise(e.text) for e in examples})
    assert {e.intent for e in blind} == set(classifier.INTENTS)
    assert {e.language for e in blind} == set(classifier.LANGUAGES)


def test_a_blind_sentence_that_is_also_in_the_data_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "intents.tsv"
    data.write_text("gmn syarat paspor\trequirements\tid\nhalo\tgreet\tid\n")
    blind = tmp_path / "intents_blind.tsv"
    blind.write_text("selamat pagi\tgreet\tid\nGimana syarat PASPOR?\trequirements\tid\n")
    monkeypatch.setattr(classifier, "DATA_FILE", data)
    monkeypatch.setattr(classifier, "BLIND_FILE", blind)
    with pytest.raises(classifier.DataError, match=re.escape("also in intents.tsv")):
        blind_examples()
