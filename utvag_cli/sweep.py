"""`utvag sweep`: the register sweep by hand, with a progress bar (operators, local: it
runs the flow in this process). `report` renders what the flow returns, so tests hand
in a flow run. (Social services' assessment of a relapse flag is `utvag case assess`,
through the case service.)"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from utvag_cli.output import out

BAR = 30


def progress_bar(done: int, total: int, *, started: float) -> str:
    share = done / total if total else 1.0
    filled = int(BAR * share)
    elapsed = time.monotonic() - started
    return (f"\r[{'#' * filled}{'-' * (BAR - filled)}] {100 * share:5.1f}%  "
            f"{done}/{total} cases  {elapsed:6.1f}s")


class ProgressBar:
    """A sweep's progress listener: redraws one line on `stream` (stderr)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream, self.started = stream, time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        self.stream.write(progress_bar(done, total, started=self.started))
        self.stream.flush()

    def end(self) -> None:
        self.stream.write("\n")


def report(summary: dict[str, Any]) -> int:
    """The sweep's outcome for a person; non-zero when a case with consent was not
    checked (the next sweep checks it)."""
    out(f"ongoing cases {summary['ongoing']}: checked {summary['checked']}, "
        f"not checked {summary['not_checked']} (no consent to the police: "
        f"{summary['no_consent']})")
    out(f"flagged: {summary['flags']['conviction']} convictions, "
        f"{summary['flags']['suspicion']} suspicions; notifications pending: "
        f"{summary['notifications_pending']}")
    if summary["not_checked_cases"]:
        out("not checked (the next sweep checks them): "
            + ", ".join(summary["not_checked_cases"]))
    return 0 if summary["not_checked"] == summary["no_consent"] else 1


def with_bar(run: Callable[[ProgressBar], dict[str, Any]], *,
             stream: TextIO) -> dict[str, Any]:
    bar = ProgressBar(stream)
    try:
        return run(bar)
    finally:
        bar.end()


def cmd_sweep(args: argparse.Namespace) -> int:
    from flows.register_sweep import PROGRESS_LISTENERS, register_sweep

    def run(bar: ProgressBar) -> dict[str, Any]:
        PROGRESS_LISTENERS.append(bar)
        try:
            return register_sweep(batch_size=args.batch_size, in_flight=args.in_flight)
        finally:
            PROGRESS_LISTENERS.remove(bar)

    return report(with_bar(run, stream=sys.stderr))


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("sweep", help="run the register sweep now, with a progress bar")
    p.add_argument("--batch-size", type=int, default=None, help="cases per check-batch task")
    p.add_argument("--in-flight", type=int, default=None,
                   help="requests in flight per register")
    p.set_defaults(handler=cmd_sweep)
