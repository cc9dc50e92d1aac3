"""`utvag worker`: Prefect's process worker, with the job template's locks enforced here
too (see `deployments.pool`).

The server refuses a deployment or a flow run whose job variables set `command`, `env`
or `working_dir` on the locked pool; a run can still reach the pool by a path it does
not validate (a flow run created directly with a work pool name). This worker drops
those variables from whatever a run carries, so a run always starts with the pool's own
command, environment and directory. It refuses to start on a pool whose template is not
locked (`utvag deploy` locks it), and never creates a pool itself.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import warnings
from typing import Any

from prefect.client.orchestration import get_client
from prefect.exceptions import ObjectNotFound
from prefect.workers.process import ProcessJobConfiguration, ProcessWorker

from adapters.logs import get_logger
from deployments import DEFAULT_WORK_POOL
from deployments.pool import is_locked, strip_locked


class LockedJobConfiguration(ProcessJobConfiguration):
    @classmethod
    async def from_template_and_values(cls, base_job_template: dict[str, Any],
                                       values: dict[str, Any],
                                       client: Any = None) -> LockedJobConfiguration:
        config: LockedJobConfiguration = await super().from_template_and_values(
            base_job_template=base_job_template, values=strip_locked(values), client=client)
        return config


with warnings.catch_warnings():
    # Same type as Prefect's (a `process` pool): it replaces ProcessWorker in this
    # process's registry of worker types, which is the point.
    warnings.filterwarnings("ignore", message=".*LockedProcessWorker.*")

    class LockedProcessWorker(ProcessWorker):
        job_configuration = LockedJobConfiguration


async def pool_is_locked(pool: str) -> bool | None:
    """True/False for the pool's template; None when there is no such pool."""
    async with get_client() as client:
        try:
            found = await client.read_work_pool(pool)
        except ObjectNotFound:
            return None
    return is_locked(found.base_job_template)


async def serve(*, pool: str, limit: int | None, name: str | None) -> int:
    locked = await pool_is_locked(pool)
    if not locked:
        get_logger().error("worker.refused", pool=pool,
                           problem="no such work pool" if locked is None
                           else "its job template is not locked",
                           fix="run `utvag deploy` first")
        return 2
    async with LockedProcessWorker(work_pool_name=pool, limit=limit, name=name,
                                   create_pool_if_not_found=False) as worker:
        await worker.start()
    return 0


def _stop(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="utvag worker")
    parser.add_argument("--pool", default=DEFAULT_WORK_POOL)
    parser.add_argument("--limit", type=int, default=4)
    parser.add_argument("--name", default=None)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _stop)
    try:
        return asyncio.run(serve(pool=args.pool, limit=args.limit, name=args.name))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
