"""What every use case needs besides its arguments: settings, the clock, the database
and the cipher. Built once per process (`runtime()`, the composition root for the
CLI, the service and the workers) or by a test with fakes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session

from adapters.clock import Clock, SystemClock
from adapters.db import Database, database_for
from adapters.settings import Settings, get_settings
from models.crypto import Cipher
from models.enums import WaitKind

if TYPE_CHECKING:
    from models.principal import Principal


class Runtime:
    """Not a dataclass on purpose: Prefect walks dataclasses handed to tasks as
    parameters, and this one holds an engine and a key."""

    def __init__(self, *, settings: Settings, db: Database, clock: Clock | None = None,
                 cipher: Cipher | None = None) -> None:
        self.settings = settings
        self.db = db
        self.clock: Clock = clock or SystemClock()
        if cipher is not None and cipher.person_keys is None:
            from services.person_keys import DbPersonKeys  # persons' own data keys

            cipher.person_keys = DbPersonKeys(db)
        self._cipher = cipher
        self._parent: Runtime | None = None
        self.principal: Principal | None = None

    @property
    def cipher(self) -> Cipher:
        """Loaded on first use: a process that never touches personal data (an operator's
        status) never needs the key."""
        if self._cipher is None:
            from services.keys import load_cipher  # checks the key against the database

            self._cipher = (self._parent.cipher if self._parent is not None
                            else load_cipher(self.settings, self.db, now=self.now()))
        return self._cipher

    def acting_as(self, principal: Principal) -> Runtime:
        """This runtime for one authenticated person: every transaction it opens binds
        them for row-level security first (`adapters.rls.bind`). Shares the engine, the
        clock and the key with this one."""
        acting = Runtime(settings=self.settings, db=self.db, clock=self.clock,
                         cipher=self._cipher)
        acting._parent = self._parent or self
        acting.principal = principal
        return acting

    def on(self, db: Database, *, settings: Settings | None = None) -> Runtime:
        """This runtime on another database (the case service's role), sharing the
        clock and the key (loaded on first use, as here)."""
        other = Runtime(settings=settings or self.settings, db=db, clock=self.clock,
                        cipher=self._cipher)
        other._parent = self._parent or self
        return other

    def now(self) -> datetime:
        return self.clock.now()

    @contextmanager
    def uow(self) -> Iterator[Session]:
        with self.db.uow() as session:
            if self.principal is not None:
                from adapters.rls import bind

                bind(session, self.principal, now=self.now())
            yield session

    def deadline(self, kind: WaitKind, *, at: datetime) -> datetime:
        """When a new wait of this kind is overdue."""
        days = {WaitKind.AGENCY_ANSWER: self.settings.agency_answer_deadline_days,
                WaitKind.RELAPSE_ASSESSMENT: self.settings.relapse_assessment_deadline_days,
                }.get(kind, self.settings.wait_deadline_days)
        return at + timedelta(days=days)


_RUNTIME: Runtime | None = None


def runtime(settings: Settings | None = None) -> Runtime:
    """The process's runtime from its settings (the composition root)."""
    global _RUNTIME
    if settings is not None:
        return Runtime(settings=settings, db=database_for(settings))
    if _RUNTIME is None:
        base = get_settings()
        _RUNTIME = Runtime(settings=base, db=database_for(base))
    return _RUNTIME
