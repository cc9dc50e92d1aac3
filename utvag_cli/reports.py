"""`utvag report ...` and `utvag grants ...`: the annual account of the state grant,
follow-up statistics, and the import of earlier years' grants.

    utvag report grants --year Y [--format pdf|html|csv] [--out DIR] [--service]
    utvag report followup --from DATE --to DATE [--municipality CODE | --national]
                          [--format pdf|html|csv] [--out DIR] [--service]
    utvag grants import FILE.csv --by STAFF_ID
    utvag grants year YEAR | apply ... | decide REF ... | uses REF ... | payout REF ...

Without `--service` the reports are made locally by an operator (the owner's database
role, which sees every case); with it they are downloaded from the case service with
your login (the grants officer: the account and national statistics; a coordinator:
the own municipality's statistics). `grants year|apply|decide|uses|payout` are the
grants officer's calls to the case service.

Reports go to --out (default: UTVAG_REPORTS_DIR, else <data dir>/reports). Every count
of people in them is suppressed (<5, x); no case number, name or destination is in any
of them. The import writes nothing unless every row is good (errors: one line each, by
line number, exit 2). The commands run on the invocation's runtime (`utvag_cli.context`);
the case service will call the same services behind its endpoints.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from utvag_cli.answering import cli_of
from utvag_cli.grants_officer import officer_parsers
from utvag_cli.output import err, out
from utvag_cli.usage import UsageError

if TYPE_CHECKING:
    from services.reports.output import OutputFormat

# The services (and WeasyPrint, matplotlib) are imported by the commands that use them:
# every other `utvag` command starts without them.


def _format(value: str) -> OutputFormat:
    from services.reports.output import OutputFormat

    try:
        return OutputFormat(value)
    except ValueError:
        raise UsageError("format: pdf, html or csv") from None


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{field}: a date YYYY-MM-DD") from None


def _out_dir(value: str | None) -> Path | None:
    """None: the configured reports directory (the service's default)."""
    return Path(value) if value else None


def _save(args: argparse.Namespace, path: str, **params: object) -> int:
    """A report downloaded from the case service into --out (default: here)."""
    name, content = cli_of(args).service.download(path, **params)
    target = Path(args.out or ".")
    target.mkdir(parents=True, exist_ok=True)
    (target / name).write_bytes(content)
    out(str(target / name))
    return 0


def cmd_report_grants(args: argparse.Namespace) -> int:
    if not 2000 <= args.year <= 2100:
        raise UsageError("year: a year between 2000 and 2100")
    fmt, out_dir = _format(args.format), _out_dir(args.out)
    if args.service:
        return _save(args, f"/reports/grants/{args.year}", format=fmt.value)
    from services.reports.publish import publish_grant_account

    published = publish_grant_account(cli_of(args).rt, year=args.year, formats=(fmt,),
                                      out_dir=out_dir)
    h = published.report.headline
    if published.report.has_data:
        out(f"{args.year}: {h.handled.text} applications handled, {h.granted.text} granted "
            f"from {h.municipalities} municipalities; {h.total_granted_sek} kr granted in all")
    else:
        out(f"{args.year}: no applications recorded (the report says so)")
    for path in published.paths:
        out(str(path))
    return 0


def cmd_report_followup(args: argparse.Namespace) -> int:
    start, end = _date(args.start, "from"), _date(args.end, "to")
    municipality = args.municipality
    if municipality is not None and not (len(municipality) == 4 and municipality.isdigit()):
        raise UsageError("municipality: a four-digit municipality code")
    fmt, out_dir = _format(args.format), _out_dir(args.out)
    if args.service:
        if municipality is not None:
            raise UsageError("municipality: the service gives your own municipality's "
                             "statistics (or --national)")
        scope = "national" if args.national else "municipality"
        return _save(args, f"/reports/followup/{scope}", format=fmt.value,
                     **{"from": start.isoformat(), "to": end.isoformat()})
    if args.national and municipality is not None:
        raise UsageError("national: not with --municipality")
    from services.reports.followup import FollowUpRefused
    from services.reports.publish import publish_followup

    try:
        published = publish_followup(cli_of(args).rt, start=start, end=end,
                                     municipality=municipality, fmt=fmt, out_dir=out_dir)
    except FollowUpRefused as exc:
        raise UsageError(str(exc)) from None
    report = published.report
    out(f"{report.scope}, {start} to {end}: {report.cases.text} cases"
        + ("" if report.enough else " (too few to publish statistics)"))
    for path in published.paths:
        out(str(path))
    return 0


def cmd_grants_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError:
        raise UsageError(f"file: cannot read {path}") from None
    from services.reports.grant_import import import_grants

    result = import_grants(cli_of(args).rt, data, by=args.by)
    if result.errors:
        for error in result.errors:
            err(f"{path.name}: {error}")
        err(f"nothing imported: {len(result.errors)} bad row(s)")
        return 2
    out(f"imported {result.imported} application(s); {result.unchanged} already imported")
    return 0


SERVICE_HELP = "download it from the case service with your login (default: make it locally)"


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = sub.add_parser("report", help="the annual grant account, follow-up statistics")
    reports = report.add_subparsers(dest="report_command", required=True)
    p = reports.add_parser("grants", help="the police's annual account of the state grant")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--format", default="pdf", help="pdf (default), html or csv")
    p.add_argument("--out", help="directory (default: the reports directory)")
    p.add_argument("--service", action="store_true", help=SERVICE_HELP)
    p.set_defaults(handler=cmd_report_grants)
    p = reports.add_parser("followup", help="follow-up statistics of the cases of a period")
    p.add_argument("--from", dest="start", required=True, help="first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="end", required=True, help="last day (YYYY-MM-DD)")
    p.add_argument("--municipality", help="placing municipality (code); default: national")
    p.add_argument("--national", action="store_true", help="the whole country")
    p.add_argument("--format", default="pdf", help="pdf (default), html or csv")
    p.add_argument("--out", help="directory (default: the reports directory)")
    p.add_argument("--service", action="store_true", help=SERVICE_HELP)
    p.set_defaults(handler=cmd_report_followup)
    grants = sub.add_parser("grants", help="the grants officer's records")
    commands = grants.add_subparsers(dest="grants_command", required=True)
    p = commands.add_parser("import", help="import earlier years' applications (CSV)")
    p.add_argument("file")
    p.add_argument("--by", required=True, help="your staff id")
    p.set_defaults(handler=cmd_grants_import)
    officer_parsers(commands)
