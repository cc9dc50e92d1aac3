"""The single registry of Utväg's deployments: names, schedules, tags.

`utvag serve` (and `make run`) serves exactly these; nothing else declares a
deployment. Intervals come from settings so a demo can tick faster than
production.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from prefect import Flow, serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

from flows.agency_answers import collect_agency_answers
from flows.new_case import new_case
from flows.overdue import flag_overdue
from flows.register_sweep import register_sweep


@dataclass(frozen=True)
class DeploymentSpec:
    name: str
    flow: Flow[Any, Any]
    interval: timedelta | None = None
    tags: tuple[str, ...] = field(default=())
    description: str = ""
    # Scheduled sweeps never pile up: a run that finds one still going is cancelled.
    singleton: bool = False


_ONE_AT_A_TIME = ConcurrencyLimitConfig(limit=1,
                                        collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)


def registry(*, collect_every: timedelta = timedelta(seconds=30),
             overdue_every: timedelta = timedelta(hours=1),
             sweep_every: timedelta | None = None) -> list[DeploymentSpec]:
    if sweep_every is None:
        from adapters.settings import get_settings

        sweep_every = timedelta(hours=get_settings().sweep_every_hours)
    return [
        DeploymentSpec("new-case", new_case, tags=("phase:before",),
                       description="A case through the before phase (triggered per case)."),
        DeploymentSpec("collect-agency-answers", collect_agency_answers, interval=collect_every,
                       tags=("agency",), description="Collect agency answers, wake cases.",
                       singleton=True),
        DeploymentSpec("flag-overdue-waits", flag_overdue, interval=overdue_every,
                       tags=("waits",), description="Flag waits past their deadline.",
                       singleton=True),
        DeploymentSpec("register-sweep", register_sweep, interval=sweep_every,
                       tags=("after", "registers"), singleton=True,
                       description="Check every ongoing case in the criminal-records and "
                                   "suspicion registers; flag relapses for assessment."),
    ]


def serve_all(specs: list[DeploymentSpec]) -> None:
    """Serve every deployment from this process (blocks until interrupted)."""
    serve(
        *[
            spec.flow.to_deployment(
                name=spec.name, interval=spec.interval, tags=list(spec.tags),
                description=spec.description,
                concurrency_limit=_ONE_AT_A_TIME if spec.singleton else None,
            )
            for spec in specs
        ],
        limit=8,
    )
