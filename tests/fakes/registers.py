"""Fakes of the police registers (`RegisterPort`, async like the adapter): entries per
person, faults as told, and a record of every look-up, the failed ones included."""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date

from adapters.errors import AgencyError, PermanentAgencyError, RetryableAgencyError
from adapters.registers import LookupResult, Register, RegisterEntry, RegisterPort, Subject
from adapters.settings import Settings

KIND = {"criminal_records": "conviction", "suspicions": "suspicion"}


@dataclass(frozen=True)
class Lookup:
    """One call as the register received it."""

    register: str
    subject_refs: tuple[str, ...]
    identity_numbers: tuple[str, ...]
    entries_since: date


@dataclass
class FakeRegister:
    register: Register
    # identity number (12 digits) -> (entry id, date) of each entry about the person
    entries: dict[str, list[tuple[str, date]]] = field(default_factory=dict)
    lookups: list[Lookup] = field(default_factory=list)
    faults: deque[AgencyError] = field(default_factory=deque)
    down: AgencyError | None = None  # every call fails with this until `heal`
    # Awaited inside every call before it answers (a barrier, a restart, a delay).
    during_lookup: Callable[[Lookup], Awaitable[None]] | None = None

    def add(self, identity_number: str, entry_id: str, on: date) -> None:
        self.entries.setdefault(identity_number, []).append((entry_id, on))

    def fail_next(self, times: int = 1, *, permanent: bool = False,
                  reason: str = "HTTP 503") -> None:
        error = PermanentAgencyError if permanent else RetryableAgencyError
        self.faults.extend(error(agency=self.register, reason=reason) for _ in range(times))

    def go_down(self, *, reason: str = "timeout after 1.0 s") -> None:
        self.down = RetryableAgencyError(agency=self.register, reason=reason)

    def heal(self) -> None:
        self.down = None
        self.faults.clear()

    async def lookup(self, *, subjects: Sequence[Subject],
                     entries_since: date) -> LookupResult:
        call = Lookup(self.register, tuple(s["subject_ref"] for s in subjects),
                      tuple(s["identity_number"] for s in subjects), entries_since)
        self.lookups.append(call)
        if self.during_lookup is not None:
            await self.during_lookup(call)
        if self.faults:
            raise self.faults.popleft()
        if self.down is not None:
            raise self.down
        found = [RegisterEntry(entry_id=entry_id, subject_ref=s["subject_ref"], date=on,
                               kind=KIND[self.register])
                 for s in subjects for entry_id, on in self.entries.get(s["identity_number"], [])
                 if on >= entries_since]
        return LookupResult(register_name=self.register, checked=len(subjects), entries=found)

    def subjects_looked_up(self) -> list[str]:
        """subject_ref (case id) of every subject of every call, repeats included."""
        return [ref for call in self.lookups for ref in call.subject_refs]


@dataclass
class FakeRegisters:
    """Both registers, opened the way `adapters.registry.register_ports` opens the real
    ones (`open` is an `OpenRegisters`)."""

    criminal_records: FakeRegister = field(
        default_factory=lambda: FakeRegister("criminal_records"))
    suspicions: FakeRegister = field(default_factory=lambda: FakeRegister("suspicions"))
    opened: list[int] = field(default_factory=list)  # in_flight of every opening

    @asynccontextmanager
    async def open(self, settings: Settings, *,
                   in_flight: int) -> AsyncIterator[Mapping[str, RegisterPort]]:
        self.opened.append(in_flight)
        yield {"criminal_records": self.criminal_records, "suspicions": self.suspicions}

    def both(self) -> tuple[FakeRegister, FakeRegister]:
        return self.criminal_records, self.suspicions
