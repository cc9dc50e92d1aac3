"""`utvag grants year|apply|decide|uses|payout`: the grants officer's calls to the case
service (with their login), for applications that do not come from a case.

    utvag grants year YEAR
    utvag grants apply --reference REF --year Y --kind KIND --applicant-kind AK
                       [--applicant NAME] [--municipality CODE] [--received DATE]
                       [--amount KR] [--purpose TEXT]
    utvag grants decide REF (--granted KR | --rejected REASON) --on DATE --decided-by FN
    utvag grants uses REF --use CATEGORY=KR [--use ...]
    utvag grants payout REF --amount KR --on DATE (--application REF | --case NUMBER)
"""

from __future__ import annotations

import argparse

from utvag_cli.answering import cli_of
from utvag_cli.output import out
from utvag_cli.usage import UsageError


def _recorded(answer: dict[str, object]) -> int:
    out(f"{answer['reference']}: " + ("recorded" if answer["created"] else
                                      "already recorded (nothing changed)"))
    return 0


def cmd_year(args: argparse.Namespace) -> int:
    y = cli_of(args).service.get(f"/grants/years/{args.year}")
    caps = y["caps"]
    cap = f"{caps['total_cap_sek']} kr" if caps else "no appropriation recorded"
    out(f"{y['year']}: {y['granted_total_sek']} kr granted of {cap}; "
        f"{y['paid_sek']} kr paid; {len(y['applications'])} application(s) recorded here, "
        f"{len(y['case_grants'])} from cases, {len(y['completions'])} completion(s) asked for")
    return 0


def cmd_apply(args: argparse.Namespace) -> int:
    body = {"reference": args.reference, "year": args.year, "kind": args.kind,
            "applicant_kind": args.applicant_kind, "applicant": args.applicant,
            "municipality_code": args.municipality, "received_on": args.received,
            "amount_applied_sek": args.amount, "purpose": args.purpose}
    return _recorded(cli_of(args).service.post(
        "/grants/applications", {k: v for k, v in body.items() if v is not None}))


def cmd_decide(args: argparse.Namespace) -> int:
    if (args.granted is None) == (args.rejected is None):
        raise UsageError("granted: give --granted AMOUNT or --rejected REASON")
    body = {"reference": args.reference, "decided_on": args.on,
            "decided_by": args.decided_by,
            "outcome": "granted" if args.granted is not None else "rejected"}
    body |= {"amount_sek": args.granted} if args.granted is not None else \
        {"rejection_reason": args.rejected}
    return _recorded(cli_of(args).service.post("/grants/decisions", body))


def cmd_uses(args: argparse.Namespace) -> int:
    uses: dict[str, int] = {}
    for item in args.use or []:
        category, _, amount = item.partition("=")
        if not category or not amount.isdigit():
            raise UsageError("use: CATEGORY=AMOUNT in whole kronor")
        uses[category] = int(amount)
    if not uses:
        raise UsageError("use: at least one CATEGORY=AMOUNT")
    return _recorded(cli_of(args).service.post("/grants/uses", {"reference": args.reference,
                                                                "uses": uses}))


def cmd_payout(args: argparse.Namespace) -> int:
    if (args.application is None) == (args.case is None):
        raise UsageError("application: give --application REF or --case NUMBER")
    body = {"reference": args.reference, "amount_sek": args.amount, "paid_on": args.on,
            "application": args.application, "case_number": args.case}
    return _recorded(cli_of(args).service.post(
        "/grants/payouts", {k: v for k, v in body.items() if v is not None}))


def officer_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("year", help="the year's caps, ledger, applications and payouts")
    p.add_argument("year", type=int)
    p.set_defaults(handler=cmd_year)
    p = commands.add_parser("apply", help="record an application that is not from a case")
    p.add_argument("--reference", required=True, help="the police's reference (Dnr)")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--kind", required=True,
                   help="individual_case, agency_development or direct_operational")
    p.add_argument("--applicant-kind", required=True,
                   help="municipality, city_district, agency or private_organisation")
    p.add_argument("--applicant", help="the organisation's name")
    p.add_argument("--municipality", help="municipality code (municipality, city district)")
    p.add_argument("--received", help="received on (YYYY-MM-DD)")
    p.add_argument("--amount", type=int, help="applied for, whole kronor")
    p.add_argument("--purpose", help="what an organisation's grant is for")
    p.set_defaults(handler=cmd_apply)
    p = commands.add_parser("decide", help="record the decision on such an application")
    p.add_argument("reference")
    p.add_argument("--granted", type=int, help="the amount granted, whole kronor")
    p.add_argument("--rejected", help="criteria_not_met, incomplete or "
                                      "not_completed_when_asked")
    p.add_argument("--on", required=True, help="decided on (YYYY-MM-DD)")
    p.add_argument("--decided-by", default="noa_head", help="noa_head (default) or "
                                                            "noa_delegate")
    p.set_defaults(handler=cmd_decide)
    p = commands.add_parser("uses", help="what a granted individual-case application paid")
    p.add_argument("reference")
    p.add_argument("--use", action="append", help="CATEGORY=AMOUNT (repeatable)")
    p.set_defaults(handler=cmd_uses)
    p = commands.add_parser("payout", help="record a payout on a granted application or case")
    p.add_argument("reference", help="the payout's own reference")
    p.add_argument("--amount", type=int, required=True)
    p.add_argument("--on", required=True, help="paid on (YYYY-MM-DD)")
    p.add_argument("--application", help="the granted application's reference")
    p.add_argument("--case", help="the granted case's number")
    p.set_defaults(handler=cmd_payout)
