"""Every endpoint as every role: allowed or denied exactly as the policy table says
(services/access/policy.py), on a world of cases in two municipalities. Denied means
404, as if the case did not exist, with the attempt journaled in the access log;
allowed means no refusal journaled (the request may still be refused for its content
or the case's state: 422/409, which is not an access decision)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from caseservice.app import create_app
from caseservice.guards import Throttle
from models.principal import Role
from services.access import matrix
from services.access.policy import POLICY, Action, allowed
from services.runtime import Runtime
from tests.factories import identity_number
from tests.fakes.runs import FakeRuns
from tests.service import tokens as u
from tests.service.tokens import TestVerifier
from tests.service.world import RELATIONS_TO_A, RELATIONS_TO_C, World, build

A, B = "{A}", "{B}"
TODAY = "2026-06-01"


def calls(world: World) -> list[tuple[str, str, Action, dict[str, Any] | None]]:
    """(method, path, action, body) for every endpoint; case A unless it says B.
    Break-glass comes last and on B: it would give its opener a relation to the case."""
    new_person = {"person": {"identity_number": identity_number(serial=404),
                             "name": "Ny Person"},
                  "referring_agency": "police", "milieu": "gang"}
    return [
        ("POST", "/cases", Action.CASE_OPEN, new_person),
        ("GET", "/cases", Action.CASE_LIST, None),
        ("GET", f"/cases/{A}", Action.CASE_SHOW, None),
        ("GET", f"/cases/{A}/disclosed", Action.CASE_DISCLOSED, None),
        ("POST", f"/cases/{A}/criteria", Action.CRITERION,
         {"criterion": "motivated", "holds": True}),
        ("POST", f"/cases/{A}/consents", Action.CONSENT,
         {"agency": "arbetsformedlingen", "given": True}),
        ("POST", f"/cases/{A}/needs", Action.NEEDS, {"needs": ["housing"]}),
        ("POST", f"/cases/{A}/plan/interventions", Action.INTERVENTION,
         {"kind": "contact_person", "start": TODAY, "planned_end": "2026-12-31",
          "cost_sek": 1000}),
        ("POST", f"/cases/{A}/plan/approval", Action.PLAN_APPROVE, None),
        ("POST", "/providers", Action.PROVIDER_ADD, {"name": "Matrisen AB"}),
        ("POST", "/providers/vetting", Action.PROVIDER_VET,
         {"name": "Matrisen AB", "on": TODAY, "follow_up_due": "2027-06-01"}),
        ("POST", "/providers/follow-ups", Action.PROVIDER_FOLLOW_UP,
         {"name": "Matrisen AB", "verdict": "satisfactory", "on": TODAY,
          "next_due": "2027-06-01"}),
        ("POST", f"/cases/{A}/grant/statement", Action.STATEMENT, {"supports": True}),
        ("POST", f"/cases/{A}/grant/completion", Action.GRANT_COMPLETE, None),
        ("POST", f"/cases/{A}/relocation", Action.RELOCATION_DECIDE,
         {"destination": "2584", "address": "Hemligvägen 17", "lives_independently": True,
          "needs_deep_support": False}),
        ("POST", f"/cases/{A}/relocation/approval", Action.RELOCATION_APPROVE, None),
        ("GET", f"/cases/{A}/destination", Action.DESTINATION_READ, None),
        ("GET", f"/cases/{A}/belongings/work-order", Action.WORK_ORDER, None),
        ("POST", f"/cases/{A}/belongings/delivered", Action.BELONGINGS_DELIVERED, None),
        ("POST", f"/cases/{A}/transfer", Action.TRANSFER,
         {"accept": True, "cost_payer": "receiving",
          "cost_from": world.transfer_from.isoformat()}),
        ("POST", f"/cases/{A}/establishment", Action.ESTABLISHMENT,
         {"stable_housing": True, "occupation": True, "support_needed": True}),
        ("POST", f"/cases/{A}/transfer/offer", Action.TRANSFER_OFFER,
         {"reason": "established enough"}),
        ("GET", f"/cases/{A}/responsibility", Action.RESPONSIBILITY, None),
        ("POST", f"/cases/{A}/relapse-assessments", Action.ASSESS,
         {"flag_id": 1, "decision": "continue"}),
        ("POST", f"/cases/{A}/indicators", Action.INDICATORS,
         {"months": 6, "stable_housing": True, "occupation": True, "no_new_crime": True}),
        ("POST", f"/cases/{A}/closure", Action.CLOSE, {"outcome": "completed"}),
        ("POST", f"/cases/{A}/reopening", Action.REOPEN, {"reason": "new needs"}),
        ("POST", f"/cases/{A}/assignments", Action.ASSIGN,
         {"staff_id": "handler-sthlm", "organisation": "municipality:0180",
          "role": "social_handler"}),
        ("POST", f"/cases/{A}/relapse-reports", Action.RELAPSE_REPORT,
         {"kind": "lost_contact", "on": TODAY}),
        ("POST", f"/cases/{A}/closure/confirmation", Action.CLOSURE_CONFIRM,
         {"confirm": False}),
        ("GET", f"/cases/{A}/plan/versions", Action.PLAN_HISTORY, None),
        ("POST", f"/cases/{A}/provider-concerns", Action.PROVIDER_CONCERN,
         {"provider_id": 1, "decision": "keep"}),
        ("POST", f"/cases/{A}/meeting", Action.MEETING_RECORD,
         {"held_on": "2026-01-15", "participants": ["social_services", "police"],
          "defector_participated": True, "defector_agreed": True}),
        ("POST", f"/cases/{A}/guardians", Action.GUARDIAN,
         {"role": "mother", "name": "Mor Matris", "consents": True}),
        ("POST", "/providers/permits", Action.PROVIDER_PERMIT,
         {"name": "Matrisen AB", "reference": "IVO-1", "valid_from": "2024-04-01"}),
        ("GET", "/status", Action.STATUS, None),
        ("GET", "/ledger", Action.LEDGER, None),
        ("GET", "/audit/break-glass", Action.BREAK_GLASS_LIST, None),
        ("POST", "/audit/break-glass/1/review", Action.BREAK_GLASS_REVIEW, None),
        ("GET", "/audit/access-log", Action.ACCESS_LOG, None),
        ("GET", "/grants/years/2022", Action.GRANT_YEAR, None),
        ("POST", "/grants/applications", Action.GRANT_RECORD,
         {"reference": "M-1/2022", "year": 2022, "kind": "agency_development",
          "applicant_kind": "agency", "applicant": "Matrisverket", "purpose": "utveckling"}),
        ("POST", "/grants/decisions", Action.GRANT_RECORD,
         {"reference": "M-1/2022", "outcome": "rejected", "rejection_reason": "incomplete",
          "decided_on": "2022-09-01", "decided_by": "noa_delegate"}),
        ("POST", "/grants/uses", Action.GRANT_RECORD,
         {"reference": "M-1/2022", "uses": {"occupation": 1000}}),
        ("POST", "/grants/payouts", Action.GRANT_RECORD,
         {"reference": "P-1/2022", "amount_sek": 1000, "paid_on": "2022-10-01",
          "application": "M-1/2022"}),
        ("GET", "/reports/grants/2022?format=csv&table=fordelning", Action.REPORT_GRANTS, None),
        ("GET", "/reports/followup/municipality?from=2026-01-01&to=2026-12-31",
         Action.FOLLOWUP_MUNICIPALITY, None),
        ("GET", "/reports/followup/national?from=2026-01-01&to=2026-12-31",
         Action.FOLLOWUP_NATIONAL, None),
        ("POST", f"/cases/{A}/person/correction", Action.PERSON_CORRECT,
         {"name": "Anna Rättad", "reason": "stavfel i efternamnet"}),
        ("POST", f"/cases/{A}/subject-access", Action.SUBJECT_ACCESS,
         {"received_on": TODAY}),
        ("POST", f"/cases/{A}/legal-hold", Action.LEGAL_HOLD,
         {"reason": "överklagat till förvaltningsrätten"}),
        ("POST", f"/cases/{A}/legal-hold/lift", Action.LEGAL_HOLD,
         {"reason": "domen har vunnit laga kraft"}),
        ("POST", f"/cases/{B}/break-glass", Action.BREAK_GLASS,
         {"reason": "akut hotsituation, behöver kontakta handläggaren"}),
    ]


@pytest.fixture(scope="module")
def world(module_rt: Runtime) -> World:
    return build(module_rt)


@pytest.fixture(scope="module")
def client(module_app_rt: Runtime, world: World) -> Iterator[TestClient]:
    from datetime import timedelta

    app = create_app(module_app_rt, TestVerifier(), FakeRuns(),
                     throttle=Throttle(limit=10**6, window=timedelta(seconds=1),
                                       clock=module_app_rt.clock))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


class Refusals:
    """The refusals journaled by each request, read once after it: the access log's rows
    newer than the last one seen (its ids only grow; requests here run one at a time)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.last = 0
        self._new_rows()

    def _new_rows(self) -> list[Any]:
        with self.rt.db.engine.connect() as conn:
            rows = list(conn.execute(text(
                "SELECT id, staff_id, action, purpose, outcome FROM access_log "
                "WHERE id > :after ORDER BY id"), {"after": self.last}))
        if rows:
            self.last = rows[-1].id
        return rows

    def of_last_request(self, user: u.User, action: Action) -> int:
        """Refusals of `action` journaled for `user` since the previous call (an intake
        probe, which is journaled as denied with its own purpose, is not a refusal of
        the request)."""
        return sum(1 for row in self._new_rows() if (
            row.outcome, row.staff_id, row.action, row.purpose) == (
            "denied", user.staff_id, action.value, POLICY[action].what))


def test_every_endpoint_as_every_role_is_allowed_or_denied_as_the_policy_says(
        client: TestClient, module_rt: Runtime, world: World) -> None:
    table = calls(world)
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    routes = {(m.upper(), path) for path, ops in paths.items() for m in ops}
    called = {(m, "/api/v1" + p.replace(A, "{case}").replace(B, "{case}")
               .replace("/1/review", "/{opening}/review").replace("/2022", "/{year}")
               .partition("?")[0]) for m, p, _, _ in table}
    assert called == routes, "every endpoint is in the matrix"
    assert {action for _, _, action, _ in table} == set(POLICY), "every action is exercised"
    wrong = []
    refusals = Refusals(module_rt)
    # One token per user (valid an hour), not one signed per request.
    headers = {user: user.headers() for user in {**RELATIONS_TO_A, **RELATIONS_TO_C}}
    # Every call on A; the calls on a case again on C, where Kiruna is only the
    # destination (after A, whose calls would not change C's relations).
    runs = [(m, p.replace(A, world.a).replace(B, world.b), action, body, RELATIONS_TO_A)
            for m, p, action, body in table]
    runs += [(m, p.replace(A, world.c), action, body, RELATIONS_TO_C)
             for m, p, action, body in table if A in p]
    for method, path, action, body, standing in runs:
        url = "/api/v1" + path
        for user, relations in standing.items():
            roles = frozenset(Role(r) for r in user.roles)
            expected = allowed(action, roles, relations if world.b not in path
                               else frozenset())
            response = client.request(method, url, json=body, headers=headers[user])
            was_denied = refusals.of_last_request(user, action)
            # (An auditor's review of an opening that does not exist is a plain 404.)
            missing = response.status_code == 404 and action != Action.BREAK_GLASS_REVIEW
            if expected and (was_denied or missing or response.status_code in (401, 429)):
                wrong.append(f"{user.staff_id} {action} {path}: denied "
                             f"({response.status_code})")
            if not expected and (response.status_code != 404 or was_denied != 1):
                wrong.append(f"{user.staff_id} {action} {path}: {response.status_code}, "
                             f"{was_denied} refusals journaled")
            # The reports over every case are served from what the workers stored, or
            # asked for (202): never a 5xx under the service's role.
            if response.status_code >= 500:
                wrong.append(f"{user.staff_id} {action}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_the_cells_that_matter_most_are_as_the_issue_says() -> None:
    """Independently of the table's layout: operators and auditors never read a case,
    the destination is social services' alone, the grants officer sees no case."""
    nobody_but_social = {Role.POLICE_CONTACT, Role.POLICE_REGIONAL, Role.GRANTS_OFFICER,
                         Role.AGENCY_STAFF, Role.OPERATOR, Role.AUDITOR}
    for role in nobody_but_social:
        for relations in (RELATIONS_TO_A.values()):
            assert not allowed(Action.DESTINATION_READ, frozenset({role}), relations)
    for role in (Role.OPERATOR, Role.AUDITOR, Role.GRANTS_OFFICER):
        for action in (Action.CASE_SHOW, Action.CASE_DISCLOSED, Action.CASE_LIST):
            assert not allowed(action, frozenset({role}), frozenset(POLICY[action].relations
                                                                    or ()))


def test_the_committed_matrix_is_current() -> None:
    assert matrix.DOC.read_text(encoding="utf-8") == matrix.render(), \
        "run `python -m services.access.matrix`"
