"""A small world for the case service's tests: two municipalities' cases, brought to
their states by the services directly (tests/states.py), with the relations every test
user stands in to them written out by hand here (what the policy must find).

    A: placed by Stockholm (0180), relocated to Kiruna (2584), the transfer accepted
       by Kiruna, on probation (disclosed to Kriminalvården), police contact assigned.
    B: placed by Göteborg (1480), admitted, a protected identity (skyddad folkbokföring).
    C: placed by Stockholm, relocated to Kiruna: Kiruna is the destination, no transfer
       offered yet (it may confirm the belongings, not see the case).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from models.principal import Principal, Role
from services.access import caseload
from services.access.policy import Relation
from services.runtime import Runtime
from tests import states
from tests.factories import identity_number
from tests.fakes.agencies import FakeAgencies
from tests.service import tokens as u

ANNA = "Anna Andersson"
BO = "Bo Bergström"


@dataclass(frozen=True)
class World:
    a: str  # case numbers
    b: str
    c: str
    transfer_from: date


def build(rt: Runtime) -> World:
    a = states.in_after_phase(
        rt, FakeAgencies(), custody_status="on_probation",
        consents=states.consents("police", "social_services", "tax_agency", "kriminalvarden"),
        person={"identity_number": identity_number(serial=101), "name": ANNA})
    b = states.admitted(rt, FakeAgencies(), placing_municipality="1480",
                        person={"identity_number": identity_number(serial=202), "name": BO,
                                "protection_level": "skyddad_folkbokforing"})
    sthlm = Principal(subject=u.COORDINATOR_STHLM.subject, staff_id="coord-sthlm", name="C",
                      organisation="municipality:0180", roles=frozenset({Role.COORDINATOR}))
    caseload.assign(rt, sthlm, a.case_id, staff_id=u.POLICE_ASSIGNED.staff_id,
                    organisation=u.POLICE_ASSIGNED.organisation, role=Role.POLICE_CONTACT)
    c = states.relocated(rt, FakeAgencies(), person={
        "identity_number": identity_number(serial=303), "name": "Cecilia Carlsson"})
    return World(a.case_number, b.case_number, c.case_number,
                 transfer_from=rt.now().date() + timedelta(days=30))


# Each user's relations to case A, as the world above makes them.
RELATIONS_TO_A: dict[u.User, frozenset[Relation]] = {
    u.COORDINATOR_STHLM: frozenset({Relation.PLACING}),
    u.HANDLER_STHLM: frozenset({Relation.PLACING}),
    u.COORDINATOR_KIRUNA: frozenset({Relation.DESTINATION, Relation.RECEIVING}),
    u.COORDINATOR_GBG: frozenset(),
    u.HANDLER_GBG: frozenset(),
    u.POLICE_ASSIGNED: frozenset({Relation.POLICE}),
    u.POLICE_OTHER: frozenset(),
    u.GRANTS: frozenset(),
    u.PROBATION: frozenset({Relation.AGENCY}),
    u.EMPLOYMENT: frozenset(),
    u.OPERATOR: frozenset(),
    u.AUDITOR: frozenset(),
}

# ... and to case C.
RELATIONS_TO_C: dict[u.User, frozenset[Relation]] = {
    **{user: frozenset() for user in RELATIONS_TO_A},
    u.COORDINATOR_STHLM: frozenset({Relation.PLACING}),
    u.HANDLER_STHLM: frozenset({Relation.PLACING}),
    u.COORDINATOR_KIRUNA: frozenset({Relation.DESTINATION}),
}
