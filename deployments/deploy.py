"""Register the registry's deployments on a Prefect server, for workers to run.

The source is this project's directory on the worker's machine (no image, no
push): each flow run starts in the project root (`set_working_directory` pull
step) and loads its entrypoint from there, with the installed environment.
The work pool is created (type `process`) when it is missing.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import cast

from prefect import Flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.deployments.runner import RunnerDeployment
from prefect.exceptions import ObjectNotFound
from prefect.workers.process import ProcessWorker

from deployments.registry import DeploymentSpec
from flows.recover import HEARTBEAT_SECONDS

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def ensure_work_pool(name: str, *, concurrency_limit: int | None = None) -> bool:
    """Create the process work pool unless it exists; True when created."""
    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(name)
            return False
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(
                name=name, type="process", concurrency_limit=concurrency_limit,
                description="Utväg flow runs (utvag worker)",
                base_job_template=ProcessWorker.get_default_base_job_template()))
            return True


def deploy_spec(spec: DeploymentSpec, *, source: Path = PROJECT_ROOT) -> uuid.UUID:
    flow: Flow[..., object] = Flow.from_source(  # type: ignore[assignment]
        source=str(source), entrypoint=spec.entrypoint)
    deployment = cast(RunnerDeployment, flow.to_deployment(
        name=spec.name, interval=spec.interval, cron=spec.cron, tags=list(spec.tags),
        description=spec.description, concurrency_limit=spec.concurrency,
        parameters=spec.parameters,
        # One engine process per flow run, started by this installation's interpreter
        # (without `command`, the process worker adds a supervisor process per run).
        job_variables={"command": f"{sys.executable} -m prefect.engine",
                       # recover-stalled-cases tells slow runs from dead ones by these.
                       "env": {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS)}},
    ))
    return cast(uuid.UUID, deployment.apply(work_pool_name=spec.work_pool))


def deploy_all(specs: list[DeploymentSpec], *, source: Path = PROJECT_ROOT,
               pool_limit: int | None = None) -> dict[str, uuid.UUID]:
    """Every deployment of the registry, on its work pool; returns name → id."""
    for pool in sorted({spec.work_pool for spec in specs}):
        ensure_work_pool(pool, concurrency_limit=pool_limit)
    return {spec.name: deploy_spec(spec, source=source) for spec in specs}
