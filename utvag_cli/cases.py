"""`utvag case ...`: open, show, decide, consent."""

from __future__ import annotations

import argparse
import getpass
import json
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

from adapters import repo
from adapters.db import unit_of_work
from adapters.vault import get_cipher
from flows.resume import start_case_run, wake_case
from models.enums import Agency, Criterion
from models.journal import Kind
from models.referral import ReferralError
from models.tables import Consent, EligibilityAnswer, Person, ThreatAssessment
from tasks.cases import now
from tasks.intake import open_case
from tasks.waits import record_consent, record_criterion
from utvag_cli.during_show import show_during
from utvag_cli.output import err, out
from utvag_cli.usage import UsageError, yes_no


def cmd_open(args: argparse.Namespace) -> int:
    path = Path(args.referral)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UsageError(f"referral: cannot read {path}: {exc.__class__.__name__}") from None
    try:
        opened = open_case(raw, now=datetime.now(UTC))
    except ReferralError as exc:
        err("referral rejected, nothing was written:")
        for line in exc.errors:
            err(f"  {line}")
        return 2
    if not opened.created:
        out(f"{opened.case_number}: this person already has an open case; no new case opened")
        return 0
    out(f"{opened.case_number}: case opened")
    if not args.no_flow:
        try:
            start_case_run(opened.case_id)
            out(f"{opened.case_number}: new-case flow started")
        except Exception as exc:  # noqa: BLE001 - the case stands even if Prefect is down
            err(f"{opened.case_number}: flow not started ({exc.__class__.__name__}); "
                "start it with `utvag case run`")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """The one place personal data is shown: to a local user, and the read is journaled."""
    viewer = getpass.getuser()
    cipher = get_cipher()
    with unit_of_work() as session:
        case = repo.find_case(session, args.case)
        person = session.exec(select(Person).where(Person.id == case.person_id)).one()
        out(f"{case.case_number}  {case.phase} / {case.status}"
            + (f"  outcome: {case.outcome}" if case.outcome else "")
            + (f"  blocked: {case.blocked_reason}" if case.blocked_reason else ""))
        out(f"  person:       {cipher.decrypt(person.name_enc)}, "
            f"{cipher.decrypt(person.identity_enc)} ({person.protection_level})")
        out(f"  municipality: {case.placing_municipality}   milieu: {case.milieu}   "
            f"custody: {case.custody_status}   referred by: {case.referring_agency}")
        out(f"  opened:       {case.opened_at:%Y-%m-%d %H:%M}"
            + (f"   closed: {case.closed_at:%Y-%m-%d %H:%M}" if case.closed_at else ""))
        answers = session.exec(select(EligibilityAnswer).where(
            EligibilityAnswer.case_id == case.id)).all()
        for a in sorted(answers, key=lambda a: list(Criterion).index(Criterion(a.criterion))):
            mark = {True: "yes", False: "NO", None: "?"}[a.holds]
            out(f"  criterion {a.criterion:<24} {mark:<4} {a.recorded_by}  {a.evidence_note}")
        for c in session.exec(select(Consent).where(Consent.case_id == case.id)):
            out(f"  consent   {c.agency:<24} {c.state:<9} {c.at:%Y-%m-%d} {c.legal_basis}")
        threat = session.exec(select(ThreatAssessment).where(
            ThreatAssessment.case_id == case.id)).first()
        if threat:
            out(f"  threat:       {threat.level}, relocation required: "
                f"{threat.relocation_required}, exclusion zones: "
                f"{', '.join(threat.exclusion_zones)}, valid until {threat.valid_until}")
        show_during(session, case.id)
        out("  timeline:")
        phase = None
        for e in repo.journal_entries(session, case.id):
            if e.phase != phase:
                phase = e.phase
                out(f"   -- {phase} phase --")
            out(f"    {e.at:%Y-%m-%d %H:%M:%S}  {e.phase:<7} {e.status:<9} {e.kind:<19} "
                f"{e.reason}  ({e.actor})")
        disclosures = repo.register_disclosures(session, case.id)
        if disclosures:
            out("  disclosures to the police registers (register sweeps):")
        for d in disclosures:
            out(f"    {d.at:%Y-%m-%d %H:%M:%S}  {d.register_name:<17} "
                f"{', '.join(d.fields)} to {d.agency}: {d.reason}  ({d.actor}, run "
                f"{d.sweep_run})")
        repo.journal(session, case, kind=Kind.NOTE, actor=viewer, at=now(),
                     reason="case shown with personal data (utvag case show)")
    return 0



def cmd_decide(args: argparse.Namespace) -> int:
    try:
        criterion = Criterion(args.criterion)
    except ValueError:
        raise UsageError(f"criterion: one of {', '.join(c.value for c in Criterion)}") from None
    holds = yes_no(args.holds, "holds")
    case = record_criterion(args.case, criterion=criterion.value, holds=holds, by=args.by,
                            note=args.note or "")
    woken = wake_case(case.id, run_input={"criterion": criterion.value, "holds": holds,
                                          "recorded_by": args.by})
    verdict = "holds" if holds else "does not hold"
    out(f"{case.case_number}: {criterion.value} recorded ({verdict}); flow {woken}")
    return 0


def cmd_consent(args: argparse.Namespace) -> int:
    try:
        agency = Agency(args.agency)
    except ValueError:
        raise UsageError(f"agency: one of {', '.join(a.value for a in Agency)}") from None
    given = not args.withdraw
    case = record_consent(args.case, agency=agency.value, given=given, by=args.by,
                          legal_basis=args.basis)
    woken = wake_case(case.id, run_input={"agency": agency.value, "given": given,
                                          "legal_basis": args.basis, "recorded_by": args.by})
    out(f"{case.case_number}: consent {'given' if given else 'withdrawn'} for {agency.value}; "
        f"flow {woken}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    with unit_of_work() as session:
        case = repo.find_case(session, args.case)
    out(f"{case.case_number}: flow run {start_case_run(case.id)}")
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    case = sub.add_parser("case", help="open, show and decide cases")
    commands = case.add_subparsers(dest="case_command", required=True)
    p = commands.add_parser("open", help="open a case from a referral JSON file")
    p.add_argument("referral")
    p.add_argument("--no-flow", action="store_true", help="do not start the new-case flow")
    p.set_defaults(handler=cmd_open)
    p = commands.add_parser("show", help="the case and its journal as a timeline")
    p.add_argument("case")
    p.set_defaults(handler=cmd_show)
    p = commands.add_parser("decide", help="answer an eligibility criterion")
    p.add_argument("case")
    p.add_argument("--criterion", required=True)
    p.add_argument("--holds", required=True, help="yes or no")
    p.add_argument("--by", required=True, help="your staff id")
    p.add_argument("--note", help="evidence note (stays in Utväg's database)")
    p.set_defaults(handler=cmd_decide)
    p = commands.add_parser("consent", help="record consent for an agency")
    p.add_argument("case")
    p.add_argument("--agency", required=True)
    p.add_argument("--withdraw", action="store_true")
    p.add_argument("--basis", default="samtycke", help="legal basis")
    p.add_argument("--by", required=True, help="your staff id")
    p.set_defaults(handler=cmd_consent)
    p = commands.add_parser("run", help="start a new-case flow run for a case")
    p.add_argument("case")
    p.set_defaults(handler=cmd_run)
    from utvag_cli.sweep import add_assess

    add_assess(commands)
