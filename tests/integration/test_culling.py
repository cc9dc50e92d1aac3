"""Culling by crypto-shredding: five years after a closed case's last entry the person's
data key is destroyed, so nothing of them can be read (a copy taken before, as in a
backup, included) or linked to a returning person; the journal keeps its rows; Prefect's
runs of the case are deleted; a held case and the research exception are kept."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import text

from models.crypto import DecryptionError
from models.enums import Outcome
from services import culling, intake, legal_hold
from services.closure import close_with_outcome
from services.runtime import Runtime
from services.views import case_view
from tests import states
from tests.conftest import make_settings
from tests.factories import identity_number, referral
from tests.fakes.clock import FakeClock
from tests.fakes.history import RecordingHistory
from tests.role_support import as_role

ANNA, BO = "Anna Andersson", "Bo Bergström"


def _rows(rt: Runtime, sql: str, **params: Any) -> list[Any]:
    with rt.db.engine.connect() as conn:
        return list(conn.execute(text(sql), params).all())


def _closed(rt: Runtime, name: str, serial: int, **referral_args: Any) -> Any:
    number = identity_number(born=date(1990, 3, 5), serial=serial)
    case = states.relocated(rt, person={"identity_number": number, "name": name},
                            **referral_args)
    close_with_outcome(rt, case.case_id, outcome=Outcome.COMPLETED, by="anna")
    return case, number


def test_a_person_five_years_quiet_is_culled_and_a_held_one_kept(
        rt: Runtime, clock: FakeClock, database_url: str) -> None:
    anna, anna_number = _closed(rt, ANNA, 61)
    bo, _ = _closed(rt, BO, 62)
    legal_hold.hold(rt, bo.case_id, by="jurist-jan", reason="överklagat till förvaltningsrätten")
    backup = _rows(rt, "SELECT identity_enc, name_enc FROM person WHERE id = "
                       "(SELECT person_id FROM \"case\" WHERE id = :c)", c=anna.case_id)[0]
    history = RecordingHistory()
    clock.advance(days=365 * 4)
    assert culling.cull(rt, history) == culling.CullReport(0, 0, 0, 0, 0)  # not yet
    # Reading the closed case (journaled like every read) adds no entry to the record:
    # its five years still run from the closure.
    case_view(rt, anna.case_id, viewer="anna")
    clock.advance(days=400)
    # As the deployed `cull-expired-cases` runs it: on a worker, as utvag_worker.
    with as_role(rt, database_url, "utvag_worker") as worker:
        report = culling.cull(worker, history)
    assert report == culling.CullReport(persons=1, cases=1, held=1, excepted=0,
                                        prefect_runs=2)
    assert history.deleted == [anna.case_number]
    # The copy taken before (a backup) no longer opens: the person's key is gone.
    for token in backup:
        with pytest.raises(DecryptionError, match="destroyed"):
            rt.cipher.decrypt(bytes(token))
    with pytest.raises(DecryptionError):
        case_view(rt, anna.case_id, viewer="anna")
    # Nothing readable is left on the case's rows; the journal keeps its rows.
    assert _rows(rt, "SELECT destination_enc, address_enc FROM relocation WHERE case_id = :c",
                 c=anna.case_id) == [(b"", b"")]
    assert not _rows(rt, "SELECT 1 FROM case_journal WHERE case_id = :c AND (data ? "
                         "'legal_basis_enc' OR data ? 'reason_enc')", c=anna.case_id)
    culled = _rows(rt, "SELECT actor, reason, data FROM case_journal WHERE case_id = :c "
                       "AND kind = 'culled'", c=anna.case_id)
    assert culled == [("system:gallring", "gallrad: 5 år efter sista anteckningen",
                       {"years": 5})]
    assert _rows(rt, "SELECT count(*) FROM case_journal WHERE case_id = :c",
                 c=anna.case_id)[0][0] > 10
    # A returning Anna is a new person: the look-up no longer links her to the old case.
    again = intake.open_case(rt, referral(person={"identity_number": anna_number,
                                                  "name": ANNA}))
    assert again.created and again.case_number != anna.case_number
    # Bo, held, is whole; a second run culls no one twice.
    assert case_view(rt, bo.case_id, viewer="anna").person.name == BO
    assert culling.cull(rt, history).persons == 0


def test_the_research_exception_keeps_those_born_on_a_kept_day(
        rt: Runtime, clock: FakeClock) -> None:
    _closed(rt, ANNA, 71)  # born on the 5th, placed by Stockholm (0180)
    kept = Runtime(settings=make_settings(rt.db.url, retention_keep_municipalities=["0180"],
                                          retention_keep_birth_days=[5, 15, 25]),
                   db=rt.db, clock=clock, cipher=rt.cipher)
    clock.advance(days=365 * 5 + 30)
    history = RecordingHistory()
    assert culling.cull(kept, history) == culling.CullReport(0, 0, 0, 1, 0)
    assert history.deleted == []
