from __future__ import annotations

import pytest

from assistant.understanding import classifier


@pytest.fixture(scope="session")
def examples() -> list[classifier.Example]:
    return classifier.load_examples()


@pytest.fixture(scope="session")
def trained(examples: list[classifier.Example]) -> classifier.Model:
    """One model for the session, trained in memory on the training split (a few
    seconds); the tests of storage and rebuilding train their own."""
    training, _held_out = classifier.split(examples)
    return classifier.train(training)
