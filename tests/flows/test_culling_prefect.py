"""Culling against a real Prefect server (the session's test harness): a culled case's
flow runs, with their task runs, logs and artifacts, are gone from Prefect; another
case's stay. The runs are the case's real flow body (named `<case number>-after`, as
`flows.resume` names them) and a small run `<case number>-before` that logs and makes
an artifact from a task."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    ArtifactFilterKey,
    FlowRunFilter,
    FlowRunFilterId,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.logging.handlers import APILogHandler
from sqlalchemy import text

from adapters.org_tag import org_tag
from adapters.prefect_history import PrefectCaseHistory
from models.crypto import DecryptionError, is_person_token
from models.enums import Outcome
from models.principal import Principal
from services import culling
from services.access.break_glass import open_glass
from services.closure import close_with_outcome, reopen
from services.intake import OpenedCase
from services.legal_hold import hold
from services.responsibility import municipality_hash
from services.runtime import Runtime
from services.views import case_view
from tests import states
from tests.factories import identity_number
from tests.fakes.agencies import FakeAgencies
from tests.fakes.clock import FakeClock
from tests.flows.conftest import CaseRunner
from tests.service.tokens import COORDINATOR_GBG

ANNA, BO = "Anna Andersson", "Bo Bergström"
QUIET = 365 * 5 + 30  # days: past the five years of retention


def own_year(clock: FakeClock, year: int) -> None:
    """Case numbers no other test has: the Prefect server is the session's (one per
    worker), and every test's first case is number 000001 of the clock's year."""
    clock.set(clock.now().replace(year=year))


@task(name="note-step", persist_result=False)
def _note(case_number: str) -> None:
    get_run_logger().info("%s: a step done", case_number)
    create_markdown_artifact(key=f"{case_number.lower()}-note", markdown="1 step",
                             description=f"{case_number}: what was done")


@flow(name="case-history-under-test", persist_result=False)
def _noted(case_number: str) -> None:
    get_run_logger().info("%s: before", case_number)
    _note(case_number)


def case_runs(run: CaseRunner, case: OpenedCase) -> list[uuid.UUID]:
    """The case's runs on the server: its flow body, and a run that logs from a task
    and makes an artifact; their logs shipped."""
    number = case.case_number
    body: Any = run.flow.with_options(flow_run_name=f"{number}-after")(
        case_id=case.case_id, return_state=True)
    noted: Any = _noted.with_options(flow_run_name=f"{number}-before")(
        number, return_state=True)
    APILogHandler().flush()
    ids: list[uuid.UUID] = [body.state_details.flow_run_id, noted.state_details.flow_run_id]
    return ids


def person(name: str, serial: int) -> dict[str, str]:
    return {"name": name, "identity_number": identity_number(born=date(1990, 3, 5),
                                                              serial=serial)}


def left_in_prefect(client: SyncPrefectClient, ids: list[uuid.UUID]) -> dict[str, int]:
    """What the server still holds of these runs, by kind."""
    runs = FlowRunFilter(id=FlowRunFilterId(any_=ids))
    return {
        "flow runs": len(client.read_flow_runs(flow_run_filter=runs)),
        "task runs": len(client.read_task_runs(flow_run_filter=runs)),
        "logs": len(client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=ids)))),
        "artifacts": len(client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=ids)))),
    }


def eventually(check: Callable[[], bool], *, seconds: float = 20) -> bool:
    """The server deletes a deleted run's logs in a background task of its own: polled
    until done, within a bound (no clock of ours to move there)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def test_culling_deletes_the_case_runs_logs_and_artifacts_from_prefect(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner, clock: FakeClock) -> None:
    own_year(clock, 2041)
    # Anna's case is closed (and will be five years quiet); Bo's is still open.
    anna = states.in_after_phase(rt, agencies, person=person(ANNA, 81))
    bo = states.in_after_phase(rt, agencies, person=person(BO, 82))
    anna_runs, bo_runs = case_runs(run, anna), case_runs(run, bo)
    close_with_outcome(rt, anna.case_id, outcome=Outcome.COMPLETED, by=states.COORDINATOR)
    with get_client(sync_client=True) as client:
        before = left_in_prefect(client, anna_runs)
        assert all(before.values()), before  # the runs left something of every kind
        kept = left_in_prefect(client, bo_runs)
        clock.advance(days=QUIET)
        report = culling.cull(rt, PrefectCaseHistory())
        assert (report.persons, report.cases, report.prefect_runs) == (1, 1, 2)
        gone = {"flow runs": 0, "task runs": 0, "logs": 0, "artifacts": 0}
        assert eventually(lambda: left_in_prefect(client, anna_runs) == gone), \
            left_in_prefect(client, anna_runs)
        # Nothing found under the case number either (the artifacts' keys, run names).
        assert not client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(like_=anna.case_number.lower())))
        assert not [r for r in client.read_flow_runs() if anna.case_number in r.name]
        # Bo's case is untouched.
        assert left_in_prefect(client, bo_runs) == kept
        assert culling.cull(rt, PrefectCaseHistory()).prefect_runs == 0


# What would tell Anna, wherever it lay: her name, her number in its forms, the notes and
# reasons written about her.
EVIDENCE = "Anna visade sms-hoten från Rinkebynätverket"
REOPENED = "Anna Andersson hörde av sig igen efter flytten"
GLASS = "akut: Anna Andersson sökt av polisen i Kiruna"
CILLA = "Cilla Carlsson"


def _tells(number: str) -> list[str]:
    digits = number.replace("-", "")
    return [ANNA, "Andersson", number, digits, digits[2:], EVIDENCE, REOPENED, GLASS]


def _database_rows(rt: Runtime) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of the case database, by table."""
    with rt.db.engine.connect() as conn:
        tables = conn.execute(text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name")).scalars().all()
        return {table: [dict(r._mapping) for r in conn.execute(text(f'SELECT * FROM "{table}"'))]
                for table in tables}


def _texts(value: Any) -> list[str | bytes]:
    """The strings and bytes in a column's value (JSON documents walked)."""
    if isinstance(value, str | bytes | memoryview):
        return [bytes(value) if isinstance(value, memoryview) else value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def _opened(rt: Runtime, value: str | bytes) -> str | None:
    """The value decrypted, when it is a token this process can open."""
    token = value.encode() if isinstance(value, str) else value
    try:
        return rt.cipher.decrypt(token)
    except (DecryptionError, ValueError, TypeError):
        return None


def _prefect_texts(client: SyncPrefectClient) -> list[str]:
    """Every text the Prefect server holds of runs, logs, artifacts and events."""
    found: list[Any] = []
    for flow_run in client.read_flow_runs():
        found += [flow_run.name, *flow_run.tags, str(flow_run.parameters),
                  flow_run.state.message if flow_run.state else ""]
    found += [f"{t.name} {t.state.message if t.state else ''}"
              for t in client.read_task_runs()]
    found += [log.message for log in client.read_logs()]
    found += [f"{a.key} {a.description} {a.data}" for a in client.read_artifacts()]
    return [str(t) for t in found if t] + _events(client)


def _events(client: SyncPrefectClient) -> list[str]:
    """Every event the server keeps (they name runs by id and name, never more)."""
    page = client.read_events(limit=50)
    found = [event.model_dump_json() for event in page.events]
    while page.next_page:
        page = client.read_events_page(str(page.next_page))
        found += [event.model_dump_json() for event in page.events]
    return found


def test_after_culling_nothing_of_the_person_can_be_read_or_found_anywhere(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner, clock: FakeClock,
        caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    own_year(clock, 2042)
    noted = {"holds": True, "evidence_note": EVIDENCE}
    eligibility = {c: dict(noted) for c in ("meets_definition", "motivated",
                                           "consents_to_exchange", "signed_conditions",
                                           "not_witness")}
    anna_person = person(ANNA, 91)
    anna = states.in_after_phase(rt, agencies, person=anna_person, eligibility=eligibility)
    open_glass(rt, Principal.from_claims(COORDINATOR_GBG.claims()), anna.case_id,
               reason=GLASS)
    close_with_outcome(rt, anna.case_id, outcome=Outcome.RELAPSED, by=states.COORDINATOR)
    reopen(rt, anna.case_id, by=states.COORDINATOR, reason=REOPENED)
    anna_runs = case_runs(run, anna)
    close_with_outcome(rt, anna.case_id, outcome=Outcome.COMPLETED, by=states.COORDINATOR)
    # Cilla's case is as old, but under a legal hold: kept, readable.
    cilla = states.in_after_phase(rt, agencies, person=person(CILLA, 92))
    close_with_outcome(rt, cilla.case_id, outcome=Outcome.COMPLETED, by=states.COORDINATOR)
    hold(rt, cilla.case_id, by="jurist-jan", reason="överklagat till förvaltningsrätten")
    with rt.db.engine.connect() as conn:
        anna_id = conn.execute(text('SELECT person_id FROM "case" WHERE id = :c'),
                               {"c": anna.case_id}).scalar_one()
    number = anna_person["identity_number"]
    tells = _tells(number)
    tokens_before = [t for rows in _database_rows(rt).values() for row in rows
                     for value in row.values() for t in _texts(value)
                     if isinstance(t, bytes) and _opened(rt, t) is not None]

    clock.advance(days=QUIET)
    report = culling.cull(rt, PrefectCaseHistory())
    assert (report.persons, report.held, report.prefect_runs) == (1, 1, 2)

    # The case database: nothing of her in clear in any column of any table; nothing of
    # hers opens, not even a copy of a value taken before (a backup); no keyed hash of
    # her number or of where she lives is left on her rows.
    rows = _database_rows(rt)
    values = [(table, row, t) for table, table_rows in rows.items() for row in table_rows
              for value in row.values() for t in _texts(value)]
    clear = [(table, t) for table, _, t in values for tell in tells
             if tell in (t if isinstance(t, str) else t.decode("utf-8", "replace"))]
    assert clear == []
    opened = [(table, plain) for table, _, t in values if (plain := _opened(rt, t))]
    assert [(table, plain) for table, plain in opened
            for tell in tells if tell in plain] == []

    def hers(table: str, row: dict[str, Any]) -> bool:
        return row.get("case_id") == anna.case_id or row.get("person_id") == anna_id or (
            table == "person" and row["id"] == anna_id)

    assert [(table, plain) for table, row, t in values if hers(table, row)
            and (plain := _opened(rt, t))] == []
    [key] = [row for row in rows["person_key"] if row["person_id"] == anna_id]
    assert key["wrapped"] is None and key["destroyed_at"] is not None
    with rt.uow() as session:
        hashes = {rt.cipher.lookup_hash(number.replace("-", "")),
                  municipality_hash(rt.cipher, states.DESTINATION),
                  org_tag(session, f"municipality:{states.DESTINATION}")}
    assert [(table, t) for table, row, t in values if hers(table, row) and t in hashes] == []
    # A copy taken before (a backup): nothing sealed with her key opens any more (the
    # break-glass reason, under the master key, is overwritten in the live database
    # only: docs/data-over-time.md, Backups).
    sealed = [t for t in tokens_before if is_person_token(t)]
    assert not [plain for t in sealed if (plain := _opened(rt, t)) and any(
        tell in plain for tell in tells)]

    # Prefect: her runs are gone; nothing of her in any run, log, artifact or event.
    with get_client(sync_client=True) as client:
        assert eventually(lambda: left_in_prefect(client, anna_runs) == {
            "flow runs": 0, "task runs": 0, "logs": 0, "artifacts": 0})
        texts = _prefect_texts(client)
        assert _events(client), "the server keeps events: they were searched too"
        assert [t for t in texts for tell in tells if tell in t] == []

    # The logs this process wrote, from the first step to the cull.
    logged = [r.getMessage() for r in caplog.records] + [
        str(r.__dict__) for r in caplog.records]
    out = capsys.readouterr()
    assert [t for t in [*logged, out.out, out.err] for tell in tells if tell in t] == []

    # Cilla, held, is whole.
    assert case_view(rt, cilla.case_id, viewer="test").person.name == CILLA
