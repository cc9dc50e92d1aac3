"""`authorize()`: may this principal take this action (on this case)? The one check in
front of every use case the case service offers.

Allowed: the access is journaled (its own committed transaction) and the principal's
`Standing` to the case is returned. Not allowed, or no such case: `NotFound`, the same
answer either way, and the attempt journaled as denied. A case opened through
break-glass alone is journaled with the outcome `break_glass`.

Under row-level security (the service as `utvag_app`) a case outside the principal's
scope is not read at all: the database's `utvag_case_id` gives its id by number and
nothing else, so a refusal is journaled with the case it was about and break-glass
(the one action that needs no relation) can open it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

from adapters import rls
from adapters.repositories.cases import CaseNotFound, find_case
from models.principal import Principal
from services.access.log import Outcome, log_access
from services.access.policy import POLICY, Action, Relation, allowed
from services.access.relations import Standing, hidden, standing
from services.runtime import Runtime

IDENTITY_FIELDS = frozenset({"name", "identity_number"})
Fields = Iterable[str] | Callable[[Standing], Iterable[str]]


class NotFound(LookupError):
    """Out of scope or not there: the caller cannot tell which (HTTP 404)."""

    def __init__(self) -> None:
        super().__init__("not found")


def authorize(rt: Runtime, principal: Principal, action: Action,
              case_ref: str | uuid.UUID | None = None, *,
              fields: Fields = ()) -> Standing | None:
    """The principal's standing to the case (None for an action on no case); raises
    `NotFound` (journaled) when the policy does not allow it. `fields`: the personal
    data the answer will carry (or a function of the standing that says which),
    journaled less the identity when it is masked."""
    rule = POLICY[action]
    if rule.relations is None:
        ok = allowed(action, principal.roles)
        log_access(rt, principal, action=action.value, purpose=rule.what,
                   outcome=Outcome.ALLOWED if ok else Outcome.DENIED)
        if not ok:
            raise NotFound()
        return None
    found: Standing | None = None
    if case_ref is not None:
        with rt.uow() as session:
            try:
                case = find_case(session, case_ref)
            except CaseNotFound:
                case = None
            if case is not None:
                found = standing(session, rt.cipher, principal, case, now=rt.now())
            elif isinstance(case_ref, str):
                # A case row-level security hides: its id only, to journal a refusal
                # with it, or to break the glass (no relation to it, identity masked).
                number = case_ref.strip().upper()
                hidden_id = rls.hidden_case_id(session, number)
                found = hidden(hidden_id, number) if hidden_id is not None else None
    relations = found.relations if found else frozenset()
    if found is None or not allowed(action, principal.roles, relations):
        log_access(rt, principal, action=action.value, purpose=rule.what,
                   outcome=Outcome.DENIED, case_id=found.case_id if found else None)
        raise NotFound()
    through_glass = Relation.BREAK_GLASS in relations and not allowed(
        action, principal.roles, relations - {Relation.BREAK_GLASS})
    carried = fields(found) if callable(fields) else fields
    shown = [f for f in carried if not (found.masked and f in IDENTITY_FIELDS)]
    log_access(rt, principal, action=action.value, purpose=rule.what, case_id=found.case_id,
               outcome=Outcome.BREAK_GLASS if through_glass else Outcome.ALLOWED,
               fields=shown)
    return found
