"""register-sweep: check every ongoing case in the criminal-records register and the
suspicion register, flag relapses, notify social services.

Deployed by `deployments/registry.py` daily (`UTVAG_SWEEP_EVERY_HOURS`); by hand:
`utvag sweep` (progress bar) or `python -c "from flows.register_sweep import
register_sweep; register_sweep()"`.

Batches of `batch_size` cases (keyset ranges, never one task per case) run as
`check-batch` tasks, `parallel_batches` at a time. A batch has at most one request in
flight per register, and the run holds `parallel_batches` slots of each register's
Prefect global concurrency limit `register:<name>` (created if missing, size
`UTVAG_REGISTER_CONCURRENCY`, default 8) for its whole duration: all sweeps together never
have more requests in flight to a register than the limit, at the cost of one
acquisition per run rather than one per request (~0.3 s each on a busy server).
A progress artifact is updated per batch, and the run
ends with a summary artifact (counts and case numbers only). Cases a batch could not
check (register down, timeouts after retries) are listed there as not checked; the
next run checks every ongoing case again, so they are caught up.
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from collections.abc import Callable
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
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner

from adapters.logs import configure_logging, get_logger
from adapters.registry import agency_clients
from adapters.settings import get_settings
from tasks.relapse import notify_relapses
from tasks.sweep import REGISTERS, BatchResult, check_batch, limit_name
from tasks.sweep_db import SweepSummary, count_ongoing, plan_batches, summarise

Progress = Callable[[int, int], None]
# Process-local listeners (the CLI's progress bar); Prefect sees only the artifact.
PROGRESS_LISTENERS: list[Progress] = []


def ensure_register_limits(limit: int) -> None:
    """Create the per-register global concurrency limits unless they exist."""
    with get_client(sync_client=True) as client:
        for register in REGISTERS:
            try:
                client.read_global_concurrency_limit_by_name(limit_name(register))
            except ObjectNotFound:
                client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=limit_name(register), limit=limit))


def _markdown(summary: SweepSummary) -> str:
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


def _run_key() -> str:
    return str(flow_run.id or uuid.uuid4())


@flow(name="register-sweep", persist_result=False, log_prints=False,
      task_runner=ThreadPoolTaskRunner(max_workers=8))  # type: ignore[arg-type]
def register_sweep(batch_size: int | None = None,
                   parallel_batches: int | None = None) -> dict[str, Any]:
    configure_logging()
    settings = get_settings()
    size = batch_size or settings.sweep_batch_size
    parallel = min(parallel_batches or settings.sweep_parallel_batches,
                   settings.register_concurrency)
    run_key = _run_key()
    log = get_logger(sweep_run=run_key)
    ensure_register_limits(settings.register_concurrency)
    delays = settings.agency_retry_delays
    batch_task = check_batch.with_options(retries=len(delays), retry_delay_seconds=delays)
    started = time.monotonic()
    total = count_ongoing()
    progress = create_progress_artifact(progress=0.0, key="register-sweep-progress",
                                        description="Register sweep: share of ongoing cases "
                                                    "done")
    done = failed_batches = 0
    in_flight: deque[tuple[int, PrefectFuture[BatchResult]]] = deque()

    def settle(oldest: tuple[int, PrefectFuture[BatchResult]]) -> None:
        nonlocal done, failed_batches
        n, future = oldest
        future.wait()
        if not future.state.is_completed():
            failed_batches += 1
        done = min(done + n, total)
        update_progress_artifact(artifact_id=progress,  # type: ignore[arg-type]
                                 progress=100.0 * done / max(total, 1))
        for listener in PROGRESS_LISTENERS:
            listener(done, total)

    after: uuid.UUID | None = None
    with concurrency([limit_name(r) for r in REGISTERS], occupy=parallel):
        while True:
            batches = plan_batches(after, size=size, count=parallel * 2)
            if not batches:
                break
            for start, upto, n in batches:
                if len(in_flight) >= parallel:
                    settle(in_flight.popleft())
                in_flight.append((n, batch_task.submit(run_key, start, upto)))
                after = upto
        while in_flight:
            settle(in_flight.popleft())
    checked_at = time.monotonic()
    with agency_clients() as clients:
        notify_state = notify_relapses.with_options(
            retries=len(delays), retry_delay_seconds=delays,
        )(clients.social_services, return_state=True)
    notified_at = time.monotonic()
    summary = summarise(run_key)
    create_markdown_artifact(key="register-sweep-summary", markdown=_markdown(summary),
                             description="Register sweep: counts only, no personal data")
    log.info("sweep.done", ongoing=summary.ongoing, checked=summary.checked,
             not_checked=summary.not_checked, failed_batches=failed_batches,
             notify_ok=notify_state.is_completed(), **summary.flags)
    seconds = {"batches": round(checked_at - started, 2),
               "notifications": round(notified_at - checked_at, 2),
               "summary": round(time.monotonic() - notified_at, 2)}
    return {**summary.model_dump(mode="json"), "seconds": seconds}
