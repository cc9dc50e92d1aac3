"""`utvag demo advance CASE`: answer what a demo case waits for with demo answers, so it
goes through every phase against the simulators (`make run`). One answer per call; run
it again after the flow has moved on. Agencies answer by themselves (simulators)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from adapters import repo
from adapters.db import unit_of_work
from flows.resume import wake_case
from models.action_plan import InterventionKind
from models.enums import Need, NetworkRole, WaitKind
from models.tables import ThreatAssessment
from tasks.action_plan import (
    InterventionIn,
    add_intervention,
    approve_plan,
    register_provider,
    vet_provider,
)
from tasks.belongings import confirm_delivered
from tasks.cases import snapshot
from tasks.grants import complete_application, record_statement
from tasks.hand_over import answer_transfer
from tasks.meeting import record_needs
from tasks.relocation import RelocationIn, approve_relocation, decide_relocation, read_destination
from tasks.waits import record_consent, record_criterion
from utvag_cli.output import out

BY = "demo-coordinator"
DEMO_MOVER = "Demo Flytt AB"  # a vetted provider that moves the belongings (first leg)
DEMO_ADDRESS = "Demovägen 1"
DEMO_DESTINATIONS = ("2584", "1280", "0380")  # Kiruna, Malmö, Uppsala: first not excluded


def answer_next(case_ref: str) -> str:
    """Answer the first open wait a person answers; returns what was done."""
    with unit_of_work() as session:
        case = repo.find_case(session, case_ref)
        zones = session.exec(select(ThreatAssessment.exclusion_zones).where(
            ThreatAssessment.case_id == case.id)).first() or []
    waits = [w for w in snapshot(case.id).open_waits if w.kind != WaitKind.AGENCY_ANSWER]
    if not waits:
        return "nothing to answer (the case waits for an agency, or for nothing)"
    wait, today = waits[0], datetime.now(UTC).date()
    kind = WaitKind(wait.kind)
    # A run suspended on a form (flows.waiting) is resumed with the same answer as input.
    form: dict[str, Any] | None = None
    if kind == WaitKind.COORDINATOR_ANSWER:
        record_criterion(case.id, criterion=wait.subject, holds=True, by=BY, note="demo")
        form = {"criterion": wait.subject, "holds": True}
    elif kind == WaitKind.CONSENT:
        record_consent(case.id, agency=wait.subject, given=True, by=BY, legal_basis="samtycke")
        form = {"agency": wait.subject, "given": True, "legal_basis": "samtycke"}
    elif kind == WaitKind.NEEDS_ASSESSMENT:
        needs, network = [Need.HOUSING, Need.OCCUPATION, Need.DEBTS], [NetworkRole.MENTOR]
        record_needs(case.id, needs=needs, network=network, by=BY)
        form = {"needs": [n.value for n in needs], "network": [n.value for n in network]}
    elif kind == WaitKind.ACTION_PLAN:
        register_provider(DEMO_MOVER)
        vet_provider(DEMO_MOVER, by="demo-unit-head", on=today,
                     next_follow_up_due=today + timedelta(days=365))
        for item, cost, provider in ((InterventionKind.CONTACT_PERSON, 0, None),
                                     (InterventionKind.DEBT_RESTRUCTURING, 12_500, None),
                                     (InterventionKind.MOVING_BELONGINGS, 15_000, DEMO_MOVER)):
            add_intervention(case.id, InterventionIn(kind=item, start=today,
                                                     planned_end=today + timedelta(days=365),
                                                     cost_sek=cost, provider=provider), by=BY)
        approve_plan(case.id, by=BY)
        form = {"approve": True}
    elif kind == WaitKind.GRANT_STATEMENT:
        record_statement(case.id, supports=True, by="demo-police-coordinator")
        form = {"supports": True}
    elif kind == WaitKind.GRANT_COMPLETION:
        complete_application(case.id, by=BY)
        form = {"completed": True}
    elif kind == WaitKind.RELOCATION:
        destination = next(d for d in DEMO_DESTINATIONS if d not in zones)
        decide_relocation(case.id, RelocationIn(destination=destination, address=DEMO_ADDRESS,
                                                lives_independently=True,
                                                needs_deep_support=False), by=BY)
    elif kind == WaitKind.RELOCATION_APPROVAL:
        approve_relocation(case.id, by=BY)
    elif kind == WaitKind.BELONGINGS:
        receiving, _ = read_destination(case.id, viewer_agency="social_services",
                                        viewer_municipality=case.placing_municipality, by=BY)
        confirm_delivered(case.id, viewer_municipality=receiving, by=BY)
    elif kind == WaitKind.TRANSFER:
        receiving, _ = read_destination(case.id, viewer_agency="social_services",
                                        viewer_municipality=case.placing_municipality, by=BY)
        answer_transfer(case.id, accept=True, cost_payer="receiving",
                        cost_from=today + timedelta(days=30), viewer_municipality=receiving,
                        by=BY)
    else:
        return f"{kind.value}: no demo answer"
    woken = wake_case(case.id, run_input=None if form is None else {**form, "recorded_by": BY})
    return f"answered {kind.value}; flow {woken}"


def cmd_advance(args: argparse.Namespace) -> int:
    out(f"{args.case}: {answer_next(args.case)}")
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser("demo", help="demo helpers")
    commands = demo.add_subparsers(dest="demo_command", required=True)
    p = commands.add_parser("advance", help="answer what the case waits for (demo answers)")
    p.add_argument("case")
    p.set_defaults(handler=cmd_advance)


