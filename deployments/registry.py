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

from flows.agency_answers import collect_agency_answers
from flows.new_case import new_case
from flows.overdue import flag_overdue
from flows.recover import recover_stalled
from flows.register_sweep import register_sweep

DEFAULT_WORK_POOL = "utvag"


@dataclass(frozen=True)
class DeploymentSpec:
    name: str
    flow: Flow[Any, Any]
    # "path/to/module.py:function", relative to the project root (the worker's source).
    entrypoint: str
    interval: timedelta | None = None
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
             sweep_every: timedelta | None = None) -> list[DeploymentSpec]:
    if sweep_every is None:
        from adapters.settings import get_settings

        sweep_every = timedelta(hours=get_settings().sweep_every_hours)
    # new-case has no deployment concurrency limit: a suspended case must never hold
    # a slot that a new case needs. Load is bounded by the workers' --limit instead.
    return [
        DeploymentSpec("new-case", new_case, "flows/new_case.py:new_case",
                       tags=("phase:before",),
                       description="A case through the before phase (triggered per case)."),
        DeploymentSpec("collect-agency-answers", collect_agency_answers,
                       "flows/agency_answers.py:collect_agency_answers",
                       interval=collect_every,
                       tags=("agency", "agency:police", "agency:social_services"),
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
                       interval=sweep_every, tags=("after", "registers", "agency:police"),
                       concurrency_limit=1,
                       description="Check every ongoing case in the criminal-records and "
                                   "suspicion registers; flag relapses for assessment."),
    ]


def serve_all(specs: list[DeploymentSpec]) -> None:
    """Serve every deployment from this process (blocks until interrupted).
    Development only: production uses `utvag deploy` and `utvag worker`."""
    from prefect import serve
    from prefect.deployments.runner import RunnerDeployment

    serve(
        *[
            cast(RunnerDeployment, spec.flow.to_deployment(
                name=spec.name, interval=spec.interval, tags=list(spec.tags),
                description=spec.description, concurrency_limit=spec.concurrency,
                parameters=spec.parameters,
            ))
            for spec in specs
        ],
        limit=8,
    )
