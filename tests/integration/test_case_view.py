"""`services.views.case_view`: the read of personal data is journaled before anything
is read, in its own committed transaction, so a read that fails or stops half-way has
been journaled all the same; the view never holds the destination."""

from __future__ import annotations

import uuid

import pytest

from adapters.repositories import journal
from models.crypto import Cipher, DecryptionError, generate_master_key
from models.enums import WaitKind
from services import answers
from services.runtime import Runtime
from services.views import case_view
from tests.factories import TOLVAN_NAME, open_case, threat_assessed
from tests.fakes.agencies import FakeAgencies


def _reads(rt: Runtime, case_id: uuid.UUID) -> list[tuple[str, str]]:
    with rt.uow() as session:
        return [(e.actor, e.reason) for e in journal.entries(session, case_id)
                if e.kind == "read"]


def test_a_read_that_fails_half_way_has_been_journaled(rt: Runtime) -> None:
    opened = open_case(rt)
    wrong_key = Runtime(settings=rt.settings, db=rt.db, clock=rt.clock,
                        cipher=Cipher(generate_master_key()))
    with pytest.raises(DecryptionError):
        case_view(wrong_key, opened.case_number, viewer="eve", purpose="looked at")
    assert _reads(rt, opened.case_id) == [("eve", "looked at")]


def test_the_view_holds_the_person_but_never_the_destination(
        rt: Runtime, agencies: FakeAgencies) -> None:
    opened = threat_assessed(rt, agencies)
    answers.record(rt, opened.case_id, WaitKind.RELOCATION,
                   {"destination": "2584", "address": "Hemligvägen 17",
                    "lives_independently": True, "needs_deep_support": False}, by="eva")
    view = case_view(rt, opened.case_id, viewer="anna")
    assert view.person.name == TOLVAN_NAME
    assert view.relocation is not None and view.relocation.housing_form == "own_flat"
    dumped = view.model_dump_json(exclude={"case_id"})  # a uuid may hold any 4 digits
    assert "2584" not in dumped and "Hemlig" not in dumped
    assert _reads(rt, opened.case_id) == [("anna", "case shown with personal data")]
