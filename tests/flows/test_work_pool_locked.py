"""The work pool's job template is locked (deployments/pool.py, deployments/worker.py),
against a real Prefect server (the flow tests' harness): a flow run cannot choose the
command the worker starts, its environment (an agency URL) or its directory."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.client.schemas.objects import FlowRun
from prefect.exceptions import PrefectHTTPStatusError
from prefect.states import Scheduled
from prefect.workers.process import ProcessJobConfiguration, ProcessWorker

from deployments.deploy import ensure_work_pool
from deployments.pool import PROJECT_ROOT, run_command
from deployments.worker import LockedJobConfiguration, pool_is_locked, serve

MARKER = "/tmp/utvag-marker-never-written"  # noqa: S108 - a path that must stay absent
OVERRIDES: dict[str, Any] = {
    "command": f"touch {MARKER}",
    "env": {"UTVAG_POLICE_URL": "https://elsewhere.example"},
    "working_dir": "/tmp",  # noqa: S108 - the directory a run must not get
}


@pytest.fixture()
def client(prefect_harness: None) -> Iterator[SyncPrefectClient]:
    with get_client(sync_client=True) as opened:
        yield opened


def _deployment_on(client: SyncPrefectClient, pool: str) -> uuid.UUID:
    flow_id = client.create_flow_from_name(f"locked-{pool}")
    deployment: uuid.UUID = client.create_deployment(
        flow_id=flow_id, name="d", work_pool_name=pool, entrypoint="flows/x.py:x")
    return deployment


def _refused(client: SyncPrefectClient, deployment: uuid.UUID,
             job_variables: dict[str, Any]) -> bool:
    try:
        client.create_flow_run_from_deployment(deployment, job_variables=job_variables)
    except PrefectHTTPStatusError as exc:
        assert exc.response.status_code == 422
        return True
    return False


def test_the_server_refuses_a_run_that_sets_command_env_or_working_dir(
        client: SyncPrefectClient) -> None:
    pool = f"locked-{uuid.uuid4().hex[:8]}"
    assert ensure_work_pool(pool) is True
    deployment = _deployment_on(client, pool)
    for key, value in OVERRIDES.items():
        assert _refused(client, deployment, {key: value}), key
    assert _refused(client, deployment, OVERRIDES)
    assert _refused(client, deployment, {"env.UTVAG_POLICE_URL": "https://elsewhere.example"})
    # What stays allowed still works (the refusals above are not a broken pool).
    assert not _refused(client, deployment, {})
    template = client.read_work_pool(pool).base_job_template
    assert template["job_configuration"]["command"] == run_command()
    assert template["job_configuration"]["working_dir"] == str(PROJECT_ROOT)


def test_deploy_locks_a_pool_that_already_existed_open(
        client: SyncPrefectClient, caplog: pytest.LogCaptureFixture) -> None:
    pool = f"open-{uuid.uuid4().hex[:8]}"
    client.create_work_pool(WorkPoolCreate(
        name=pool, type="process",
        base_job_template=ProcessWorker.get_default_base_job_template()))
    deployment = _deployment_on(client, pool)
    assert not _refused(client, deployment, OVERRIDES)  # the hole, before `utvag deploy`
    assert asyncio.run(pool_is_locked(pool)) is False
    # The worker refuses it, and a pool that does not exist, saying why (exit code 2).
    assert asyncio.run(serve(pool=pool, limit=None, name=None)) == 2
    assert asyncio.run(serve(pool=f"none-{pool}", limit=None, name=None)) == 2
    refusals = [r.getMessage() for r in caplog.records if "worker.refused" in r.getMessage()]
    assert len(refusals) == 2
    assert "its job template is not locked" in refusals[0] and "no such work pool" in \
        refusals[1] and all("utvag deploy" in r for r in refusals)
    assert ensure_work_pool(pool) is False
    assert _refused(client, deployment, OVERRIDES)
    assert asyncio.run(pool_is_locked(pool)) is True


async def _configuration(cls: type[ProcessJobConfiguration], run: FlowRun,
                         pool: str) -> ProcessJobConfiguration:
    from prefect.client.orchestration import get_client as get_async_client

    async with get_async_client() as aclient:
        work_pool = await aclient.read_work_pool(pool)
        return await cls.resolve_for_flow_run(run, client=aclient, work_pool=work_pool,
                                              worker_name="w")


def test_the_worker_drops_them_from_a_run_the_server_did_not_check(
        client: SyncPrefectClient) -> None:
    from prefect import flow

    @flow(name="locked-bypass")
    def bypass() -> None:
        return None

    pool = f"locked-{uuid.uuid4().hex[:8]}"
    ensure_work_pool(pool)
    # A flow run created directly on the pool: this path does not validate job variables.
    run = client.create_flow_run(bypass, job_variables=OVERRIDES, work_pool_name=pool,
                                 state=Scheduled())
    assert run.job_variables == OVERRIDES
    plain = asyncio.run(_configuration(ProcessJobConfiguration, run, pool))
    assert plain.env.get("UTVAG_POLICE_URL") == "https://elsewhere.example"  # Prefect's own
    locked = asyncio.run(_configuration(LockedJobConfiguration, run, pool))
    assert locked.command == run_command() and MARKER not in (locked.command or "")
    assert "UTVAG_POLICE_URL" not in locked.env
    assert str(locked.working_dir) == str(PROJECT_ROOT)


async def _worker_runs(pool: str, run_id: uuid.UUID) -> str:
    """One poll of a locked worker on the pool, then the run's final state."""
    from prefect.client.orchestration import get_client as get_async_client

    from deployments.worker import LockedProcessWorker

    async with LockedProcessWorker(work_pool_name=pool, create_pool_if_not_found=False,
                                   name="probe-worker") as worker:
        await worker.get_and_submit_flow_runs()
        async with get_async_client() as aclient:
            for _ in range(240):
                state = (await aclient.read_flow_run(run_id)).state
                if state is not None and state.is_final():
                    return state.type.value
                await asyncio.sleep(0.25)
    return "NOT FINISHED"


def test_a_run_scheduled_before_the_lock_runs_without_its_overrides(
        client: SyncPrefectClient, tmp_path: Any) -> None:
    import json
    from pathlib import Path

    pool = f"open-{uuid.uuid4().hex[:8]}"
    client.create_work_pool(WorkPoolCreate(
        name=pool, type="process",
        base_job_template=ProcessWorker.get_default_base_job_template()))
    flow_id = client.create_flow_from_name("locked-probe")
    deployment = client.create_deployment(
        flow_id=flow_id, name="probe", work_pool_name=pool,
        entrypoint="tests/flows/locked_probe.py:probe",
        pull_steps=[{"prefect.deployments.steps.set_working_directory": {
            "directory": str(PROJECT_ROOT)}}])
    out = tmp_path / "seen.json"
    marker = tmp_path / "marker"
    # Scheduled while the pool was open (accepted then), run after `utvag deploy`.
    run = client.create_flow_run_from_deployment(
        deployment, parameters={"out": str(out)},
        job_variables={"command": f"touch {marker}",
                       "env": {"UTVAG_POLICE_URL": "https://elsewhere.example"},
                       "working_dir": str(tmp_path)})
    ensure_work_pool(pool)
    assert asyncio.run(_worker_runs(pool, run.id)) == "COMPLETED"
    seen = json.loads(Path(out).read_text(encoding="utf-8"))
    assert not marker.exists(), "the run's own command did not run"
    assert seen["police_url"] != "https://elsewhere.example"
    assert seen["cwd"] == str(PROJECT_ROOT)
