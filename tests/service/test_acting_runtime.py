"""Every transaction the service opens binds the person for row-level security."""

from __future__ import annotations

from sqlalchemy import text

from models.principal import Principal, Role
from services.runtime import Runtime


def test_a_runtime_acting_as_a_person_binds_them_in_every_transaction(rt: Runtime) -> None:
    person = Principal(subject="sub-1", staff_id="coord-sthlm", name="C",
                       organisation="municipality:0180",
                       roles=frozenset({Role.COORDINATOR, Role.SOCIAL_HANDLER}))
    acting = rt.acting_as(person)
    for _ in range(2):
        with acting.uow() as session:
            bound = session.execute(text(
                "SELECT current_setting('utvag.staff_id', true), "
                "current_setting('utvag.org', true), current_setting('utvag.roles', true)"
            )).one()
            assert tuple(bound) == ("coord-sthlm", "municipality:0180",
                                    "coordinator,social_handler")
    with rt.uow() as session:  # the runtime itself (workers) binds no one
        assert session.execute(text(
            "SELECT coalesce(current_setting('utvag.staff_id', true), '')")).scalar() == ""
    assert acting.cipher is rt.cipher and acting.clock is rt.clock
