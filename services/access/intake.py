"""Intake through the case service: a referral opened by an authenticated person of
social services, for their own municipality, recorded under their own staff id.

A person who already has an open case in ANOTHER municipality is not revealed to the
referrer: the referral is "accepted for review" (no case number, nothing about where),
the existing case's coordinators are told in its journal, and the probe is journaled in
the access log as denied. Under row-level security the service does not see that case:
the database tells its coordinators (`utvag_intake_probe`, docs/database-roles.md). The
answer has the same shape as an opened case's; its status differs, as it must (no case
was opened for the referrer to work on), but it says no more than that the referral
waits for review. An open case in the referrer's own municipality is theirs to see: its
number comes back.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from adapters.repositories import cases, journal
from models.access_tables import CaseAssignment
from models.journal import Kind
from models.principal import Principal, Role
from models.referral import ReferralError
from services import intake
from services.access.log import Outcome, log_access
from services.runtime import Runtime

Status = Literal["opened", "existing", "accepted_for_review"]


@dataclass(frozen=True)
class Referred:
    status: Status
    case_number: str | None
    case_id: uuid.UUID | None = None  # an opened case's (to start its run); never returned


def open_referral(rt: Runtime, principal: Principal, raw: Mapping[str, Any]) -> Referred:
    own = principal.municipality
    data = dict(raw)
    data.setdefault("placing_municipality", own)
    if data["placing_municipality"] != own:
        raise ReferralError(["placing_municipality: your own municipality only"])
    data["recorded_by"] = principal.staff_id
    opened = intake.open_case(rt, data)
    if opened.created:
        role = Role.COORDINATOR if principal.has(Role.COORDINATOR) else Role.SOCIAL_HANDLER
        with rt.uow() as session:
            session.add(CaseAssignment(case_id=opened.case_id, staff_id=principal.staff_id,
                                       organisation=principal.organisation, role=role.value,
                                       assigned_at=rt.now(), assigned_by=principal.staff_id))
        return Referred("opened", opened.case_number, opened.case_id)
    if opened.placing_municipality == own:
        return Referred("existing", opened.case_number)
    if not opened.told:  # a case elsewhere the principal sees (say, they received it)
        with rt.uow() as session:
            case = cases.lock_case(session, opened.case_id)
            journal.journal(session, case, kind=Kind.NOTE, actor=principal.staff_id,
                            at=rt.now(), reason=f"a referral for this person from "
                            f"{principal.organisation} ({principal.staff_id}) was accepted "
                            "for review; they were not told of this case",
                            data={"intake_probe": True,
                                  "organisation": principal.organisation})
    log_access(rt, principal, action="case.open", outcome=Outcome.DENIED,
               purpose="referral of a person with an open case in another municipality",
               case_id=opened.case_id)
    return Referred("accepted_for_review", None)
