"""Celery edge of the identity proof: the lookup and the code are done here, after the
request has answered, so answering takes the same time for known and unknown details."""

from __future__ import annotations

import json

from celery import shared_task

from core import personal_data
from privacy.services.proof import Contact, identity_proof_send


@shared_task(name="privacy.tasks.identity_proof_send", ignore_result=True)
def identity_proof_send_task(*, nik_hash: str, contact: str, language: str, proof_key: str) -> None:
    """`contact` is encrypted (core.personal_data): the broker holds no address, no NIK."""
    channel, address = json.loads(personal_data.decrypt(contact))
    identity_proof_send(
        nik_hash=nik_hash,
        contact=Contact(str(channel), str(address)),
        language=language,
        proof_key=proof_key,
    )
