"""The request's context as a typed dependency: who is acting (from a verified bearer
token, never from typed input), the runtime bound to them for row-level security, the
waker, and `allow()` in front of every use case.

    Actor = Annotated[Context, Depends(context)]
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request

from adapters.oidc import InvalidToken, Verifier
from caseservice.errors import ApiError, not_found, unauthenticated
from caseservice.guards import Throttle
from caseservice.waker import Waker
from models.principal import Principal, PrincipalError
from services.access.authorize import Fields, NotFound, authorize
from services.access.policy import Action
from services.access.relations import Standing
from services.runtime import Runtime

CASE_NUMBER = r"^UTV-[0-9]{4}-[0-9]{6}$"
CaseRef = Annotated[str, Path(pattern=CASE_NUMBER, max_length=15,
                              description="the case number, UTV-YYYY-NNNNNN")]


@dataclass(frozen=True)
class Services:
    """What `create_app` was handed; kept on `app.state.services`."""

    rt: Runtime
    verifier: Verifier
    waker: Waker
    throttle: Throttle


@dataclass(frozen=True)
class Context:
    principal: Principal
    rt: Runtime  # acting as the principal: every transaction binds them
    waker: Waker

    @property
    def by(self) -> str:
        return self.principal.staff_id

    def allow(self, action: Action, case: str | uuid.UUID | None = None, *,
              fields: Fields = ()) -> Standing | None:
        """Authorize (journaled); 404 as if nothing were there otherwise."""
        try:
            return authorize(self.rt, self.principal, action, case, fields=fields)
        except NotFound:
            raise not_found() from None

    def case(self, action: Action, case: str, *, fields: Fields = ()) -> Standing:
        found = self.allow(action, case, fields=fields)
        assert found is not None, f"{action} is an action on a case"
        return found


def services_of(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def context(request: Request) -> Context:
    services = services_of(request)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthenticated()
    try:
        principal = Principal.from_claims(services.verifier.verify(token.strip()))
    except (InvalidToken, PrincipalError):
        raise unauthenticated() from None
    request.state.subject = principal.subject
    wait = services.throttle.retry_after(f"sub:{principal.subject}")
    if wait is not None:
        raise ApiError(429, None, "too many failed requests; try again later",
                       headers={"Retry-After": str(wait)})
    return Context(principal, services.rt.acting_as(principal), services.waker)


Actor = Annotated[Context, Depends(context)]
