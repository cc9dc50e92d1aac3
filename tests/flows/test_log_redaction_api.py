"""What a flow run's loggers ship to Prefect's API (the UI's run logs) carries no
identity number, also from an exception's text (adapters/logs.py)."""

from __future__ import annotations

import uuid

from prefect import flow, get_run_logger, task
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
from prefect.logging.handlers import APILogHandler
from prefect.runtime import flow_run

from adapters.logs import configure_logging

PERSONNUMMER = "199001011234"


@task(name="leaky-task")
def leaky_task() -> None:
    try:
        raise ValueError(f"register refused {PERSONNUMMER}")
    except ValueError:
        get_run_logger().exception("register call failed")


@flow(name="leaky-flow", persist_result=False)
def leaky_flow() -> str:
    configure_logging()
    get_run_logger().info("looking up %s for UTV-2026-000001", PERSONNUMMER)
    leaky_task()
    return str(flow_run.id)


def test_run_logs_reach_the_api_without_identity_numbers(prefect_harness: None) -> None:
    run_id = uuid.UUID(leaky_flow())
    APILogHandler().flush()
    with get_client(sync_client=True) as client:
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
    text = "\n".join(log.message for log in logs)
    assert "UTV-2026-000001" in text and "register call failed" in text
    assert "ValueError" in text, "the exception's text is shipped, masked"
    assert PERSONNUMMER not in text
