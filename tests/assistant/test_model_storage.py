from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from assistant.understanding import classifier


@pytest.fixture
def small_data(tmp_path: Path, examples: list[classifier.Example]) -> Path:
    """Ten examples of each intent in each language: enough to train, quick to train."""
    kept: dict[tuple[str, str], list[classifier.Example]] = {}
    for example in examples:
        kept.setdefault((example.intent, example.language), []).append(example)
    path = tmp_path / "intents.tsv"
    lines = [f"{e.text}\t{e.intent}\t{e.language}" for group in kept.values() for e in group[:10]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_missing_model_is_built_and_then_reused(tmp_path: Path, small_data: Path) -> None:
    path = tmp_path / "var" / "model.joblib"
    built = classifier.load(path=path, data=small_data)
    assert path.exists()
    stamp = path.stat().st_mtime_ns
    loaded = classifier.load(path=path, data=small_data)
    assert path.stat().st_mtime_ns == stamp
    assert loaded.fingerprint == built.fingerprint == classifier.fingerprint(small_data)
    assert loaded.guess("berapa biaya paspor") == built.guess("berapa biaya paspor")
    assert not list(path.parent.glob("*.tmp"))


def test_the_model_is_rebuilt_when_the_data_changes(tmp_path: Path, small_data: Path) -> None:
    path = tmp_path / "model.joblib"
    before = classifier.load(path=path, data=small_data)
    with small_data.open("a", encoding="utf-8") as file:
        file.write("kapan loket tutup hari ini\thours\tid\n")
    after = classifier.load(path=path, data=small_data)
    assert after.fingerprint != before.fingerprint
    assert after.fingerprint == classifier.fingerprint(small_data)
    assert classifier.load(path=path, data=small_data).fingerprint == after.fingerprint


def test_a_model_built_by_another_library_version_is_rebuilt(
    tmp_path: Path, small_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "model.joblib"
    classifier.load(path=path, data=small_data)
    monkeypatch.setattr(classifier.sklearn, "__version__", "0.0.1")
    assert "sklearn=0.0.1" in classifier.load(path=path, data=small_data).fingerprint


def test_an_unreadable_model_file_is_rebuilt(tmp_path: Path, small_data: Path) -> None:
    path = tmp_path / "model.joblib"
    path.write_bytes(b"not a model")
    model = classifier.load(path=path, data=small_data)
    assert model.fingerprint == classifier.fingerprint(small_data)
    assert classifier.load(path=path, data=small_data).fingerprint == model.fingerprint


def test_intent_of_builds_the_model_under_the_var_folder_once(
    tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch, db: None
) -> None:
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(classifier, "_model", None)
    guess = classifier.intent_of("gmn cara batalin booking sy?")
    assert (guess.intent, guess.language) == ("cancel", "id")
    assert (tmp_path / "assistant" / "intent-model.joblib").exists()
    assert classifier.current_model() is classifier.current_model()


def test_assistant_train_rebuilds_and_reports(tmp_path: Path, settings: Any, db: None) -> None:
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("assistant_train", stdout=out)
    text = out.getvalue()
    assert (tmp_path / "assistant" / "intent-model.joblib").exists()
    assert "held out: accuracy 0.9" in text
    assert "macro-F1" in text
    assert "blind set (197 messages): accuracy 0.9" in text


def test_two_builders_at_once_leave_one_whole_model(tmp_path: Path, small_data: Path) -> None:
    path = tmp_path / "model.joblib"
    with ThreadPoolExecutor(max_workers=2) as pool:
        models = list(pool.map(lambda _: classifier.load(path=path, data=small_data), range(2)))
    assert {m.fingerprint for m in models} == {classifier.fingerprint(small_data)}
    assert not list(tmp_path.glob("*.tmp"))
    stamp = path.stat().st_mtime_ns
    classifier.load(path=path, data=small_data)
    assert path.stat().st_mtime_ns == stamp


def test_a_folder_that_cannot_be_written_leaves_the_model_in_memory(
    tmp_path: Path, small_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the model's folder should be")
    model = classifier.load(path=blocker / "model.joblib", data=small_data)
    assert model.guess("berapa biaya paspor").intent in classifier.INTENTS
    assert "assistant model not stored" in caplog.text
