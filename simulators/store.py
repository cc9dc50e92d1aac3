"""The idempotent request store every agency simulator keeps: requests by
Idempotency-Key, POST counts, and per-case scenario overrides; in memory, optionally
written through to a JSON file so a restarted simulator keeps its requests.

Only non-personal fields are stored (case number, milieu, municipality codes): name and
identity number are validated by the app, then dropped, so no state file holds them.
"""

from __future__ import annotations

import os
import tempfile
import threading
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar

from fastapi import HTTPException
from pydantic import BaseModel, ConfigDict, Field

from simulators.clock import Clock, SystemClock

__all__ = ["RequestStore", "RequestsSummary", "Scenario", "StoredRequest"]


class Scenario(BaseModel):
    """What any agency's scenario may override for one case number; each agency's own
    scenario type adds the outcome it can give. Absent fields keep the default."""

    model_config = ConfigDict(extra="forbid")

    answer_delay_seconds: float | None = Field(default=None, ge=0.0)
    reject_status: int | None = Field(
        default=None, ge=400, le=599, description="Answer new POSTs for the case with this."
    )


S = TypeVar("S", bound=Scenario)


class StoredRequest(BaseModel):
    """One created request: only what is needed to compute the answer."""

    request_id: str
    idempotency_key: str
    case_number: str
    created_at: datetime
    answer_delay_seconds: float
    details: dict[str, str]

    @property
    def ready_at(self) -> datetime:
        """When the agency's answer becomes available (and the time it is dated)."""
        return self.created_at + timedelta(seconds=self.answer_delay_seconds)

    def is_ready(self, now: datetime) -> bool:
        """Whether the answer is available at ``now`` (the simulator's clock)."""
        return now >= self.ready_at


class RequestsSummary(BaseModel):
    """Answer of ``GET /_admin/requests``."""

    by_idempotency_key: dict[str, int]
    resources: int


class _State(BaseModel):
    requests: dict[str, StoredRequest] = Field(default_factory=dict)
    request_by_key: dict[str, str] = Field(default_factory=dict)
    post_counts: dict[str, int] = Field(default_factory=dict)
    # As given (validated against the agency's scenario type when set and when read).
    scenarios: dict[str, dict[str, Any]] = Field(default_factory=dict)


def _rejected(status: int) -> HTTPException:
    headers = {"Retry-After": "0"} if status in (429, 503) else None
    return HTTPException(status, f"rejected by scenario (HTTP {status})", headers)


class RequestStore(Generic[S]):
    """Idempotent request store; every change is written through to ``state_file``."""

    def __init__(self, state_file: Path | None, *, scenario_type: type[S],
                 clock: Clock | None = None) -> None:
        self._state_file = state_file
        self._scenario_type = scenario_type
        self.clock: Clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._state = _State()
        if state_file is not None and state_file.exists():
            self._state = _State.model_validate_json(state_file.read_bytes())

    @property
    def scenario_type(self) -> type[S]:
        return self._scenario_type

    def is_ready(self, record: StoredRequest) -> bool:
        """Whether the agency's answer to ``record`` is available now."""
        return record.is_ready(self.clock.now())

    def submit(
        self, *, idempotency_key: str, case_number: str, details: dict[str, str], delay: float
    ) -> tuple[StoredRequest, bool]:
        """Create a request, or return the one already created under this key.

        Returns ``(request, created)``. Raises ``HTTPException`` 409 when the key was used
        for another case number, or the scenario's ``reject_status`` for this case.
        """
        with self._lock:
            state = self._state
            state.post_counts[idempotency_key] = state.post_counts.get(idempotency_key, 0) + 1
            existing_id = state.request_by_key.get(idempotency_key)
            if existing_id is not None:
                existing = state.requests[existing_id]
                self._save()
                if existing.case_number != case_number:
                    raise HTTPException(409, "Idempotency-Key already used for another case")
                return existing, False
            scenario = self._scenario(case_number)
            if scenario.reject_status is not None:
                self._save()
                raise _rejected(scenario.reject_status)
            if scenario.answer_delay_seconds is not None:
                delay = scenario.answer_delay_seconds
            record = StoredRequest(
                request_id=str(uuid.uuid4()),
                idempotency_key=idempotency_key,
                case_number=case_number,
                created_at=self.clock.now(),
                answer_delay_seconds=delay,
                details=details,
            )
            state.requests[record.request_id] = record
            state.request_by_key[idempotency_key] = record.request_id
            self._save()
            return record, True

    def submit_many(self, items: Sequence[tuple[str, str, dict[str, str]]]
                    ) -> list[tuple[StoredRequest, bool]]:
        """``submit`` of many ``(idempotency_key, case_number, details)`` at once (no
        answer delay), written through once. All or nothing: a key used for another case
        (409) or a scenario rejecting a case refuses the whole batch before anything is
        recorded."""
        with self._lock:
            state = self._state
            for key, case_number, _ in items:
                existing_id = state.request_by_key.get(key)
                if existing_id is not None and \
                        state.requests[existing_id].case_number != case_number:
                    raise HTTPException(409, "Idempotency-Key already used for another case")
                status = self._scenario(case_number).reject_status
                if status is not None:
                    raise _rejected(status)
            out: list[tuple[StoredRequest, bool]] = []
            now = self.clock.now()
            for key, case_number, details in items:
                state.post_counts[key] = state.post_counts.get(key, 0) + 1
                existing_id = state.request_by_key.get(key)
                if existing_id is not None:
                    out.append((state.requests[existing_id], False))
                    continue
                record = StoredRequest(request_id=str(uuid.uuid4()), idempotency_key=key,
                                       case_number=case_number, created_at=now,
                                       answer_delay_seconds=0.0, details=details)
                state.requests[record.request_id] = record
                state.request_by_key[key] = record.request_id
                out.append((record, True))
            self._save()
            return out

    def get(self, request_id: str) -> StoredRequest:
        """The stored request, or ``HTTPException`` 404."""
        with self._lock:
            record = self._state.requests.get(request_id)
        if record is None:
            raise HTTPException(404, "Unknown request_id")
        return record

    def answer_now(self, case_number: str | None = None) -> int:
        """Make every pending request (of one case, or all) answerable at once, dated now;
        returns how many were pending. Requests created later keep their delay."""
        with self._lock:
            now = self.clock.now()
            answered = 0
            for record in self._state.requests.values():
                if case_number not in (None, record.case_number) or record.is_ready(now):
                    continue
                record.answer_delay_seconds = max(
                    (now - record.created_at).total_seconds(), 0.0)
                answered += 1
            if answered:
                self._save()
            return answered

    def scenario(self, case_number: str) -> S:
        """The override for a case (an empty one when none is set)."""
        with self._lock:
            return self._scenario(case_number)

    def set_scenario(self, case_number: str, scenario: S | None) -> None:
        """Set (or with ``None`` remove) the override for a case."""
        with self._lock:
            if scenario is None:
                self._state.scenarios.pop(case_number, None)
            else:
                self._state.scenarios[case_number] = scenario.model_dump(
                    mode="json", exclude_unset=True)
            self._save()

    def summary(self) -> RequestsSummary:
        """POST counts per idempotency key and the number of created resources."""
        with self._lock:
            return RequestsSummary(
                by_idempotency_key=dict(self._state.post_counts),
                resources=len(self._state.requests),
            )

    def reset(self) -> None:
        """Forget everything (requests, counts, scenarios)."""
        with self._lock:
            self._state = _State()
            self._save()

    def _scenario(self, case_number: str) -> S:
        # Nulls dropped: state files written before scenarios were per agency hold every
        # agency's fields, unset ones as null.
        given = self._state.scenarios.get(case_number, {})
        return self._scenario_type.model_validate(
            {name: value for name, value in given.items() if value is not None})

    def _save(self) -> None:
        """Atomically replace the state file so a crash never leaves half a file."""
        if self._state_file is None:
            return
        directory = self._state_file.parent
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{self._state_file.name}.")
        with os.fdopen(fd, "wb") as handle:
            handle.write(self._state.model_dump_json(indent=2).encode())
        os.replace(tmp, self._state_file)
