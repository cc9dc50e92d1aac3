"""Register the registry's deployments on a Prefect server, for workers to run.

The source is this project's directory on the worker's machine (no image, no
push): each flow run starts in the project root (`set_working_directory` pull
step) and loads its entrypoint from there, with the installed environment.
The work pool (type `process`) is created when it is missing, and its job template
is locked (`deployments.pool`) whether it was created now or before: a flow run
cannot choose the command, the environment or the directory the worker starts.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import cast

from prefect import Flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate, WorkPoolUpdate
from prefect.deployments.runner import RunnerDeployment
from prefect.exceptions import ObjectNotFound

from deployments.pool import PROJECT_ROOT, locked_job_template
from deployments.registry import DeploymentSpec


def ensure_work_pool(name: str, *, concurrency_limit: int | None = None) -> bool:
    """Create the process work pool unless it exists, and lock its job template
    either way; True when created."""
    template = locked_job_template()
    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(name)
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(
                name=name, type="process", concurrency_limit=concurrency_limit,
                description="Utväg flow runs (utvag worker)", base_job_template=template))
            return True
        client.update_work_pool(name, WorkPoolUpdate(base_job_template=template))
        return False


def deploy_spec(spec: DeploymentSpec, *, source: Path = PROJECT_ROOT) -> uuid.UUID:
    flow: Flow[..., object] = Flow.from_source(  # type: ignore[assignment]
        source=str(source), entrypoint=spec.entrypoint)
    # No job variables: the command and the environment of a run are the pool's own.
    deployment = cast(RunnerDeployment, flow.to_deployment(
        name=spec.name, interval=spec.interval, cron=spec.cron, tags=list(spec.tags),
        description=spec.description, concurrency_limit=spec.concurrency,
        parameters=spec.parameters,
    ))
    return cast(uuid.UUID, deployment.apply(work_pool_name=spec.work_pool))


def deploy_all(specs: list[DeploymentSpec], *, source: Path = PROJECT_ROOT,
               pool_limit: int | None = None) -> dict[str, uuid.UUID]:
    """Every deployment of the registry, on its work pool; returns name → id."""
    for pool in sorted({spec.work_pool for spec in specs}):
        ensure_work_pool(pool, concurrency_limit=pool_limit)
    return {spec.name: deploy_spec(spec, source=source) for spec in specs}
