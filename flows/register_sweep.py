"""register-sweep: check every ongoing case in the criminal-records register and the
suspicion register, flag relapses, notify social services.

Deployed by `deployments/registry.py` daily (`UTVAG_SWEEP_EVERY_HOURS`); by hand:
`utvag sweep` (progress bar) or `python -c "from flows.register_sweep import
register_sweep; register_sweep()"`.

The flow runs `check-batch` tasks one after another, each over the next `batch_size`
ongoing cases by id (never one task per case: 4 task runs for 100,000 cases by
default); inside a task a pipeline keeps `in_flight` requests in flight per register
while the database loads, decrypts and writes (`services.sweep`). The run holds
`in_flight` slots of each register's Prefect global concurrency limit
`register:<name>` (created if missing, size `UTVAG_REGISTER_CONCURRENCY`, default 8) for
its whole duration: all sweeps together never have more requests in flight to a register
than the limit, at the cost of one acquisition per run rather than one per request.
A progress artifact is updated as pages finish (at most once a second), and the run
ends with a summary artifact (counts and case numbers only). Cases that could not be
checked (register down, timeouts after retries) are listed there as not checked; the
next run checks every ongoing case again, so they are caught up.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from prefect import flow
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    update_progress_artifact,
)
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.concurrency.sync import concurrency
from prefect.exceptions import ObjectNotFound
from prefect.runtime import flow_run

from adapters.logs import configure_logging, get_logger
from adapters.registry import agency_ports, register_ports
from adapters.social_services.port import SocialServicesPort
from services.runtime import Runtime, runtime
from services.sweep import REGISTERS, OpenRegisters, SweepSummary
from tasks.relapse_events import announce_relapses
from tasks.retry import with_retry_settings
from tasks.sweep import check_batch, count_ongoing, notify_relapses, summarise

Listener = Callable[[int, int], None]  # (cases done, cases in all)
# Process-local listeners (the CLI's progress bar); Prefect sees only the artifact.
PROGRESS_LISTENERS: list[Listener] = []


def limit_name(register: str) -> str:
    return f"register:{register}"


def ensure_register_limits(limit: int) -> None:
    """Create the per-register global concurrency limits unless they exist."""
    with get_client(sync_client=True) as client:
        for register in REGISTERS:
            try:
                client.read_global_concurrency_limit_by_name(limit_name(register))
            except ObjectNotFound:
                client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=limit_name(register), limit=limit))


def markdown(summary: SweepSummary) -> str:
    lines = [
        "## Register sweep", "",
        "| ongoing cases | checked | not checked | of which no consent to the police "
        "| convictions flagged | suspicions flagged | notifications pending |",
        "|---|---|---|---|---|---|---|",
        f"| {summary.ongoing} | {summary.checked} | {summary.not_checked} | "
        f"{summary.no_consent} | {summary.flags['conviction']} | "
        f"{summary.flags['suspicion']} | {summary.notifications_pending} |",
    ]
    if summary.not_checked_cases:
        more = summary.not_checked - len(summary.not_checked_cases)
        lines += ["", "Not checked in this run (checked again by the next): "
                  + ", ".join(summary.not_checked_cases) + (f" and {more} more" if more > 0
                                                             else "")]
    return "\n".join(lines)


class _Progress:
    """Pages finished -> the progress artifact (at most once a second) and the
    listeners (the CLI's bar). Called from the batch's threads."""

    def __init__(self, artifact: Any, *, total: int, listeners: Sequence[Listener]) -> None:
        self.artifact, self.total = artifact, max(total, 1)
        self.listeners = listeners
        self.done = 0
        self.shown_at = time.monotonic()
        self.lock = threading.Lock()

    def __call__(self, cases: int) -> None:
        with self.lock:
            self.done = min(self.done + cases, self.total)
            done, now = self.done, time.monotonic()
            show = done == self.total or now - self.shown_at >= 1.0
            if show:
                self.shown_at = now
        for listener in self.listeners:
            listener(done, self.total)
        if show:
            update_progress_artifact(artifact_id=self.artifact,
                                     progress=100.0 * done / self.total)


@flow(name="register-sweep", persist_result=False, log_prints=False)
def register_sweep(batch_size: int | None = None,
                   in_flight: int | None = None) -> dict[str, Any]:
    configure_logging()
    rt = runtime()
    with agency_ports(rt.settings) as ports:
        return sweep(rt=rt, open_registers=register_ports, social=ports.social_services,
                     batch_size=batch_size, in_flight=in_flight, listeners=PROGRESS_LISTENERS)


def sweep(*, rt: Runtime, open_registers: OpenRegisters, social: SocialServicesPort,
          batch_size: int | None = None, in_flight: int | None = None,
          listeners: Sequence[Listener] = ()) -> dict[str, Any]:
    """The sweep's body (inside a flow run): batches, notifications, summary."""
    settings = rt.settings
    size = batch_size or settings.sweep_batch_size
    in_flight = min(in_flight or settings.sweep_in_flight, settings.register_concurrency)
    run_key = str(flow_run.id or uuid.uuid4())
    log = get_logger(sweep_run=run_key)
    started = time.monotonic()
    ensure_register_limits(settings.register_concurrency)
    total = count_ongoing(rt)
    artifact = create_progress_artifact(progress=0.0, key="register-sweep-progress",
                                        description="Register sweep: share of ongoing cases "
                                                    "done")
    progress = _Progress(artifact, total=total, listeners=listeners)
    after: str | None = None
    skip_checked = False
    given_up = 0
    acquiring_at = time.monotonic()
    with concurrency([limit_name(r) for r in REGISTERS], occupy=in_flight):
        acquired_at = time.monotonic()
        while True:
            batch = check_batch(rt, open_registers, run_key=run_key, after=after, size=size,
                                in_flight=in_flight, skip_checked=skip_checked,
                                progress=progress)
            given_up += len(batch.failures)
            skip_checked = skip_checked or batch.retried
            if batch.planned < size or batch.last_id is None:
                break
            after = batch.last_id
    checked_at = time.monotonic()
    notify_state = with_retry_settings(notify_relapses, settings)(rt, social, return_state=True)
    announce_relapses(rt, return_state=True)  # the relapse event, once per flag
    notified_at = time.monotonic()
    summary = summarise(rt, run_key)
    create_markdown_artifact(key="register-sweep-summary", markdown=markdown(summary),
                             description="Register sweep: counts only, no personal data")
    log.info("sweep.done", ongoing=summary.ongoing, checked=summary.checked,
             not_checked=summary.not_checked, requests_given_up=given_up,
             notify_ok=notify_state.is_completed(), **summary.flags)
    seconds = {"setup": round(acquiring_at - started, 2),
               "slots": round(acquired_at - acquiring_at, 2),
               "batches": round(checked_at - acquired_at, 2),
               "notifications": round(notified_at - checked_at, 2),
               "summary": round(time.monotonic() - notified_at, 2)}
    return {**summary.model_dump(mode="json"), "seconds": seconds}
