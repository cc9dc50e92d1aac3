"""The register port: what a sweep needs from a police register."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from adapters.registers.schemas import LookupResult, Register, Subject

__all__ = ["RegisterPort"]


class RegisterPort(Protocol):
    """Looks up a batch of subjects in one register. Async: a sweep keeps several look-ups
    in flight. Raises only ``adapters.errors.AgencyError`` subclasses; never retries."""

    register: Register

    async def lookup(self, *, subjects: Sequence[Subject],
                     entries_since: date) -> LookupResult:
        """Entries dated on or after ``entries_since`` for any of the subjects
        (at most ``MAX_SUBJECTS_PER_LOOKUP``). A read: safe to repeat."""
        ...
