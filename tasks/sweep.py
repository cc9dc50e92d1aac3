"""The register sweep's tasks: thin Prefect wrappers over `services.sweep` and
`services.relapse`. Each takes the run's `Runtime` from the flow; the database ones
retry a lost connection (`tasks.retry.DB_TASK_OPTIONS`)."""

from __future__ import annotations

from prefect import task
from prefect.runtime import flow_run, task_run

from adapters.social_services.port import SocialServicesPort
from services import relapse, sweep
from services.runtime import Runtime
from tasks.opaque import agency_errors_opaque
from tasks.retry import DB_TASK_OPTIONS


@task(name="check-batch", retry_jitter_factor=0.5, **DB_TASK_OPTIONS)
def check_batch(rt: Runtime, open_registers: sweep.OpenRegisters, *, run_key: str,
                after: str | None, size: int, in_flight: int, skip_checked: bool = False,
                progress: sweep.Progress | None = None) -> sweep.BatchResult:
    """Check up to `size` ongoing cases after case id `after` (None: from the first) in
    both registers; `skip_checked`: skip the pairs this run has already checked, as a
    retry of this task always does."""
    retried = (task_run.run_count or 1) > 1 or (flow_run.run_count or 1) > 1
    result = sweep.run_batch(rt, open_registers, run_key=run_key, after=after, size=size,
                             in_flight=in_flight, skip_checked=skip_checked or retried,
                             progress=progress)
    result.retried = retried
    return result


@task(name="count-ongoing-cases", **DB_TASK_OPTIONS)
def count_ongoing(rt: Runtime) -> int:
    return sweep.count_ongoing(rt)


@task(name="summarise-sweep", **DB_TASK_OPTIONS)
def summarise(rt: Runtime, run_key: str) -> sweep.SweepSummary:
    return sweep.summarise(rt, run_key)


@task(name="notify-relapses", **DB_TASK_OPTIONS)
def notify_relapses(rt: Runtime, social: SocialServicesPort) -> relapse.Notified:
    """Every flag not yet notified; a failed batch raises after the rest is recorded,
    and the retry sends only what is still not notified."""
    with agency_errors_opaque():
        return relapse.notify_relapses(rt, social)
