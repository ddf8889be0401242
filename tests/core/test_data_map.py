"""The data map: every field that looks personal, in every model of the project and in
the staff accounts, sessions and sign-in records, carries a tag (or a reason why it is
not personal); no tag names a field that does not exist; docs/data-map.md is current."""

from __future__ import annotations

import dataclasses
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from booking.models import Booking
from core import data_map


def test_every_personal_looking_field_has_a_tag_or_a_reason() -> None:
    assert data_map.untagged_fields() == []


def test_no_tag_names_a_missing_field() -> None:
    assert data_map.unknown_tags() == []


def test_checked_models_cover_every_project_app_and_staff_accounts() -> None:
    labels = {model._meta.label for model in data_map.checked_models()}
    assert {
        "booking.Booking",
        "queueing.Ticket",
        "notifications.Message",
        "core.IdempotentRequest",
        "scheduling.PlanChange",
        "auth.User",
        "axes.AccessLog",
    } <= labels


def test_checked_models_cover_the_audit_log_and_every_staff_second_factor() -> None:
    labels = {model._meta.label for model in data_map.checked_models()}
    assert {
        "auditlog.LogEntry",
        "otp_totp.TOTPDevice",
        "otp_static.StaticDevice",
        "otp_static.StaticToken",
        "django_otp_webauthn.WebAuthnCredential",
        "django_otp_webauthn.WebAuthnAttestation",
        "django_otp_webauthn.WebAuthnUserHandle",
    } <= labels


def test_an_untagged_model_of_a_checked_library_app_fails_the_map(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What a library upgrade adding a model looks like: the app's models are walked
    # whole, so a model nobody tagged is reported.
    monkeypatch.delitem(data_map._REGISTRY, "django_otp_webauthn.WebAuthnUserHandle")
    assert data_map.untagged_fields() == [
        "django_otp_webauthn.WebAuthnUserHandle.handle_hex",
        "django_otp_webauthn.WebAuthnUserHandle.user",
    ]


def test_audit_entries_and_second_factor_secrets_are_tagged() -> None:
    from auditlog.models import LogEntry
    from django_otp.plugins.otp_static.models import StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    audit = data_map.personal_fields(LogEntry)
    assert {
        "changes",
        "changes_text",
        "object_repr",
        "actor",
        "actor_email",
        "remote_addr",
        "remote_port",
        "cid",
    } <= set(audit)
    assert audit["changes"].retention.setting == "GILIRAN_RETENTION_AUDIT_DAYS"
    assert audit["changes"].at_end == data_map.AtEnd.ROW_DELETED
    secret = data_map.personal_fields(TOTPDevice)["key"]
    assert secret.retention is data_map.STAFF_RECORDS
    assert secret.at_end == data_map.AtEnd.MANUAL
    assert data_map.personal_fields(StaticToken)["token"].at_end == data_map.AtEnd.MANUAL


def test_a_field_losing_its_tag_fails_the_map(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = data_map._REGISTRY["booking.Booking"]
    fields = {name: tag for name, tag in entry.fields.items() if name != "phone"}
    monkeypatch.setitem(
        data_map._REGISTRY, "booking.Booking", dataclasses.replace(entry, fields=fields)
    )
    assert data_map.untagged_fields() == ["booking.Booking.phone"]


def test_a_new_model_field_that_looks_personal_fails_the_map(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db import models

    extra = models.CharField(max_length=20, blank=True)
    extra.set_attributes_from_name("mother_name")
    extra.model = Booking
    concrete = [*Booking._meta.concrete_fields, extra]
    monkeypatch.setattr(Booking._meta, "concrete_fields", concrete)
    assert data_map.untagged_fields() == ["booking.Booking.mother_name"]


def test_a_tag_for_a_missing_field_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = data_map._REGISTRY["booking.Booking"]
    tag = entry.fields["full_name"]
    monkeypatch.setitem(
        data_map._REGISTRY,
        "booking.Booking",
        dataclasses.replace(entry, fields={**entry.fields, "nama_ibu": tag}),
    )
    assert data_map.unknown_tags() == ["booking.Booking.nama_ibu"]


def test_tagging_a_field_twice_differently_is_refused() -> None:
    tag = data_map.personal_fields(Booking)["full_name"]
    with pytest.raises(ValueError, match="tagged twice"):
        data_map.personal_data(
            Booking, fields={"full_name": dataclasses.replace(tag, purpose="something else")}
        )


def test_citizen_identity_and_contact_are_tagged_with_purpose_basis_and_retention() -> None:
    tags = data_map.personal_fields(Booking)
    assert tags["nik_hash"].category == data_map.Category.IDENTITY
    assert tags["phone"].category == data_map.Category.CONTACT
    assert tags["priority_group"].category == data_map.Category.SPECIFIC
    assert tags["full_name"].basis == data_map.LegalBasis.PUBLIC_TASK
    assert tags["full_name"].retention is data_map.VISITS


def test_every_retention_setting_exists_with_its_documented_default() -> None:
    for policy in data_map.policies():
        if policy.setting:
            assert getattr(settings, policy.setting) == policy.default_days, policy.setting
    deployment = (Path(settings.BASE_DIR) / "docs" / "deployment.md").read_text()
    for policy in data_map.policies():
        if policy.setting:
            assert policy.setting in deployment


def test_committed_data_map_document_is_up_to_date() -> None:
    out = StringIO()
    call_command("data_map", "--markdown", stdout=out)
    committed = (Path(settings.BASE_DIR) / "docs" / "data-map.md").read_text()
    assert out.getvalue() == committed, (
        "docs/data-map.md is out of date: python manage.py data_map --markdown > docs/data-map.md"
    )


def test_data_map_command_asks_for_a_format() -> None:
    with pytest.raises(CommandError):
        call_command("data_map")


def test_markdown_lists_every_tagged_field() -> None:
    text = data_map.as_markdown()
    for entry in data_map.entries():
        for name in entry.fields:
            assert f"`{name}`" in text


def test_the_indonesian_purpose_of_staff_accounts_says_letting_staff_sign_in() -> None:
    """Review item T: "sign staff in" is letting staff in, not "inserting" them."""
    from django.utils import translation

    with translation.override("id"):
        purpose = translation.gettext("sign staff in and show who did what")
    assert purpose == "mengizinkan petugas masuk dan menunjukkan siapa melakukan apa"
