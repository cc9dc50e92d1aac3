"""Retry policy, in one place: which failures a task retries and how long it waits.

Agency calls are retried only on `RetryableAgencyError` (timeouts, 429, 5xx), with the
delays of `UTVAG_AGENCY_RETRY_DELAYS` and jitter; database tasks also on a lost
connection (a restarted server). Every retried write carries the same idempotency key,
so a retry never does a thing twice.
"""

from __future__ import annotations

from typing import Any, ParamSpec, TypeVar

import psycopg
import sqlalchemy as sa
from prefect import Task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun

from adapters.errors import RetryableAgencyError
from adapters.settings import Settings

P = ParamSpec("P")
R = TypeVar("R")


def retry_transient_only(task: Task[Any, Any], task_run: TaskRun, state: State[Any]) -> bool:
    try:
        state.result()
    except RetryableAgencyError:
        return True
    except Exception:  # noqa: BLE001 - anything else is permanent: do not retry
        return False
    return False


def retry_transient_or_db(task: Task[Any, Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Retry transient agency errors and lost database connections (a restarted server)."""
    try:
        state.result()
    except RetryableAgencyError:
        return True
    except (sa.exc.OperationalError, sa.exc.InterfaceError):
        return True
    except (psycopg.OperationalError, psycopg.InterfaceError):
        # The same, raised by the driver itself: bulk reads on the raw connection
        # (`Database.raw_connection`) do not go through SQLAlchemy.
        return True
    except sa.exc.DBAPIError as exc:
        return bool(exc.connection_invalidated)
    except Exception:  # noqa: BLE001 - anything else is permanent: do not retry
        return False
    return False


# Every task of Utväg: no result persisted (results could hold case data), no cache (a
# side effect must run when asked).
PLAIN: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}
AGENCY_TASK_OPTIONS: dict[str, Any] = {
    **PLAIN, "retries": 4, "retry_delay_seconds": [1, 2, 4, 8], "retry_jitter_factor": 0.5,
    "retry_condition_fn": retry_transient_only,
}
DB_TASK_OPTIONS: dict[str, Any] = {
    **PLAIN, "retries": 5, "retry_delay_seconds": [1, 2, 4, 8, 8],
    "retry_condition_fn": retry_transient_or_db,
}


def with_retry_settings(task: Task[P, R], settings: Settings) -> Task[P, R]:
    """The task with the configured retry delays (read at run time, not import)."""
    delays = settings.agency_retry_delays
    return task.with_options(retries=len(delays), retry_delay_seconds=delays)
