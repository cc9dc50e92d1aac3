"""Migration 0020: the plan's state is read from `plan_version` alone, so a plan approved
before versions were kept gets its version 1, and a revision a reopening opened then (the
journal's `plan_revision` marker) its draft, which the case waits for as before."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa

from adapters.repositories import cases, journal
from models.journal import Kind
from services import plan_versions, snapshot
from services.runtime import Runtime
from tests.factories import identity_number
from tests.states import COORDINATOR, at_grant

MIGRATION = (Path(__file__).resolve().parents[2]
             / "migrations/versions/0020_plan_versions_backfill.py")


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("backfill", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _backfill(rt: Runtime) -> None:
    module = _migration()
    with rt.uow() as session:
        session.execute(sa.text(module.FIRST_VERSIONS))
        session.execute(sa.text(module.OPEN_REVISIONS))


def test_plans_from_before_versions_get_their_versions_and_a_pending_revision_its_draft(
        rt: Runtime) -> None:
    kept, legacy, reopened = (
        at_grant(rt, person={"identity_number": identity_number(serial=n), "name": "A B"})
        for n in (11, 12, 13))
    versions_of_kept = plan_versions.history(rt, kept.case_id)
    [v1] = plan_versions.history(rt, legacy.case_id)
    with rt.uow() as session:  # as the database was before 0016 kept versions
        session.execute(sa.text("DELETE FROM plan_version WHERE case_id IN (:a, :b)"),
                        {"a": legacy.case_id, "b": reopened.case_id})
        journal.journal(session, cases.get_case(session, reopened.case_id),
                        kind=Kind.PLAN_REVISION, actor=COORDINATOR, at=rt.now(),
                        reason="action plan reopened for revision after reopening the case")
    assert not snapshot.load(rt, legacy.case_id).plan_approved

    _backfill(rt)
    _backfill(rt)  # and again: nothing more

    assert plan_versions.history(rt, kept.case_id) == versions_of_kept
    assert plan_versions.history(rt, legacy.case_id) == [v1]
    assert snapshot.load(rt, legacy.case_id).plan_approved
    assert [(v.version, v.status) for v in plan_versions.history(rt, reopened.case_id)] == [
        (1, "approved"), (2, "draft")]
    assert not snapshot.load(rt, reopened.case_id).plan_approved
