"""Finding: "`--by STAFF_ID` is free text: anyone records the police coordinator's
statement or a consent under any name. `case show` journals the viewer from
`getpass.getuser()` (forged with `LOGNAME=…`), and journals it at the end of the
transaction, so `utvag case show X | head -2` shows the data and records nothing."

Now the actor is the person of the verified token, whatever is typed; the read is
journaled (committed) before a byte of the answer leaves the service."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import select
from starlette.testclient import TestClient

from adapters.repositories import journal
from models.tables import EligibilityAnswer
from services.runtime import Runtime
from tests.attacks.conftest import API, rows
from tests.factories import TOLVAN_NAME, open_case, referral
from tests.service import tokens as u
from tests.service_cli import Utvag, live_service, person_env, token_file

ROOT = Path(__file__).resolve().parents[2]
FORGED = "police-coordinator-li"


def _answers(rt: Runtime) -> list[EligibilityAnswer]:
    with rt.uow() as session:
        return list(session.exec(select(EligibilityAnswer)).all())


def test_by_on_the_command_line_is_refused_and_records_nothing(
        rt: Runtime, utvag: Utvag, capsys: pytest.CaptureFixture[str]) -> None:
    opened = open_case(rt)
    before = _answers(rt)
    for command in (["case", "decide", opened.case_number, "--criterion", "motivated",
                     "--holds", "no"],
                    ["case", "consent", opened.case_number, "--agency", "tax_agency"],
                    ["during", "statement", opened.case_number, "--supports", "yes"]):
        with pytest.raises(SystemExit) as exited:
            utvag(*command, "--by", FORGED)
        assert exited.value.code == 2
        assert "by: you act as the person logged in" in capsys.readouterr().err
    assert _answers(rt) == before and utvag.waker.woken == []


@pytest.mark.parametrize("field", ["by", "recorded_by", "actor", "answered_by"])
def test_an_actor_in_the_request_body_is_refused(
        rt: Runtime, client: TestClient, field: str) -> None:
    opened = open_case(rt)
    before = _answers(rt)
    answer = client.post(f"{API}/cases/{opened.case_number}/criteria",
                         headers=u.COORDINATOR_STHLM.headers(),
                         json={"criterion": "motivated", "holds": False, field: FORGED})
    assert answer.status_code == 422
    assert answer.json() == {"error": {"field": field, "message": "not part of this request"}}
    assert _answers(rt) == before


def test_what_is_recorded_names_the_token_s_person(rt: Runtime, client: TestClient) -> None:
    """A referral that says `recorded_by: <someone else>` is recorded as the person of
    the token; so is the answer to a criterion."""
    opened = client.post(f"{API}/cases", headers=u.COORDINATOR_STHLM.headers(),
                         json=referral(recorded_by=FORGED))
    assert opened.status_code == 201, opened.text
    number = opened.json()["case_number"]
    decided = client.post(f"{API}/cases/{number}/criteria",
                          headers=u.COORDINATOR_STHLM.headers(),
                          json={"criterion": "motivated", "holds": True})
    assert decided.status_code == 200, decided.text
    with rt.uow() as session:
        [case_id] = [r.id for r in rows(rt, 'SELECT id FROM "case"')]
        actors = {e.actor for e in journal.entries(session, case_id)}
    assert FORGED not in actors and u.COORDINATOR_STHLM.staff_id in actors


def test_a_forged_logname_piped_into_head_is_journaled_as_the_login_before_data_leaves(
        rt: Runtime, app: FastAPI, tmp_path: Path) -> None:
    """`LOGNAME=<someone else> utvag case show X | head -2`, a real process in a real
    shell pipeline against the service on loopback: two lines of personal data shown,
    and the read journaled as the person logged in, never the forged name."""
    opened = open_case(rt)
    tokens = token_file(tmp_path / "tokens.json", u.COORDINATOR_STHLM)
    with live_service(app) as url:
        env = person_env(service_url=url, tokens=tokens, home=tmp_path,
                         LOGNAME=FORGED, USER=FORGED)
        shown = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
            ["/bin/sh", "-c", f'"{sys.executable}" -m utvag_cli.main case show '
                              f"{opened.case_number} | head -2"],
            capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert len(lines) == 2 and TOLVAN_NAME in lines[1]
    assert "Traceback" not in shown.stderr
    journaled = rows(rt, "SELECT staff_id, organisation, outcome FROM access_log "
                         "WHERE action = 'case.show'")
    assert [tuple(r) for r in journaled] == [
        (u.COORDINATOR_STHLM.staff_id, "municipality:0180", "allowed")]
    notes = rows(rt, "SELECT actor FROM case_journal WHERE kind = 'read' "
                     "AND reason LIKE 'case shown%'")
    assert [r.actor for r in notes] == [u.COORDINATOR_STHLM.staff_id]
    assert not rows(rt, "SELECT 1 FROM access_log WHERE staff_id = :f", f=FORGED)


def test_the_read_is_committed_before_the_first_byte_of_the_answer(
        rt: Runtime, app: FastAPI) -> None:
    """Over a real socket: when the status line arrives (the body not yet read), the
    access log row and the journal note are already committed, seen from another
    connection."""
    opened = open_case(rt)
    with live_service(app) as url, httpx.Client(base_url=url) as http, http.stream(
            "GET", f"{API}/cases/{opened.case_number}",
            headers=u.COORDINATOR_STHLM.headers()) as response:
        assert response.status_code == 200
        committed = rows(rt, "SELECT staff_id, outcome, fields FROM access_log "
                             "WHERE action = 'case.show'")
        noted = rows(rt, "SELECT actor FROM case_journal WHERE kind = 'read' "
                         "AND reason LIKE 'case shown%'")
        body = response.read()
    assert [(r.staff_id, r.outcome) for r in committed] == [
        (u.COORDINATOR_STHLM.staff_id, "allowed")]
    assert {"name", "identity_number"} <= set(committed[0].fields)
    assert [r.actor for r in noted] == [u.COORDINATOR_STHLM.staff_id]
    assert TOLVAN_NAME.encode() in body
