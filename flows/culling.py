"""cull-expired-cases: culling (gallring) by crypto-shredding, once a day.

Destroys the data key of every person whose cases closed longer ago than the retention
period (`services.culling`: five years after the last entry, legal holds and the research
exception kept), then deletes Prefect's runs, logs and artifacts of those cases through
the Prefect API. Reports counts only: no case number of a culled case, nothing personal.
Deployed daily at 02:00 UTC by `deployments/registry.py`; locally `utvag keys cull`.
"""

from __future__ import annotations

from dataclasses import asdict

from prefect import flow

from adapters.logs import configure_logging, get_logger
from adapters.prefect_history import PrefectCaseHistory
from services.culling import cull
from services.runtime import runtime


@flow(name="cull-expired-cases", persist_result=False)
def cull_expired() -> dict[str, int]:
    configure_logging()
    report = asdict(cull(runtime(), PrefectCaseHistory()))
    get_logger().info("culling.done", **report)
    return report
