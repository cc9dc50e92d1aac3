"""Agency failures as Prefect shows them: without the agency or its address.

A task's failure becomes its state message and a logged traceback in Prefect, built
from the exception's text. An `AgencyError` says which agency failed and where
(`health_care: timeout on POST https://…`): that tells a sensitive category of the
case. Tasks raise the same error opaque instead: same class (retries decide by it),
same attributes (the flow records the reason in the case, where it belongs), but its
text says only what kind of failure it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from adapters.errors import AgencyError, PermanentAgencyError, RetryableAgencyError


class _Opaque(AgencyError):
    def __str__(self) -> str:
        status = f"HTTP {self.status_code}" if self.status_code else "no usable answer"
        return f"an agency request failed ({status})"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code!r})"


class OpaqueRetryableAgencyError(_Opaque, RetryableAgencyError):
    """A `RetryableAgencyError` whose text names no agency."""


class OpaquePermanentAgencyError(_Opaque, PermanentAgencyError):
    """A `PermanentAgencyError` whose text names no agency."""


def opaque(exc: AgencyError) -> AgencyError:
    if isinstance(exc, _Opaque):
        return exc
    cls: type[AgencyError] = (OpaqueRetryableAgencyError
                              if isinstance(exc, RetryableAgencyError)
                              else OpaquePermanentAgencyError)
    return cls(agency=exc.agency, reason=exc.reason, status_code=exc.status_code)


@contextmanager
def agency_errors_opaque() -> Iterator[None]:
    """Inside a task: an `AgencyError` leaves it opaque (its cause not chained)."""
    try:
        yield
    except AgencyError as exc:
        raise opaque(exc) from None
