"""The simulators' notion of "now", injectable so that tests move time instead of
sleeping until an agency's answer is due."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "ManualClock", "SystemClock"]


class Clock(Protocol):
    """Where a simulator reads the time (answers due, decision times, deadlines)."""

    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class SystemClock:
    """The real time; the default."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until moved: ``advance`` stands in for waiting.

    Thread-safe, because the simulator reads it from its server thread while the test
    moves it from its own.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._now = start or datetime.now(UTC)
        if self._now.tzinfo is None:
            raise ValueError("start must be timezone-aware")

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float = 0.0, **delta: float) -> datetime:
        """Move forward by ``seconds`` (and/or ``timedelta`` keywords: days=, hours=…)."""
        with self._lock:
            self._now += timedelta(seconds=seconds, **delta)
            return self._now
