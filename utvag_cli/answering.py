"""What every person's command shares: the invocation's context, sending an answer to
the case service and saying what it recorded, and the refusal of `--by` (you act as
the person logged in, never as a name typed on the command line)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping
from typing import Any

from utvag_cli.context import Cli
from utvag_cli.output import out
from utvag_cli.service import ServiceError
from utvag_cli.usage import UsageError

CASE_NUMBER = re.compile(r"UTV-\d{4}-\d{6}")


def cli_of(args: argparse.Namespace) -> Cli:
    cli: Cli = args.cli
    return cli


def case_path(args: argparse.Namespace, tail: str = "") -> str:
    """The case's resource; the case number checked first (it goes into the URL)."""
    number = str(args.case).strip().upper()
    if not CASE_NUMBER.fullmatch(number):
        raise UsageError("case: a case number, UTV-YYYY-NNNNNN")
    return f"/cases/{number}{tail}"


def send(args: argparse.Namespace, path: str, body: Mapping[str, Any] | None = None, *,
         options: Mapping[str, str] | None = None) -> Any:
    """POST `body` to the service; print `CASE: what was recorded`. The service records
    the answer as the logged-in person and wakes the case's flow run itself. `options`
    names the command-line option of a request field where they differ (`cost_payer` is
    `--payer`), so a refusal names what the person typed."""
    try:
        done = cli_of(args).service.post(path, body)
    except ServiceError as exc:
        renamed = (options or {}).get(exc.field or "")
        if renamed:
            exc.field = renamed
        raise
    out(f"{done['case_number']}: {done['summary']}")
    return done


def case_command(commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str,
                 help_text: str) -> argparse.ArgumentParser:
    """A sub-command on one case (`CASE` first); `--by` refused."""
    p = no_by(commands.add_parser(name, help=help_text, allow_abbrev=False))
    p.add_argument("case", help="the case number, UTV-YYYY-NNNNNN")
    return p


class ActorIsTheLogin(argparse.Action):
    """`--by` is gone: refused with a line saying why (exit 2), not silently ignored."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        parser.error("by: you act as the person logged in (`utvag login`); "
                     "--by is no longer accepted")


def no_by(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--by", action=ActorIsTheLogin, help=argparse.SUPPRESS)
    return parser
