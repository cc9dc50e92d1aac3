"""Data minimisation by purpose and protection (`models.disclosure`): every agency request
Utväg can send, sent for an unprotected and a protected person through the recording
fakes, carries exactly the fields the agency x purpose table gives: never the name of a
person with protected personal data, where the identity number suffices; and the
journaled disclosure names exactly what was sent."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlmodel import select

from adapters.repositories import requests
from models.disclosure import TABLE, fields_for
from models.during_tables import MeetingInvitation
from models.tables import JournalEntry
from models.waits import AgencySubject
from services import agency
from services.agency_steps import step_for
from services.runtime import Runtime
from tests.factories import identity_number, threat_assessed
from tests.fakes.agencies import INVITED, FakeAgencies

AGENCIES = ("police", "social_services", "tax_agency", *INVITED)
NAME = "Skyddad Person"
# Sent in this order: a completion needs its application first.
# A renewal of the threat assessment is only ever sent numbered (the first is the
# assessment itself): `threat_reassessment_r2` onwards.
SENT_AS = {"threat_reassessment": "threat_reassessment_r2"}
SUBJECTS = sorted((AgencySubject(a, SENT_AS.get(k, k)) for a, k in TABLE
                   if k != "action_plan"),
                  key=lambda s: (s.kind == "grant_completion", s.agency, s.kind))


def _case(rt: Runtime, agencies: FakeAgencies, *, level: str, serial: int) -> uuid.UUID:
    opened = threat_assessed(
        rt, agencies,
        person={"identity_number": identity_number(serial=serial), "name": NAME,
                "protection_level": level},
        consents=[{"agency": a, "legal_basis": "samtycke"} for a in AGENCIES])
    with rt.uow() as session:
        for invitee in INVITED:
            session.add(MeetingInvitation(case_id=opened.case_id, invitee=invitee, units=[],
                                          external=True, routing_version="test"))
    return opened.case_id


def _sent(agencies: FakeAgencies) -> dict[str, Any]:
    """Every request body the fakes received, by idempotency key."""
    calls = [call for _, call in agencies.every_call()] + agencies.police_grants.completions
    return {call.key: call.body for call in calls}


@pytest.mark.parametrize("level", ["none", "sekretessmarkering", "skyddad_folkbokforing"])
def test_every_request_carries_exactly_the_tables_fields_for_the_person(
        rt: Runtime, level: str) -> None:
    agencies = FakeAgencies()
    case_id = _case(rt, agencies, level=level, serial=611)
    for subject in SUBJECTS:
        if subject.kind != "threat_assessment":  # sent by the factory
            assert isinstance(agency.send(rt, agencies, case_id, step_for(subject)),
                              agency.Sent), subject
    sent = _sent(agencies)
    protected = level != "none"
    with rt.uow() as session:
        disclosed = {(e.data["agency"], e.data["kind"]): e.data["fields"]
                     for e in session.exec(select(JournalEntry).where(
                         JournalEntry.case_id == case_id, JournalEntry.kind == "disclosure"))}
    wrong = []
    for subject in SUBJECTS:
        body = sent[requests.idempotency_key(case_id, subject)]
        carried = set(body.subject.model_dump(exclude_none=True))
        expected = set(fields_for(subject, protected=protected))
        if carried != expected:
            wrong.append(f"{subject}: sent {sorted(carried)}, table {sorted(expected)}")
        if set(disclosed[(subject.agency, subject.kind)]) != expected:
            wrong.append(f"{subject}: journaled {disclosed[(subject.agency, subject.kind)]}")
        if protected and NAME in body.model_dump_json():
            wrong.append(f"{subject}: the protected person's name was sent")
    assert not wrong, "\n".join(wrong)


def test_the_table_covers_every_request_and_a_new_one_must_say_what_it_needs() -> None:
    for subject in SUBJECTS:
        step_for(subject)  # every row is a request Utväg can send
        assert "identity_number" in fields_for(subject)
    with pytest.raises(KeyError, match="no fields defined"):
        fields_for(AgencySubject("police", "curiosity"))
