"""Every command that answers what a case waits for does the same three things: record
the answer through `services.answers` (the one table from wait kind to answer), wake the
case's flow run, and say what was recorded."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from models.enums import WaitKind
from services.answers import AnswerError, Recorded, record
from utvag_cli.context import Cli
from utvag_cli.output import out
from utvag_cli.usage import UsageError


def cli_of(args: argparse.Namespace) -> Cli:
    cli: Cli = args.cli
    return cli


def answer(args: argparse.Namespace, kind: WaitKind, data: Mapping[str, Any], *,
           options: Mapping[str, str] | None = None) -> Recorded:
    """Record `data` as the answer to the case's wait of `kind` and wake the case.
    `options` names the command-line option of a model field where they differ
    (`needs` is `--need`), so an error names what the person typed."""
    cli = cli_of(args)
    try:
        recorded = record(cli.rt, args.case, kind, data, by=args.by)
    except AnswerError as exc:
        raise UsageError(f"{(options or {}).get(exc.field, exc.field)}: {exc.problem}") \
            from None
    woken = cli.runs.wake(cli.rt, recorded.case_id)
    out(f"{recorded.case_number}: {recorded.summary}; flow {woken}")
    return recorded
