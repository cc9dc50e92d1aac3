"""Register sweep work: one ``check-batch`` task checks up to ``batch_size`` ongoing cases
(the next ones after a cursor, in id order) in both registers, as a pipeline.

Inside the task one asyncio loop keeps the registers busy while the database works:

- the batch is planned as pages of ``PAGE_REQUESTS`` requests' worth of cases (id ranges,
  ids only); pages are loaded, decrypted and their disclosures journaled in threads
  (``tasks.sweep_rows.prepare_page``), ``LOADERS`` at a time, while earlier pages'
  requests are in flight;
- each register has ``in_flight`` requests in flight at most (the flow holds that many
  slots of the register's Prefect global concurrency limit for the run); a request that
  fails with a retryable error (5xx, 429, timeout) is sent again after
  ``UTVAG_AGENCY_RETRY_DELAYS``, journaled again before each send;
- when all of a page's requests are answered or given up, what was answered is written
  in one transaction in a thread (``tasks.sweep_rows.record``), at most
  ``PAGES_AHEAD`` pages being in the air at once (memory stays flat in the number of
  cases).

Requests given up are reported (``BatchResult.failures``) and their cases stay unchecked;
the task still returns, so the flow goes on with the next batch and the summary lists
them. A lost database connection fails the task, which Prefect retries; a retry, and any
batch after it in the same run, skips the (case, register) pairs this run has already
checked. Personal data (identity numbers) is decrypted here, sent to the police registers
only for cases with a recorded consent to the police, and never returned or logged.
"""

from __future__ import annotations

import asyncio
import random
from collections import deque
from collections.abc import Callable

import httpx
from prefect import task
from prefect.runtime import flow_run, task_run
from pydantic import BaseModel

from adapters.errors import AgencyError, PermanentAgencyError
from adapters.http import tls_context
from adapters.registers import MAX_SUBJECTS_PER_LOOKUP, HttpRegisterAdapter, LookupResult
from adapters.settings import Settings, get_settings
from models.relapse import RegisterName
from tasks.sweep_db import DB_TASK_OPTIONS
from tasks.sweep_rows import (
    Page,
    Request,
    journal_disclosures,
    plan_pages,
    prepare_page,
    record,
)

REGISTERS = (RegisterName.CRIMINAL_RECORDS, RegisterName.SUSPICIONS)
PAGE_REQUESTS = 5  # requests per register in a page: 2,500 cases at 500 per request
PAGES_AHEAD = 4  # pages being loaded, asked or written at once
LOADERS = 2  # pages being loaded at once (each on its own database connection)

# Progress of a running sweep, by its run key: called with the number of cases a page
# finished. Process-local (the flow's progress artifact and the CLI's bar listen here).
PROGRESS: dict[str, Callable[[int], None]] = {}


def limit_name(register: str) -> str:
    return f"register:{register}"


class BatchResult(BaseModel):
    """What one batch did: counts only, never personal data."""

    planned: int = 0  # ongoing cases found for the batch: fewer than asked, the last batch
    cases: int = 0  # of which loaded (a case closed meanwhile is not)
    last_id: str | None = None  # the cursor for the next batch (a case id, not personal)
    checked: dict[str, int] = {}
    flags: dict[str, int] = {}
    no_consent: int = 0
    failures: list[str] = []
    retried: bool = False  # this task ran more than once: later batches skip checked pairs


Outcome = tuple[Request, LookupResult | AgencyError]


class _Pipeline:
    """One batch's look-ups: the state shared by the loop's coroutines."""

    def __init__(self, settings: Settings, clients: dict[str, httpx.AsyncClient], *,
                 in_flight: int, run_key: str) -> None:
        self.ports = {name: HttpRegisterAdapter(client, register=name)  # type: ignore[arg-type]
                      for name, client in clients.items()}
        self.slots = {name: asyncio.Semaphore(in_flight) for name in clients}
        self.delays = list(settings.agency_retry_delays)
        self.run_key = run_key
        self.result = BatchResult()

    async def ask(self, request: Request) -> Outcome:
        """One request, sent again after each retryable failure (journaled before each
        resend); the slot is held only while the request is in flight."""
        failure: AgencyError | None = None
        for attempt in range(len(self.delays) + 1):
            if attempt:
                await asyncio.sleep(self.delays[attempt - 1] * random.uniform(0.75, 1.25))  # noqa: S311 - jitter
                await asyncio.to_thread(journal_disclosures, [request], self.run_key)
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
        new = (await asyncio.to_thread(record, answered, page.cases, self.run_key)
               if answered else {})
        result = self.result
        for request, outcome in outcomes:
            if isinstance(outcome, AgencyError):
                result.failures.append(f"{request.register}: {outcome.reason}")
            else:
                result.checked[request.register] = (result.checked.get(request.register, 0)
                                                    + len(request.subjects))
        for kind, n in new.items():
            result.flags[kind] = result.flags.get(kind, 0) + n
        listener = PROGRESS.get(self.run_key)
        if listener is not None:
            await asyncio.to_thread(listener, page.loaded)


async def _check(settings: Settings, *, after: str | None, size: int, in_flight: int,
                 run_key: str, skip_checked: bool) -> BatchResult:
    names = [str(r) for r in REGISTERS]  # plain str: an enum's .value costs ~1 µs a call
    request_size = min(settings.sweep_request_size, MAX_SUBJECTS_PER_LOOKUP)
    page_size = min(size, request_size * PAGE_REQUESTS)
    urls = {RegisterName.CRIMINAL_RECORDS.value: settings.criminal_records_url,
            RegisterName.SUSPICIONS.value: settings.suspicions_url}
    timeout = httpx.Timeout(connect=2.0, read=settings.http_read_timeout, write=5.0, pool=5.0)
    limits = httpx.Limits(max_connections=in_flight, max_keepalive_connections=in_flight)
    clients = {name: httpx.AsyncClient(base_url=urls[name], timeout=timeout, limits=limits,
                                       verify=tls_context()) for name in names}
    pipeline = _Pipeline(settings, clients, in_flight=in_flight, run_key=run_key)
    result = pipeline.result
    loaders = asyncio.Semaphore(LOADERS)

    async def page(after: str | None, upto: str) -> None:
        async with loaders:
            loaded = await asyncio.to_thread(
                prepare_page, after, upto, run_key, skip_checked=skip_checked,
                registers=names, request_size=request_size)
        result.cases += loaded.loaded
        result.no_consent += loaded.no_consent
        for register, n in loaded.already_checked.items():
            result.checked[register] = result.checked.get(register, 0) + n
        await pipeline.finish(loaded, [asyncio.create_task(pipeline.ask(r))
                                       for r in loaded.requests])

    pending: deque[asyncio.Task[None]] = deque()
    try:
        ranges, result.planned = await asyncio.to_thread(plan_pages, after, size, page_size)
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
        for client in clients.values():
            await client.aclose()
    return result


@task(name="check-batch", retry_jitter_factor=0.5, **DB_TASK_OPTIONS)
def check_batch(run_key: str, after: str | None, size: int, in_flight: int,
                skip_checked: bool = False) -> BatchResult:
    """Check up to ``size`` ongoing cases after case id ``after`` (None: from the first)
    in both registers; ``skip_checked``: skip pairs this run already checked."""
    retried = (task_run.run_count or 1) > 1 or (flow_run.run_count or 1) > 1
    result = asyncio.run(_check(get_settings(), after=after, size=size, in_flight=in_flight,
                                run_key=run_key, skip_checked=skip_checked or retried))
    result.retried = retried
    return result
