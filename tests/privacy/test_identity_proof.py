"""Proving who you are before seeing your data: NIK + a code sent to a contact Giliran
holds for that NIK; the same answer whether or not the details are known."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail

from booking.models import Booking, BookingStatus, Slot, Source, VerificationCode
from booking.services.booking import booking_hold, code_send, code_verify
from core.errors import ApplicationError
from notifications.models import Message
from privacy.messages import PrivacyMessageKind
from privacy.services.proof import (
    grant_read,
    grant_token,
    identity_proof_start,
    identity_proof_verify,
)
from tests.booking.conftest import citizen_details
from tests.privacy.conftest import BUDI_NIK, SITI_NIK, code_from_mail

pytestmark = pytest.mark.django_db


def test_the_right_nik_and_contact_get_a_code_that_proves_the_citizen(
    siti_booking: Booking, siti_hash: str, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        proof = identity_proof_start(nik=SITI_NIK, contact="SITI@example.id")
    assert mail.outbox[-1].to == ["siti@example.id"]
    message = Message.objects.get(kind=PrivacyMessageKind.PRIVACY_CODE)
    assert message.context["code"] == "••••••"  # the code is erased once sent
    grant = identity_proof_verify(proof=proof, code=code_from_mail())
    assert grant.nik_hash == siti_hash
    assert grant.contact.address == "siti@example.id"


def test_a_phone_number_in_any_form_reaches_the_booking_made_with_it(
    siti_booking: Booking, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        identity_proof_start(nik=SITI_NIK, contact="+62 812 3456 7890")
    message = Message.objects.get(kind=PrivacyMessageKind.PRIVACY_CODE)
    assert message.recipient == "+6281234567890"


def test_unknown_details_get_the_same_answer_and_no_code(
    siti_booking: Booking, budi_booking: Booking, django_capture_on_commit_callbacks: Any
) -> None:
    sent_before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        known = identity_proof_start(nik=SITI_NIK, contact="siti@example.id")
        # Budi's contact with Siti's NIK, and a NIK nobody booked with.
        crossed = identity_proof_start(nik=SITI_NIK, contact="budi@example.id")
        unknown = identity_proof_start(nik="3171010101010009", contact="siti@example.id")
    assert len(mail.outbox) == sent_before + 1
    assert {len(known), len(crossed), len(unknown)} == {len(known)}
    for proof in (crossed, unknown):
        with pytest.raises(ApplicationError) as refused:
            identity_proof_verify(proof=proof, code=code_from_mail())
        assert refused.value.code == "wrong_code"


def test_a_wrong_code_and_an_unknown_proof_fail_alike_and_attempts_are_limited(
    siti_booking: Booking, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        proof = identity_proof_start(nik=SITI_NIK, contact="siti@example.id")
    code = code_from_mail()
    wrong = "000000" if code != "000000" else "111111"
    messages = set()
    for _attempt in range(5):
        with pytest.raises(ApplicationError) as refused:
            identity_proof_verify(proof=proof, code=wrong)
        messages.add(str(refused.value.message))
    with pytest.raises(ApplicationError) as unknown:
        identity_proof_verify(proof="not-a-proof", code=wrong)
    messages.add(str(unknown.value.message))
    assert len(messages) == 1
    with pytest.raises(ApplicationError):
        identity_proof_verify(proof=proof, code=code)  # locked after 5 attempts


def test_a_code_works_once_and_expires(
    siti_booking: Booking, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        proof = identity_proof_start(nik=SITI_NIK, contact="siti@example.id")
    code = code_from_mail()
    identity_proof_verify(proof=proof, code=code)
    with pytest.raises(ApplicationError):
        identity_proof_verify(proof=proof, code=code)
    with django_capture_on_commit_callbacks(execute=True):
        later = identity_proof_start(nik=SITI_NIK, contact="siti@example.id")
    clock.shift(timedelta(minutes=11))
    with pytest.raises(ApplicationError) as refused:
        identity_proof_verify(proof=later, code=code_from_mail())
    assert refused.value.code == "code_expired"


def test_a_privacy_code_cannot_confirm_a_hold(
    slot: Slot, django_capture_on_commit_callbacks: Any
) -> None:
    """A citizen's live hold is never the anchor, and its own code stays the valid one."""
    with django_capture_on_commit_callbacks(execute=True):
        hold = booking_hold(slot_id=slot.pk, details=citizen_details(), source=Source.WEB)
        code_send(booking=hold)
    hold_code = code_from_mail()
    with django_capture_on_commit_callbacks(execute=True):
        identity_proof_start(nik=SITI_NIK, contact="siti@example.id")
    assert VerificationCode.objects.filter(booking=hold).count() == 1
    assert code_verify(booking=hold, code=hold_code).status == BookingStatus.CONFIRMED


def test_an_invalid_nik_is_refused_before_anything_is_sent(siti_booking: Booking) -> None:
    with pytest.raises(ApplicationError) as refused:
        identity_proof_start(nik="1234", contact="siti@example.id")
    assert "nik" in refused.value.fields
    with pytest.raises(ApplicationError) as refused:
        identity_proof_start(nik=BUDI_NIK, contact="not a contact")
    assert "contact" in refused.value.fields


def test_the_grant_expires_and_cannot_be_forged(
    siti_booking: Booking, siti_hash: str, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        proof = identity_proof_start(nik=SITI_NIK, contact="siti@example.id")
    token = grant_token(identity_proof_verify(proof=proof, code=code_from_mail()))
    assert grant_read(token) is not None
    assert grant_read(token + "x") is None
    clock.shift(timedelta(minutes=16))
    assert grant_read(token) is None


def test_an_expired_hold_with_a_victims_nik_proves_nothing(
    slot: Slot, django_capture_on_commit_callbacks: Any
) -> None:
    """An attacker holds a place with Siti's NIK and their own contact, lets the hold
    expire, and asks for a code: nothing is sent, the proof fails like a wrong code."""
    with django_capture_on_commit_callbacks(execute=True):
        hold = booking_hold(
            slot_id=slot.pk,
            details=citizen_details(SITI_NIK, phone="0813-9999-0000", email="mallory@example.id"),
            source=Source.WEB,
        )
    Booking.objects.filter(pk=hold.pk).update(status=BookingStatus.EXPIRED, occupies_slot=False)
    sent_before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        proof = identity_proof_start(nik=SITI_NIK, contact="mallory@example.id")
        identity_proof_start(nik=SITI_NIK, contact="0813-9999-0000")
    assert len(mail.outbox) == sent_before
    assert not Message.objects.filter(kind=PrivacyMessageKind.PRIVACY_CODE).exists()
    with pytest.raises(ApplicationError) as refused:
        identity_proof_verify(proof=proof, code="000000")
    assert refused.value.code == "wrong_code"


def test_asking_for_a_code_does_the_same_work_for_known_and_unknown_details(
    siti_booking: Booking,
    django_assert_num_queries: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """No timing oracle: neither path touches the database or queues a message while
    answering; each sends one task on commit, which does the lookup and the sending."""
    answers = []
    for nik in (SITI_NIK, BUDI_NIK):
        with (
            django_capture_on_commit_callbacks(execute=False) as callbacks,
            django_assert_num_queries(0),
        ):
            proof = identity_proof_start(nik=nik, contact="siti@example.id")
        answers.append((proof, callbacks))
    assert [len(callbacks) for _proof, callbacks in answers] == [1, 1]
    assert not Message.objects.filter(kind=PrivacyMessageKind.PRIVACY_CODE).exists()
    with django_capture_on_commit_callbacks(execute=True):  # the message's own dispatch
        for _proof, callbacks in answers:
            callbacks[0]()
    assert Message.objects.filter(kind=PrivacyMessageKind.PRIVACY_CODE).count() == 1
    assert identity_proof_verify(proof=answers[0][0], code=code_from_mail()).contact.address == (
        "siti@example.id"
    )


def test_letters_in_the_code_are_refused_before_an_attempt_is_counted(
    siti_booking: Booking, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        proof = identity_proof_start(nik=SITI_NIK, contact="siti@example.id")
    record = VerificationCode.objects.filter(booking=siti_booking).latest("pk")
    for slip in ["12345a", "abcdef", "12345", "1234567"] * settings.GILIRAN_CODE_ATTEMPTS:
        with pytest.raises(ApplicationError) as refused:
            identity_proof_verify(proof=proof, code=slip)
        assert refused.value.code == "code_format"
    record.refresh_from_db()
    assert record.attempts == 0
    assert identity_proof_verify(proof=proof, code=code_from_mail()).nik_hash
