"""A case brought to its relocation decision under the harness, for flow tests."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from flows.new_case import new_case
from models.action_plan import InterventionKind
from models.enums import Need
from tasks.action_plan import (
    InterventionIn,
    add_intervention,
    approve_plan,
    register_provider,
    vet_provider,
)
from tasks.grants import record_statement
from tasks.intake import open_case
from tasks.meeting import record_needs
from tests.factories import referral

NOW = datetime.now(UTC)
ADDRESS = "Hemligvägen 17, 981 31"
DESTINATION = "2584"  # Kiruna; the placing municipality 0180 is the exclusion zone
MOVER = "Flyttfirman Norr AB"
CONSENTS = [{"agency": a, "legal_basis": "samtycke"}
            for a in ("police", "social_services", "tax_agency")]


def at_relocation(*, consents: list[dict[str, str]] = CONSENTS,
                  mover: str | None = None) -> uuid.UUID:
    """A new case (Tolvan, gang milieu: high threat, relocation required) whose plan moves
    the belongings (by `mover` when given, vetted here), waiting for the relocation."""
    case_id = open_case(referral(consents=consents), now=NOW).case_id
    new_case(case_id=case_id)
    record_needs(case_id, needs=[Need.HOUSING], network=[], by="coordinator-anna")
    new_case(case_id=case_id)
    if mover:
        register_provider(mover)
        vet_provider(mover, by="unit-head-eva", on=NOW.date(), next_follow_up_due=date(2099, 1, 1))
    add_intervention(case_id, InterventionIn(kind=InterventionKind.MOVING_BELONGINGS,
                                             start=NOW.date(), planned_end=date(2027, 3, 1),
                                             cost_sek=15_000, provider=mover),
                     by="coordinator-anna")
    approve_plan(case_id, by="coordinator-anna")
    new_case(case_id=case_id)
    record_statement(case_id, supports=True, by="police-coordinator-li")
    assert new_case(case_id=case_id)["reason"] == "relocation decision"
    return case_id
