"""Rebuild the assistant's intent model from assistant/data/intents.tsv and the review
items staff labelled, and report its figures on the held-out split and on the blind set
(docs/assistant.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from assistant.understanding import classifier
from assistant.understanding.evaluation import blind_examples, evaluate


class Command(BaseCommand):
    help = (
        "Train the assistant's intent and language model from assistant/data/intents.tsv "
        "and the labelled review items (deterministic: the same data and labels give the "
        "same model), store it under GILIRAN_VAR_DIR, and print accuracy and macro-F1 on "
        "the held-out split and on the blind set."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        path = classifier.model_path()
        try:
            examples = classifier.load_examples()
            blind = blind_examples()
            labelled = classifier.labelled_examples()
            model = classifier.build(path=path, extra=labelled)
        except classifier.DataError as error:
            raise CommandError(str(error)) from None
        training = classifier.training_set(extra=labelled)
        from_file, held_out = classifier.split(examples)
        figures = evaluate(model, held_out)
        self.stdout.write(f"model: {path}")
        self.stdout.write(
            f"examples: {len(examples)} ({len(training)} trained on, {len(held_out)} held out)"
        )
        self.stdout.write(f"labelled in review: {len(training) - len(from_file)} trained on")
        self.stdout.write(
            f"held out: accuracy {figures.accuracy:.3f}, macro-F1 {figures.macro_f1:.3f}, "
            f"language {figures.language_accuracy:.3f}"
        )
        on_blind = evaluate(model, blind)
        self.stdout.write(
            f"blind set ({len(blind)} messages): accuracy {on_blind.accuracy:.3f}, "
            f"macro-F1 {on_blind.macro_f1:.3f}"
        )
        for true, guessed, count in figures.confusions[:5]:
            self.stdout.write(f"  confused {true} -> {guessed}: {count}")
