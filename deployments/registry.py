"""The single registry of Utväg's deployments: entrypoints, schedules, tags, the
work pool, concurrency limits and parameter schemas.

`utvag deploy` registers exactly these against a Prefect server (workers started
with `utvag worker` run them); `make run` deploys the same list to its local
server and starts a worker. Nothing else declares a deployment. Intervals come
from arguments so a demo can tick faster than production.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from prefect import Flow
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.utilities.callables import parameter_schema

from adapters.settings import Settings
from deployments import DEFAULT_WORK_POOL
from flows.agency_answers import collect_agency_answers
from flows.culling import cull_expired
from flows.followup_report import followup_national
from flows.grant_account import grant_account
from flows.new_case import new_case
from flows.overdue import flag_overdue
from flows.recover import recover_stalled
from flows.register_sweep import register_sweep

__all__ = ["DEFAULT_WORK_POOL", "DeploymentSpec", "registry", "serve_all"]


@dataclass(frozen=True)
class DeploymentSpec:
    name: str
    flow: Flow[Any, Any]
    # "path/to/module.py:function", relative to the project root (the worker's source).
    entrypoint: str
    interval: timedelta | None = None
    # A calendar schedule instead (cron, UTC), for what runs on a date: the yearly account.
    cron: str | None = None
    # Runs inherit these: never a municipality, an agency or anything that tells a
    # destination or a category. A case's run is tagged `phase:<phase>` when started
    # (`flows.resume`), not here: one run carries a case through two phases.
    tags: tuple[str, ...] = field(default=())
    description: str = ""
    work_pool: str = DEFAULT_WORK_POOL
    # Runs of this deployment at once (None: no limit). Scheduled sweeps use 1 and
    # cancel a new run while one is still going, so they never pile up.
    concurrency_limit: int | None = None
    # Default parameters of the deployment's runs (ids and numbers only).
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def concurrency(self) -> ConcurrencyLimitConfig | None:
        if self.concurrency_limit is None:
            return None
        return ConcurrencyLimitConfig(limit=self.concurrency_limit,
                                      collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)

    @property
    def parameter_schema(self) -> dict[str, Any]:
        """The OpenAPI schema of the flow's (pydantic-typed) parameters: the UI's form."""
        return parameter_schema(self.flow).model_dump_for_openapi()


def registry(*, collect_every: timedelta = timedelta(seconds=30),
             overdue_every: timedelta = timedelta(hours=1),
             recover_every: timedelta = timedelta(minutes=1),
             stall_after: timedelta = timedelta(minutes=2),
             sweep_every: timedelta | None = None,
             settings: Settings | None = None) -> list[DeploymentSpec]:
    if sweep_every is None:
        from adapters.settings import get_settings

        sweep_every = timedelta(hours=(settings or get_settings()).sweep_every_hours)
    # new-case has no deployment concurrency limit: a suspended case must never hold
    # a slot that a new case needs. Load is bounded by the workers' --limit instead.
    return [
        DeploymentSpec("new-case", new_case, "flows/new_case.py:new_case",
                       description="A case through the before and the during phase "
                                   "(triggered per case, with its id only)."),
        DeploymentSpec("collect-agency-answers", collect_agency_answers,
                       "flows/agency_answers.py:collect_agency_answers",
                       interval=collect_every,
                       tags=("agency-answers",),
                       description="Collect agency answers, wake cases.", concurrency_limit=1),
        DeploymentSpec("flag-overdue-waits", flag_overdue, "flows/overdue.py:flag_overdue",
                       interval=overdue_every, tags=("waits",),
                       description="Flag waits past their deadline.", concurrency_limit=1),
        DeploymentSpec("recover-stalled-cases", recover_stalled,
                       "flows/recover.py:recover_stalled", interval=recover_every,
                       tags=("recovery",), concurrency_limit=1,
                       parameters={"quiet_for_seconds": int(stall_after.total_seconds())},
                       description="Start a new run for cases whose run died with its worker."),
        DeploymentSpec("register-sweep", register_sweep, "flows/register_sweep.py:register_sweep",
                       interval=sweep_every, tags=("after", "registers"),
                       concurrency_limit=1,
                       description="Check every ongoing case in the criminal-records and "
                                   "suspicion registers; flag relapses for assessment."),
        # 06:00 Swedish winter time on 15 January: the year before, once its decisions
        # and payouts are in (the report is due to the government by 2 May).
        DeploymentSpec("grant-account", grant_account, "flows/grant_account.py:grant_account",
                       cron="0 5 15 1 *", tags=("grants", "reports"), concurrency_limit=1,
                       description="The police's annual account of the state grant (PDF, "
                                   "CSV, markdown artifact, stored for the case service); "
                                   "counts suppressed."),
        # No schedule: started by the case service when the grants officer asks for a
        # period none was made for (docs/reports.md); parameters are two dates.
        DeploymentSpec("followup-national", followup_national,
                       "flows/followup_report.py:followup_national",
                       tags=("reports",),
                       description="National follow-up statistics of a period, stored for "
                                   "the case service; counts suppressed."),
        # 02:00 UTC daily: culling by crypto-shredding (docs/data-over-time.md).
        DeploymentSpec("cull-expired-cases", cull_expired, "flows/culling.py:cull_expired",
                       cron="0 2 * * *", tags=("retention",), concurrency_limit=1,
                       description="Culling (gallring): destroy the data keys of persons past "
                                   "their retention period; delete their cases' Prefect "
                                   "runs. Counts only."),
    ]


def serve_all(specs: list[DeploymentSpec]) -> None:
    """Serve every deployment from this process (blocks until interrupted).
    Development only: production uses `utvag deploy` and `utvag worker`."""
    from prefect import serve
    from prefect.deployments.runner import RunnerDeployment

    serve(
        *[
            cast(RunnerDeployment, spec.flow.to_deployment(
                name=spec.name, interval=spec.interval, cron=spec.cron, tags=list(spec.tags),
                description=spec.description, concurrency_limit=spec.concurrency,
                parameters=spec.parameters,
            ))
            for spec in specs
        ],
        limit=8,
    )
