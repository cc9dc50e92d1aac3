"""Helpers for the register-sweep tests: ongoing cases admitted on a chosen day, a
sweep run as the flow runs it (with the test's runtime and fakes), counts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from prefect import flow

from flows.register_sweep import Listener, sweep
from services import cases
from services.runtime import Runtime
from services.sweep import BatchResult, run_batch
from tests.factories import identity_number, open_case
from tests.fakes.agencies import FakeSocialServices
from tests.fakes.clock import FakeClock
from tests.fakes.registers import FakeRegisters

ADMITTED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
NAME = "Test Person"


class Admitted(NamedTuple):
    case_id: uuid.UUID
    case_number: str
    person: str  # the identity number, 12 digits, as the registers know it


def admitted_case(rt: Runtime, serial: int, *, at: datetime = ADMITTED,
                  consents: Sequence[str] = ("police", "social_services")) -> Admitted:
    """An ongoing case admitted at `at` (through intake and admission, on a clock of
    its own: the test's clock does not move)."""
    person = identity_number(serial=serial)
    then = Runtime(settings=rt.settings, db=rt.db, clock=FakeClock(at), cipher=rt.cipher)
    opened = open_case(then, person={"identity_number": person, "name": NAME},
                       consents=[{"agency": a, "legal_basis": "samtycke"} for a in consents])
    cases.admit(then, opened.case_id)
    return Admitted(opened.case_id, opened.case_number, person.replace("-", ""))


def count(rt: Runtime, sql: str, **params: object) -> int:
    with rt.uow() as session:
        return int(session.execute(sa.text(sql), params).scalar_one())


def sweep_batch(rt: Runtime, registers: FakeRegisters, *, run_key: str | None = None,
                size: int = 1000, in_flight: int = 2) -> BatchResult:
    """One batch over every ongoing case, without Prefect (the service itself)."""
    return run_batch(rt, registers.open, run_key=run_key or str(uuid.uuid4()), after=None,
                     size=size, in_flight=in_flight, skip_checked=False)


class SweepRunner:
    """Runs the sweep's body in a flow run, as the deployed `register-sweep` does, with
    the test's runtime and fakes."""

    def __init__(self, rt: Runtime, registers: FakeRegisters,
                 social: FakeSocialServices) -> None:
        self.rt, self.registers, self.social = rt, registers, social
        self.listeners: list[Listener] = []

        @flow(name="register-sweep-under-test", persist_result=False)
        def sweep_run(batch_size: int | None = None,
                      in_flight: int | None = None) -> dict[str, Any]:
            return sweep(rt=self.rt, open_registers=self.registers.open, social=self.social,
                         batch_size=batch_size, in_flight=in_flight, listeners=self.listeners)

        self.flow = sweep_run

    def __call__(self, *, batch_size: int | None = None,
                 in_flight: int | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self.flow(batch_size=batch_size, in_flight=in_flight)
        return result

    def run_id(self, *, batch_size: int | None = None,
               in_flight: int | None = None) -> tuple[uuid.UUID, dict[str, Any]]:
        """The flow run's id and what it returned."""
        state = self.flow(batch_size=batch_size, in_flight=in_flight, return_state=True)
        run_id = state.state_details.flow_run_id
        assert run_id is not None
        return run_id, state.result()
