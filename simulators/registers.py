"""Simulators of the police registers: the criminal-records register
(belastningsregistret, entries of kind ``conviction``) and the suspicion register
(misstankeregistret, kind ``suspicion``). Both implement the batch look-up contract of
``adapters.registers.schemas``.

Scenario data (the register's entries) is loaded by tests and the demo through the
simulator-only admin API (test/demo mode only), kept in memory only (never in a state file)::

    POST   /_admin/entries   add entries: {"entries": [{identity_number, entry_id, date}]}
    DELETE /_admin/entries   forget all entries
    GET    /_admin/lookups   {"requests": n, "subjects": n} looked up so far

Fault injection (``/_admin/faults``) works as for every simulator.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, FastAPI, HTTPException
from pydantic import BaseModel, Field

from adapters.registers.schemas import (
    EntryKind,
    LookupResult,
    Register,
    RegisterEntry,
)
from adapters.registers.schemas import LookupRequest as WireLookupRequest
from adapters.registers.schemas import LookupSubject as WireLookupSubject
from simulators.app import ADMIN_PREFIX, create_base_app
from simulators.clock import Clock
from simulators.config import SimulatorConfig
from simulators.contract import TRANSIENT_RESPONSES, ErrorBody
from simulators.store import Scenario

__all__ = ["ScenarioEntry", "create_criminal_records_app", "create_suspicions_app"]

_KIND: dict[Register, EntryKind] = {"criminal_records": "conviction", "suspicions": "suspicion"}
_TITLE: dict[Register, str] = {
    "criminal_records": "Criminal-records register look-up API (belastningsregistret; "
                        "Utväg contract)",
    "suspicions": "Suspicion register look-up API (misstankeregistret; Utväg contract)",
}
_DESCRIPTION = """Batch look-ups in a police register for the register sweeps of ongoing
defector cases. One `POST /lookups` carries up to 500 subjects and an `entries_since`
date and answers with the entries dated on or after it. Subjects are identified by
identity number (disclosed only with the person's consent to the police) together with a
caller-chosen opaque `subject_ref`; entries refer to subjects by `subject_ref` only.
A look-up is a read and safe to repeat. 429, 503 and 504 are transient: retry."""


class LookupSubject(WireLookupSubject):
    """A subject to look up."""

    identity_number: str = Field(
        pattern=r"^\d{12}$", description="Swedish personal identity number: 12 digits."
    )


class LookupRequest(WireLookupRequest):
    """Body of `POST /lookups`."""

    subjects: list[LookupSubject] = Field(min_length=1, max_length=500)  # type: ignore[assignment]


class ScenarioEntry(BaseModel):
    """An entry to hold in the simulated register."""

    identity_number: Annotated[str, Field(pattern=r"^\d{12}$")]
    entry_id: str = Field(min_length=1, max_length=100)
    date: date


class ScenarioEntries(BaseModel):
    entries: list[ScenarioEntry]


class _Register:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: dict[str, dict[str, date]] = defaultdict(dict)
        self.requests = 0
        self.subjects = 0


def create_criminal_records_app(config: SimulatorConfig, /, *,
                                clock: Clock | None = None) -> FastAPI:
    """The criminal-records register simulator (a look-up is answered at once: ``clock``
    is accepted for a uniform factory and unused)."""
    return _create_app(config, register="criminal_records", clock=clock)


def create_suspicions_app(config: SimulatorConfig, /, *, clock: Clock | None = None) -> FastAPI:
    """The suspicion register simulator (``clock``: as above)."""
    return _create_app(config, register="suspicions", clock=clock)


def _create_app(config: SimulatorConfig, *, register: Register, clock: Clock | None) -> FastAPI:
    # The register's entries are its scenario; the common per-case overrides do not apply
    # to a read-only look-up.
    app, _store = create_base_app(config, title=_TITLE[register], description=_DESCRIPTION,
                                  scenario_type=Scenario, clock=clock)
    state = _Register()
    kind = _KIND[register]

    @app.post(
        "/lookups",
        operation_id="lookupSubjects",
        summary="Look up a batch of subjects",
        tags=["lookups"],
        responses={
            400: {"model": ErrorBody, "description": "A subject_ref appears twice."},
            **TRANSIENT_RESPONSES,
        },
    )
    async def lookup(body: LookupRequest) -> LookupResult:
        """Entries dated on or after `entries_since` for any of the subjects, each with its
        stable `entry_id`, the subject's `subject_ref`, its date and kind. Subjects without
        entries are simply absent from `entries`; `checked` counts all subjects."""
        refs = [s.subject_ref for s in body.subjects]
        if len(set(refs)) != len(refs):
            raise HTTPException(400, "subject_ref must be unique within a request")
        found: list[RegisterEntry] = []
        with state.lock:
            state.requests += 1
            state.subjects += len(refs)
            for subject in body.subjects:
                for entry_id, on in state.entries.get(subject.identity_number, {}).items():
                    if on >= body.entries_since:
                        found.append(RegisterEntry(entry_id=entry_id, date=on, kind=kind,
                                                   subject_ref=subject.subject_ref))
        return LookupResult(register_name=register, checked=len(refs), entries=found)

    admin = APIRouter(prefix=ADMIN_PREFIX, include_in_schema=False)

    @admin.post("/entries", status_code=204)
    async def add_entries(body: ScenarioEntries) -> None:
        with state.lock:
            for entry in body.entries:
                state.entries[entry.identity_number][entry.entry_id] = entry.date

    @admin.delete("/entries", status_code=204)
    async def clear_entries() -> None:
        with state.lock:
            state.entries.clear()
            state.requests = state.subjects = 0

    @admin.get("/lookups")
    async def lookups() -> dict[str, int]:
        with state.lock:
            return {"requests": state.requests, "subjects": state.subjects}

    app.include_router(admin)
    return app
