"""The review loop: staff read the messages the model was unsure of, supervisors label
them (with htmx or a plain form), and the next `assistant_train` trains on the labels,
while the held-out split stays the data file's."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import joblib
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from assistant.models import ReviewItem
from assistant.understanding import classifier
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
# Nothing like it in the data file.
UNSURE = "kalo mau nanya soal itu loh yg kemarin, sama siapa ya"


def _item(text: str = UNSURE, *, minutes: int = 0, label: str = "") -> ReviewItem:
    return ReviewItem.objects.create(
        text=text,
        language="id",
        guessed_intent="out_of_scope",
        confidence=0.31,
        label=label,
        created_at=AT + timedelta(minutes=minutes),
    )


def _url(name: str, *args: object) -> str:
    with translation.override("id"):
        return reverse(name, args=args)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_supervisors_label_with_a_plain_form_and_with_htmx(
    supervisor: Any, counter_clerk: Any
) -> None:
    plain, quick = _item(), _item("apa itu ya, bingung", minutes=1)
    client = _client(supervisor)
    page = client.get(_url("staff:assistant-review")).content.decode()
    assert UNSURE in page and "0,31" in page and 'name="' + str(plain.pk) + '-label"' in page

    response = client.post(
        _url("staff:assistant-review-label", plain.pk), {f"{plain.pk}-label": "human"}
    )
    assert response.status_code == 302
    plain.refresh_from_db()
    assert (plain.label, plain.labelled_by) == ("human", supervisor)
    assert plain.labelled_at is not None

    fragment = client.post(
        _url("staff:assistant-review-label", quick.pk),
        {f"{quick.pk}-label": "requirements"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert fragment.lstrip().startswith(f'<tr id="review-{quick.pk}"')
    assert "Tersimpan." in fragment and 'data-label="requirements"' in fragment
    assert ReviewItem.objects.get(pk=quick.pk).label == "requirements"


def test_unlabelled_messages_come_first(supervisor: Any) -> None:
    done = _item("sudah dilabeli ya", minutes=5, label="greet")
    waiting = _item(minutes=0)
    page = _client(supervisor).get(_url("staff:assistant-review")).content.decode()
    assert page.index(f'id="review-{waiting.pk}"') < page.index(f'id="review-{done.pk}"')


def test_counter_staff_read_but_cannot_label(counter_clerk: Any) -> None:
    item = _item()
    client = _client(counter_clerk)
    page = client.get(_url("staff:assistant-review")).content.decode()
    assert UNSURE in page and f'name="{item.pk}-label"' not in page
    response = client.post(
        _url("staff:assistant-review-label", item.pk), {f"{item.pk}-label": "human"}
    )
    assert response.status_code == 403
    assert ReviewItem.objects.get(pk=item.pk).label == ""


def test_an_unknown_intent_is_refused_and_nothing_changes(supervisor: Any) -> None:
    item = _item()
    response = _client(supervisor).post(
        _url("staff:assistant-review-label", item.pk), {f"{item.pk}-label": "bribe"}
    )
    assert response.status_code == 400 and "Pilih salah satu maksud" in response.content.decode()
    assert ReviewItem.objects.get(pk=item.pk).label == ""


def test_strangers_are_sent_to_sign_in_and_people_without_an_office_refused(
    jakarta_office: Any,
) -> None:
    item = _item()
    response = Client().get(_url("staff:assistant-review"))
    assert response.status_code == 302 and "/staf/masuk/" in response["Location"]
    integrity = StaffFactory(username="jujur", office=jakarta_office, role="integrity")
    assert _client(integrity).get(_url("staff:assistant-review")).status_code == 403
    assert Client().post(_url("staff:assistant-review-label", item.pk)).status_code == 302


def test_labelled_items_are_extra_training_examples_never_held_out(supervisor: Any) -> None:
    before = classifier.fingerprint()
    assert classifier.fingerprint(extra=classifier.labelled_examples()) == before
    _item()  # not labelled: not an example
    _item(UNSURE, minutes=1, label="human")  # the same text again: once
    held_out = next(e for e in classifier.load_examples() if classifier.is_held_out(e.text))
    _item(held_out.text, minutes=2, label=held_out.intent)
    labelled = classifier.labelled_examples()
    assert [e.text for e in labelled] == [UNSURE, held_out.text]

    training = classifier.training_set(extra=labelled)
    assert classifier.Example(UNSURE, "human", "id") in training
    assert held_out not in training  # a held-out sentence never leaks into training
    assert classifier.fingerprint(extra=labelled) != before


def test_assistant_train_trains_on_a_labelled_item_and_stores_a_new_fingerprint(
    supervisor: Any, tmp_path: Path, settings: Any
) -> None:
    settings.VAR_DIR = tmp_path
    _item(label="human")
    out = io.StringIO()
    call_command("assistant_train", stdout=out)
    assert "labelled in review: 1 trained on" in out.getvalue()
    stored = joblib.load(tmp_path / "assistant" / "intent-model.joblib")
    assert stored["fingerprint"] == classifier.fingerprint(extra=classifier.labelled_examples())
    assert stored["fingerprint"] != classifier.fingerprint()
    assert " labels=" in stored["fingerprint"]
