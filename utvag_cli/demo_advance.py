"""`utvag demo advance CASE`: answer what a demo case waits for with demo answers, so it
goes through every phase against the simulators (`make run`). One answer per call; run
it again after the flow has moved on. Agencies answer by themselves (simulators).

The answers are recorded exactly as a person's are: `services.answers.record`, through
the one table from wait kind to answer. This module only knows what the demo says for
each kind (`DEMO`), and what it has to prepare first (a vetted mover and a plan).

It answers for people (consents, criteria, a move), so it works only on a database that
`utvag run` set up as a demo (`services.installation`): anywhere else it refuses and
writes nothing.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from models.action_plan import InterventionKind
from models.enums import Need, NetworkRole, WaitKind
from services import action_plan, answers, installation, relocation, views
from services.answers import AnswerError, Recorded
from services.runtime import Runtime
from utvag_cli.answering import cli_of
from utvag_cli.context import Runs
from utvag_cli.output import err, out

BY = "demo-coordinator"
DEMO_MOVER = "Demo Flytt AB"  # a vetted provider that moves the belongings (first leg)
DEMO_ADDRESS = "Demovägen 1"
# Göteborg (whose demo users then answer the transfer: README), Kiruna, Malmö, Uppsala:
# the first that is not an exclusion zone of the threat assessment.
DEMO_DESTINATIONS = ("1480", "2584", "1280", "0380")


@dataclass(frozen=True)
class Demo:
    """What a demo answer may depend on: the runtime, the case and the wait's subject."""

    rt: Runtime
    case: views.WaitingView
    subject: str

    @property
    def today(self) -> date:
        return self.rt.now().date()

    def receiving(self) -> str:
        """The destination, read as the placing social services may (journaled)."""
        destination, _ = relocation.read_destination(
            self.rt, self.case.case_id, viewer_agency="social_services",
            viewer_municipality=self.case.placing_municipality, by=BY)
        return destination


def _plan(demo: Demo) -> Iterator[dict[str, Any]]:
    """A plan with a vetted mover, then its approval."""
    rt, today = demo.rt, demo.today
    action_plan.register_provider(rt, DEMO_MOVER)
    action_plan.vet_provider(rt, DEMO_MOVER, by="demo-unit-head", on=today,
                             next_follow_up_due=today + timedelta(days=365))
    for kind, cost, provider in ((InterventionKind.CONTACT_PERSON, 0, None),
                                 (InterventionKind.DEBT_RESTRUCTURING, 12_500, None),
                                 (InterventionKind.MOVING_BELONGINGS, 15_000, DEMO_MOVER)):
        action_plan.add_intervention(rt, demo.case.case_id, action_plan.InterventionIn(
            kind=kind, start=today, planned_end=today + timedelta(days=365), cost_sek=cost,
            provider=provider), by=BY)
    yield {}


def _relocation(demo: Demo) -> Iterator[dict[str, Any]]:
    """One candidate per demo destination: the service refuses an exclusion zone (and
    writes nothing), so the demo never needs to read the threat assessment."""
    for destination in DEMO_DESTINATIONS:
        yield {"destination": destination, "address": DEMO_ADDRESS,
               "lives_independently": True, "needs_deep_support": False}


# The demo's answer per kind of wait, keyed by the table of `services.answers`: each
# gives the candidate answers in order (the first one accepted is recorded).
DEMO: Mapping[WaitKind, Callable[[Demo], Iterator[dict[str, Any]]]] = {
    WaitKind.COORDINATOR_ANSWER: lambda d: iter([{"criterion": d.subject, "holds": True,
                                                  "note": "demo"}]),
    WaitKind.CONSENT: lambda d: iter([{"agency": d.subject, "given": True,
                                       "legal_basis": "samtycke"}]),
    WaitKind.NEEDS_ASSESSMENT: lambda d: iter([{
        "needs": [Need.HOUSING, Need.OCCUPATION, Need.DEBTS], "network": [NetworkRole.MENTOR]}]),
    WaitKind.ACTION_PLAN: _plan,
    WaitKind.GRANT_STATEMENT: lambda d: iter([{"supports": True}]),
    WaitKind.GRANT_COMPLETION: lambda d: iter([{}]),
    WaitKind.RELOCATION: _relocation,
    WaitKind.RELOCATION_APPROVAL: lambda d: iter([{}]),
    # The placing social services may confirm the delivery as well as the receiving.
    WaitKind.BELONGINGS: lambda d: iter([{"municipality": d.case.placing_municipality}]),
    WaitKind.TRANSFER: lambda d: iter([{"accept": True, "cost_payer": "receiving",
                                        "cost_from": d.today + timedelta(days=30),
                                        "municipality": d.receiving()}]),
    WaitKind.ESTABLISHMENT: lambda d: iter([{"stable_housing": True, "occupation": True,
                                             "support_needed": True}]),
    WaitKind.TRANSFER_OFFER: lambda d: iter([{"reason": "demo: offered again"}]),
}


def _record(demo: Demo, kind: WaitKind) -> Recorded:
    refused: AnswerError | None = None
    for candidate in DEMO[kind](demo):
        try:
            return answers.record(demo.rt, demo.case.case_id, kind, candidate, by=BY)
        except AnswerError as exc:
            refused = exc
    raise refused or AnswerError("answer", "no demo answer")


def answer_next(rt: Runtime, case_ref: str, *, runs: Runs) -> str:
    """Answer the first open wait a person answers, wake the case; says what was done.
    Raises `installation.NotADemo` (nothing written) unless the database is a demo."""
    if not installation.is_demo(rt):
        raise installation.NotADemo(
            "this database is not a demo (set up by `utvag run`): `utvag demo advance` "
            "answers for people and works only there")
    case = views.waiting(rt, case_ref)
    person_waits = [w for w in case.waits if WaitKind(w.kind) in answers.ANSWERS]
    if not person_waits:
        return "nothing to answer (the case waits for an agency, or for nothing)"
    wait = person_waits[0]
    kind = WaitKind(wait.kind)
    if kind not in DEMO:
        return f"{kind.value}: no demo answer"
    recorded = _record(Demo(rt, case, wait.subject), kind)
    return f"answered {kind.value}; flow {runs.wake(rt, recorded.case_id)}"


def cmd_advance(args: argparse.Namespace) -> int:
    cli = cli_of(args)
    try:
        done = answer_next(cli.rt, args.case, runs=cli.runs)
    except installation.NotADemo as exc:
        err(f"error: {exc}")
        return 2
    out(f"{args.case}: {done}")
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser("demo", help="demo helpers")
    commands = demo.add_subparsers(dest="demo_command", required=True)
    p = commands.add_parser("advance", help="answer what the case waits for (demo answers)")
    p.add_argument("case")
    p.set_defaults(handler=cmd_advance)
