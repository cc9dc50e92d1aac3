"""A relapse flag, announced: the Prefect event `utvag.relapse.flagged` (the operators'
automation in `deployments/automations.py`) and a notice to the responsible
municipality's coordinators (`adapters.coordinators`), each once per flag.

`relapse_event` is the outbox, one row per flag (unique `flag_id`): a flag gets its row
on the first pass after it was written (by the sweep, or by a handler's report); the row
records when the event was emitted and when the coordinators were notified. A crash
between sending and recording repeats the send on the next pass with the same event id
(uuid5 of the flag) and the same idempotency key (`relapse-event:<flag id>`), so the
receiver sees one. Both carry the case number, the flag id and the municipality code:
nothing personal. The coordinators belong to the municipality that owns the case (no
disclosure to another agency, so no consent is asked); it is read when the notice is
sent, so a case whose responsibility moved notifies the new municipality.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa
from sqlmodel import col

from adapters.coordinators.port import CoordinatorNotice, CoordinatorNotifier
from adapters.errors import AgencyError
from adapters.logs import get_logger
from adapters.repositories import cases, journal
from models.journal import Kind
from models.plan_tables import RelapseEvent
from services.runtime import Runtime

EVENT = "utvag.relapse.flagged"
SYSTEM = "utvag"
_NAMESPACE = uuid.UUID("5b0c8a52-3f0e-4d8e-9a57-0d6a1f2e7c11")


def event_id(flag_id: int) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"relapse-flag:{flag_id}")


def notice_key(flag_id: int) -> str:
    return f"relapse-event:{flag_id}"


class Emit(Protocol):
    def __call__(self, *, event_id: uuid.UUID, case_number: str, municipality: str,
                 flag_id: int) -> None:
        """Emit the event (the task's `prefect.events.emit_event`)."""


@dataclass(frozen=True)
class Announced:
    emitted: int = 0
    notified: int = 0
    failed: int = 0  # notices left in the outbox for the next pass


_ENQUEUE = sa.text("""
INSERT INTO relapse_event (flag_id, case_id, municipality, created_at)
SELECT f.id, f.case_id, c.placing_municipality, :at
FROM relapse_flag f JOIN "case" c ON c.id = f.case_id
WHERE NOT EXISTS (SELECT 1 FROM relapse_event e WHERE e.flag_id = f.id)
ON CONFLICT (flag_id) DO NOTHING
""")

_PENDING = sa.text("""
SELECT e.flag_id, e.case_id, c.case_number, c.placing_municipality AS municipality,
       e.emitted_at IS NOT NULL AS emitted
FROM relapse_event e JOIN "case" c ON c.id = e.case_id
WHERE e.emitted_at IS NULL OR e.notified_at IS NULL
ORDER BY e.flag_id LIMIT :limit
""")


def _mark(rt: Runtime, flag_id: int, **values: object) -> None:
    with rt.uow() as session:
        session.execute(sa.update(RelapseEvent).where(
            col(RelapseEvent.flag_id) == flag_id).values(**values))


def announce_relapses(rt: Runtime, *, emit: Emit, notifier: CoordinatorNotifier | None,
                      limit: int = 10_000) -> Announced:
    """Enqueue every flag without an outbox row, then emit and notify what is pending.
    `notifier` None (no webhook configured): events only, notices stay pending."""
    with rt.uow() as session:
        session.execute(_ENQUEUE, {"at": rt.now()})
        pending = session.execute(_PENDING, {"limit": limit}).all()
    emitted = notified = failed = 0
    for row in pending:
        if not row.emitted:
            emit(event_id=event_id(row.flag_id), case_number=row.case_number,
                 municipality=row.municipality, flag_id=row.flag_id)
            _mark(rt, row.flag_id, emitted_at=rt.now())
            emitted += 1
        if notifier is None:
            continue
        organisation = f"municipality:{row.municipality}"
        try:
            notifier.notify(idempotency_key=notice_key(row.flag_id), notice=CoordinatorNotice(
                event=EVENT, case_number=row.case_number, organisation=organisation,
                flag_id=row.flag_id))
        except AgencyError:
            failed += 1
            continue
        at = rt.now()
        with rt.uow() as session:
            case = cases.lock_case(session, row.case_id)
            done = session.execute(sa.update(RelapseEvent).where(
                col(RelapseEvent.flag_id) == row.flag_id,
                col(RelapseEvent.notified_at).is_(None))
                .values(notified_at=at, municipality=row.municipality)
                .returning(col(RelapseEvent.id))).first()
            if done:
                journal.journal(session, case, kind=Kind.NOTE, actor=SYSTEM, at=at,
                                reason=f"coordinators of {organisation} notified of relapse "
                                       f"flag {row.flag_id}",
                                data={"flag_id": row.flag_id, "notified": organisation,
                                      "idempotency_key": notice_key(row.flag_id)})
                notified += 1
    counts = Announced(emitted=emitted, notified=notified, failed=failed)
    get_logger().info("relapse.announced", emitted=emitted, notified=notified, failed=failed)
    return counts
