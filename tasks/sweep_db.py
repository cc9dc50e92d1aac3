"""The sweep's database side outside a batch: counting the ongoing cases, the run's
summary, and the retry rule shared by the sweep's tasks."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from prefect import Task, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from pydantic import BaseModel

from adapters.db import unit_of_work
from adapters.errors import RetryableAgencyError

NOT_CHECKED_LISTED = 50


def retry_transient_or_db(task: Task[Any, Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Retry transient agency errors and lost database connections (a restarted server)."""
    try:
        state.result()
    except RetryableAgencyError:
        return True
    except (sa.exc.OperationalError, sa.exc.InterfaceError):
        return True
    except sa.exc.DBAPIError as exc:
        return bool(exc.connection_invalidated)
    except Exception:  # noqa: BLE001 - anything else is permanent: do not retry
        return False
    return False


DB_TASK_OPTIONS: dict[str, Any] = {
    "cache_policy": NO_CACHE, "persist_result": False, "retries": 5,
    "retry_delay_seconds": [1, 2, 4, 8, 8], "retry_condition_fn": retry_transient_or_db,
}


@task(name="count-ongoing-cases", **DB_TASK_OPTIONS)
def count_ongoing() -> int:
    with unit_of_work() as session:
        query = sa.text('SELECT count(*) FROM "case" c '
                        "WHERE c.phase IN ('during', 'after') AND c.status <> 'closed'")
        return int(session.execute(query).scalar_one())


class SweepSummary(BaseModel):
    """The run's outcome, from the database: counts and case numbers only."""

    run: str
    ongoing: int
    checked: int
    not_checked: int
    no_consent: int
    flags: dict[str, int]
    not_checked_cases: list[str]
    notifications_pending: int = 0


# The cases this run checked in both registers (hash-aggregated: a sort for a
# count(DISTINCT) cost 1.5x as much at 100,000 cases).
_CHECKED = """
WITH checked AS (
    SELECT u.id FROM register_check r, unnest(r.case_ids) AS u(id)
    WHERE r.sweep_run = :run GROUP BY u.id
    HAVING bool_or(r.register = 'criminal_records') AND bool_or(r.register = 'suspicions'))
"""


@task(name="summarise-sweep", **DB_TASK_OPTIONS)
def summarise(run_key: str) -> SweepSummary:
    """Counts from the check rows of this run: a case counts as checked when both
    registers checked it; the cases not checked are listed (case numbers only)."""
    with unit_of_work() as session:
        row = session.execute(sa.text(_CHECKED + """
            SELECT count(*) AS ongoing,
                   count(k.id) AS checked,
                   count(*) FILTER (WHERE k.id IS NULL AND NOT coalesce(
                       (SELECT co.state = 'given' FROM consent co WHERE co.case_id = c.id
                        AND co.agency = 'police' ORDER BY co.id DESC LIMIT 1), false))
                       AS no_consent
            FROM "case" c LEFT JOIN checked k ON k.id = c.id
            WHERE c.phase IN ('during', 'after') AND c.status <> 'closed'"""),  # noqa: S608
            {"run": run_key}).one()
        flags = dict(session.execute(sa.text(
            "SELECT entry_kind, count(*) FROM relapse_flag WHERE sweep_run = :run "
            "GROUP BY entry_kind"), {"run": run_key}).all())
        unchecked: list[str] = []
        if row.checked < row.ongoing:
            unchecked = list(session.execute(sa.text(_CHECKED + """
                SELECT c.case_number FROM "case" c LEFT JOIN checked k ON k.id = c.id
                WHERE c.phase IN ('during', 'after') AND c.status <> 'closed'
                  AND k.id IS NULL
                ORDER BY c.case_number LIMIT :n"""),  # noqa: S608
                {"run": run_key, "n": NOT_CHECKED_LISTED}).scalars().all())
        pending = session.execute(sa.text(
            "SELECT count(*) FROM relapse_flag WHERE notified_at IS NULL")).scalar_one()
    return SweepSummary(
        run=run_key, ongoing=row.ongoing, checked=row.checked,
        not_checked=row.ongoing - row.checked, no_consent=row.no_consent,
        flags={"conviction": int(flags.get("conviction", 0)),
               "suspicion": int(flags.get("suspicion", 0))},
        not_checked_cases=unchecked, notifications_pending=int(pending))
