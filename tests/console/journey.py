"""What the console's journey runs on besides the console: every agency simulator on
loopback (answering only when told, `POST /_admin/answer-now`) and a waker that carries
the case's flow body (`flows.new_case.drive`) on the real HTTP adapters, in one flow run
under Prefect's test harness, as a worker would (each pass ends where a deployed run
suspends).

    with simulators(clock) as agencies:
        waker = FlowWaker(rt, agencies.settings)   # what the service wakes
        ...
        agencies.answer_now(); waker.collect()     # what collect-agency-answers does
        waker.settle()                              # every pass done (bounded)
"""

from __future__ import annotations

import contextvars
import queue
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from prefect import flow

from adapters.registry import agency_ports
from adapters.settings import Settings
from flows.new_case import drive
from services.agency import collect_open
from services.plan_delivery import send_plans
from services.runtime import Runtime
from simulators import SimulatorConfig
from simulators.catalog import APPS, settings_env
from simulators.clock import Clock
from simulators.server import start_in_thread
from tests.sims import Sim

# Long enough that no answer is ever due by the case's clock unless the test says so.
ANSWER_DELAY = 3600.0


@dataclass
class Simulators:
    """Every simulator of `simulators.catalog`, running; `urls` for the settings."""

    sims: dict[str, Sim]

    @property
    def urls(self) -> dict[str, str]:
        return {settings_env(name).removeprefix("UTVAG_").lower(): sim.base_url
                for name, sim in self.sims.items()}

    def answer_now(self) -> int:
        """Every pending request at every agency answerable now; how many there were."""
        return sum(int(sim.admin("POST", "/_admin/answer-now").json()["answered"])
                   for sim in self.sims.values())

    def set_scenario(self, agency: str, case_number: str, **scenario: Any) -> None:
        self.sims[agency].set_scenario(case_number, **scenario)


@contextmanager
def simulators(clock: Clock) -> Iterator[Simulators]:
    """Every agency simulator, reading the case's clock (answers dated as the case is)."""
    config = SimulatorConfig(test_mode=True, answer_delay_seconds=ANSWER_DELAY)
    with ExitStack() as stack:
        sims = {}
        for name, create_app in APPS.items():
            running = stack.enter_context(start_in_thread(create_app(config, clock=clock)))
            client = stack.enter_context(httpx.Client(base_url=running.base_url, timeout=5))
            sims[name] = Sim(running, client)
        yield Simulators(sims)


@dataclass
class FlowWaker:
    """The service's waker (`caseservice.waker.Waker`): every wake or start is a pass of
    the case's flow body, run in order on one worker thread inside one flow run (a flow
    run costs about a second under the harness, a pass a few tasks). `passes` records
    each pass's result; an error in a pass is raised by `settle`."""

    rt: Runtime
    settings: Settings
    passes: list[tuple[uuid.UUID, dict[str, Any]]] = field(default_factory=list)
    _jobs: queue.Queue[Callable[[Any], None] | None] = field(default_factory=queue.Queue)
    _pending: int = 0
    _errors: list[BaseException] = field(default_factory=list)
    _done: threading.Condition = field(default_factory=threading.Condition)
    _thread: threading.Thread | None = None

    def begin(self) -> None:
        # The harness's Prefect settings live in context variables, which a thread does
        # not inherit: the worker runs in a copy of this thread's context.
        context = contextvars.copy_context()
        self._thread = threading.Thread(target=context.run, args=(self._work,),
                                        name="journey-worker", daemon=True)
        self._thread.start()

    def end(self) -> None:
        self._jobs.put(None)
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _work(self) -> None:
        @flow(name="journey-worker", persist_result=False)
        def worker() -> None:
            with agency_ports(self.settings) as ports:
                while (job := self._jobs.get()) is not None:
                    try:
                        job(ports)
                    except BaseException as exc:  # noqa: BLE001 - raised by settle()
                        self._errors.append(exc)
                    finally:
                        with self._done:
                            self._pending -= 1
                            self._done.notify_all()

        worker()

    def _submit(self, job: Callable[[Any], None]) -> None:
        with self._done:
            self._pending += 1
        self._jobs.put(job)

    def _pass(self, case_id: uuid.UUID) -> Callable[[Any], None]:
        def run(ports: Any) -> None:
            self.passes.append((case_id, drive(case_id, rt=self.rt, ports=ports)))
        return run

    # The waker's port (caseservice.waker.Waker).
    def wake(self, rt: Runtime, case_id: uuid.UUID) -> str:
        self._submit(self._pass(case_id))
        return "resumed"

    def start(self, rt: Runtime, case_id: uuid.UUID) -> uuid.UUID:
        self._submit(self._pass(case_id))
        return uuid.uuid5(uuid.NAMESPACE_OID, f"{case_id}-journey")

    def start_report(self, deployment: str, parameters: dict[str, Any]) -> uuid.UUID:
        raise NotImplementedError("no reports in the journey")

    def collect(self) -> None:
        """What the scheduled collect-agency-answers does: plans still unsent to the
        agencies, then every answer ready, then a pass of each answered case."""
        def run(ports: Any) -> None:
            send_plans(self.rt, ports)
            for case_id in sorted(collect_open(self.rt, ports).answered):
                self._submit(self._pass(case_id))
        self._submit(run)

    def settle(self, timeout: float = 30) -> None:
        """Wait (bounded) until every submitted pass has run; raise a pass's error."""
        with self._done:
            assert self._done.wait_for(lambda: self._pending == 0, timeout=timeout), \
                "the case's passes did not finish"
        if self._errors:
            raise self._errors.pop(0)

    def last(self, case_id: uuid.UUID) -> dict[str, Any]:
        return next(result for ran, result in reversed(self.passes) if ran == case_id)
