"""One batch of the register sweep: up to `size` ongoing cases (the next ones after a
cursor, in id order) checked in both registers, as a pipeline.

One asyncio loop keeps the registers busy while the database works:

- the batch is planned as pages of `PAGE_REQUESTS` requests' worth of cases (id ranges,
  ids only); pages are loaded, decrypted and their disclosures journaled in threads
  (`pages.prepare_page`), `LOADERS` at a time, while earlier pages' requests are in
  flight;
- each register has `in_flight` requests in flight at most (the flow holds that many
  slots of the register's Prefect global concurrency limit for the run); a request that
  fails with a retryable error (5xx, 429, timeout) is sent again after the delays of
  `Settings.agency_retry_delays`, journaled again before each resend;
- when all of a page's requests are answered or given up, what was answered is written
  in one transaction in a thread (`pages.record`), at most `PAGES_AHEAD` pages being
  in the air at once (memory stays flat in the number of cases).

Requests given up are reported (`BatchResult.failures`) and their cases stay unchecked;
the batch still returns, so the sweep goes on and its summary lists them. A lost
database connection raises (the task around this retries it); a retry skips the (case,
register) pairs the run has already checked. Identity numbers are decrypted here, sent
to the police registers only for cases with a recorded consent to the police, and never
returned or logged.
"""

from __future__ import annotations

import asyncio
import random
from collections import deque
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from pydantic import BaseModel

from adapters.errors import AgencyError, PermanentAgencyError
from adapters.registers import MAX_SUBJECTS_PER_LOOKUP, LookupResult, RegisterPort
from adapters.settings import Settings
from models.relapse import RegisterName
from services.runtime import Runtime
from services.sweep.pages import (
    Page,
    Request,
    journal_disclosures,
    plan_pages,
    prepare_page,
    record,
)

# Plain str: an enum's .value costs ~1 µs a call, and this is per subject.
REGISTERS = tuple(str(r.value) for r in RegisterName)
PAGE_REQUESTS = 5  # requests per register in a page: 2,500 cases at 500 per request
PAGES_AHEAD = 4  # pages being loaded, asked or written at once
LOADERS = 2  # pages being loaded at once (each on its own database connection)


class OpenRegisters(Protocol):
    """Opens both registers' ports inside the running event loop, closed on exit
    (`adapters.registry.register_ports`; tests hand in fakes)."""

    def __call__(self, settings: Settings, *, in_flight: int
                 ) -> AbstractAsyncContextManager[Mapping[str, RegisterPort]]: ...


Progress = Callable[[int], None]  # called with the number of cases a page finished


class BatchResult(BaseModel):
    """What one batch did: counts only, never personal data."""

    planned: int = 0  # ongoing cases found for the batch: fewer than asked, the last batch
    cases: int = 0  # of which loaded (a case closed meanwhile is not)
    last_id: str | None = None  # the cursor for the next batch (a case id, not personal)
    checked: dict[str, int] = {}
    flags: dict[str, int] = {}
    no_consent: int = 0
    failures: list[str] = []
    retried: bool = False  # this batch ran more than once: later batches skip checked pairs


Outcome = tuple[Request, LookupResult | AgencyError]


class _Pipeline:
    """One batch's look-ups: the state shared by the loop's coroutines."""

    def __init__(self, rt: Runtime, ports: Mapping[str, RegisterPort], *, in_flight: int,
                 run_key: str, progress: Progress | None) -> None:
        self.rt, self.ports = rt, ports
        self.slots = {name: asyncio.Semaphore(in_flight) for name in REGISTERS}
        # The one retry setting: the same delays as every other agency call.
        self.delays = list(rt.settings.agency_retry_delays)
        self.run_key, self.progress = run_key, progress
        self.result = BatchResult()

    async def ask(self, request: Request) -> Outcome:
        """One request, sent again after each retryable failure (journaled before each
        resend); the slot is held only while the request is in flight."""
        failure: AgencyError | None = None
        for attempt in range(len(self.delays) + 1):
            if attempt:
                await asyncio.sleep(self.delays[attempt - 1] * random.uniform(0.75, 1.25))  # noqa: S311 - jitter
                await asyncio.to_thread(journal_disclosures, self.rt, [request],
                                        run_key=self.run_key)
            async with self.slots[request.register]:
                try:
                    return request, await self.ports[request.register].lookup(
                        subjects=request.subjects, entries_since=request.since)
                except PermanentAgencyError as exc:
                    return request, exc
                except AgencyError as exc:
                    failure = exc
        assert failure is not None  # noqa: S101 - the loop ran and every attempt failed
        return request, failure

    async def finish(self, page: Page, asked: list[asyncio.Task[Outcome]]) -> None:
        outcomes = await asyncio.gather(*asked)
        answered = [(request, outcome) for request, outcome in outcomes
                    if not isinstance(outcome, AgencyError)]
        new = (await asyncio.to_thread(record, self.rt, answered, cases=page.cases,
                                       run_key=self.run_key) if answered else {})
        result = self.result
        for request, outcome in outcomes:
            if isinstance(outcome, AgencyError):
                result.failures.append(f"{request.register}: {outcome.reason}")
            else:
                result.checked[request.register] = (result.checked.get(request.register, 0)
                                                    + len(request.subjects))
        for kind, n in new.items():
            result.flags[kind] = result.flags.get(kind, 0) + n
        if self.progress is not None:
            await asyncio.to_thread(self.progress, page.loaded)


async def check(rt: Runtime, ports: Mapping[str, RegisterPort], *, run_key: str,
                after: str | None, size: int, in_flight: int, skip_checked: bool,
                progress: Progress | None = None) -> BatchResult:
    """Check up to `size` ongoing cases after case id `after` (None: from the first) in
    both registers; `skip_checked`: skip the pairs this run has already checked."""
    request_size = min(rt.settings.sweep_request_size, MAX_SUBJECTS_PER_LOOKUP)
    page_size = min(size, request_size * PAGE_REQUESTS)
    pipeline = _Pipeline(rt, ports, in_flight=in_flight, run_key=run_key, progress=progress)
    result = pipeline.result
    loaders = asyncio.Semaphore(LOADERS)

    async def page(after: str | None, upto: str) -> None:
        async with loaders:
            loaded = await asyncio.to_thread(
                prepare_page, rt, after=after, upto=upto, run_key=run_key,
                skip_checked=skip_checked, registers=REGISTERS, request_size=request_size)
        result.cases += loaded.loaded
        result.no_consent += loaded.no_consent
        for register, n in loaded.already_checked.items():
            result.checked[register] = result.checked.get(register, 0) + n
        await pipeline.finish(loaded, [asyncio.create_task(pipeline.ask(r))
                                       for r in loaded.requests])

    pending: deque[asyncio.Task[None]] = deque()
    try:
        ranges, result.planned = await asyncio.to_thread(
            plan_pages, rt, after=after, size=size, page_size=page_size)
        for start, upto in ranges:
            pending.append(asyncio.create_task(page(start, upto)))
            while len(pending) >= PAGES_AHEAD:
                await pending.popleft()
        while pending:
            await pending.popleft()
        result.last_id = ranges[-1][1] if ranges else None
    finally:
        for waiting in pending:
            waiting.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    return result


def run_batch(rt: Runtime, open_registers: OpenRegisters, *, run_key: str, after: str | None,
              size: int, in_flight: int, skip_checked: bool,
              progress: Progress | None = None) -> BatchResult:
    """`check` in an event loop of its own, with the registers opened inside it."""
    async def run() -> BatchResult:
        async with open_registers(rt.settings, in_flight=in_flight) as ports:
            return await check(rt, ports, run_key=run_key, after=after, size=size,
                               in_flight=in_flight, skip_checked=skip_checked,
                               progress=progress)

    return asyncio.run(run())
