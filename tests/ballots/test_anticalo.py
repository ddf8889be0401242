"""Ballot entries in the anti-calo report: each entry is another NIK, so many entries
proven with one phone or email are many people's chances in one person's hands."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from anticalo.selectors import calo_report
from ballots.models import Ballot
from offices.models import OfficeService
from tests.ballots.conftest import NOW, entered

pytestmark = pytest.mark.django_db


def test_more_entries_than_allowed_on_one_email_are_flagged(
    ballot: Ballot, jakarta_ballot: OfficeService, settings: Any
) -> None:
    settings.GILIRAN_CALO_BALLOT_ENTRIES_PER_CONTACT = 2
    for n in (1, 2):
        entered(ballot, n, jakarta_ballot, email="calo@example.id")
    day = NOW.astimezone(jakarta_ballot.office.zone).date()
    report = calo_report(office=jakarta_ballot.office, first=day, last=day)
    assert report.ballot_contacts == []  # at the threshold: no flag
    entered(ballot, 3, jakarta_ballot, email="calo@example.id")
    entered(ballot, 4, jakarta_ballot)  # another contact: not counted with them
    report = calo_report(office=jakarta_ballot.office, first=day, last=day)
    assert [(flag.key, flag.joins) for flag in report.ballot_contacts] == [("c***@example.id", 3)]
    assert "3" in report.ballot_contacts[0].rule and "2" in report.ballot_contacts[0].rule


def test_the_report_page_shows_ballot_entries_per_contact(
    client: Client, ballot: Ballot, jakarta_ballot: OfficeService, supervisor: Any, settings: Any
) -> None:
    settings.GILIRAN_CALO_BALLOT_ENTRIES_PER_CONTACT = 1
    for n in (1, 2):
        entered(ballot, n, jakarta_ballot, email="calo@example.id")
    client.force_login(supervisor)
    day = NOW.astimezone(jakarta_ballot.office.zone).date().isoformat()
    page = client.get(
        "/staf/anti-calo/", {"kantor": jakarta_ballot.office.code, "dari": day, "sampai": day}
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "Entri undian dengan satu kontak dalam periode ini: 2, lebih dari 1" in text
