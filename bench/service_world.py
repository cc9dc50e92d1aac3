"""The service benchmark's world: a few hundred cases in two municipalities (Stockholm
0180 and Göteborg 1480), made through the services as a case's run would make them
(`tests/factories.py` and `tests/states.py`: intake, the agencies' answers from the
recording fakes, admission, plan, grant, relocation), so that every case view the
benchmark reads has the rows a real one has: journal, criteria, consents, waits,
threat assessment, needs, plan, grant, relocation.

Per municipality, of every ten cases:
    4 in the before phase, waiting for the coordinator's answer on "motivated"
      (the case the benchmark's clients record decisions on: the answer is an
      idempotent upsert, so repeating it is realistic and changes nothing but the
      journal)
    3 admitted (waiting for the needs assessment)
    2 at the action plan
    1 relocated (protected personal data asked for)
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta

from services.intake import OpenedCase
from services.runtime import Runtime

MUNICIPALITIES = ("0180", "1480")
PLAN = ("before",) * 4 + ("admitted",) * 3 + ("at_plan",) * 2 + ("relocated",)
NAMES = ("Ali", "Anna", "Bo", "Cecilia", "David", "Elin", "Fredrik", "Hanna", "Ivan", "Jonna")
SURNAMES = ("Andersson", "Berg", "Carlsson", "Dahl", "Ek", "Forsberg", "Holm", "Lind")


@dataclass
class World:
    """Case numbers per municipality; `deciding` are those waiting for a criterion."""

    cases: dict[str, list[str]] = field(default_factory=dict)
    deciding: dict[str, list[str]] = field(default_factory=dict)
    ids: dict[str, uuid.UUID] = field(default_factory=dict)  # case number -> id

    @property
    def size(self) -> int:
        return sum(len(c) for c in self.cases.values())


def _person(i: int) -> dict[str, str]:
    from tests.factories import identity_number

    born = date(1985, 1, 1) + timedelta(days=37 * (i // 900))
    return {"identity_number": identity_number(born=born, serial=1 + i % 900),
            "name": f"{NAMES[i % len(NAMES)]} {SURNAMES[(i // len(NAMES)) % len(SURNAMES)]}"}


def _referral(i: int, municipality: str) -> dict[str, object]:
    from tests.factories import referral

    return referral(person=_person(i), placing_municipality=municipality,
                    recorded_by=f"coord-{municipality}",
                    consents=[{"agency": a, "legal_basis": "samtycke enligt OSL 10:1"}
                              for a in ("police", "social_services", "tax_agency")])


def _one(rt: Runtime, i: int, municipality: str, kind: str) -> tuple[str, uuid.UUID]:
    from models.enums import Criterion
    from models.waits import Wait
    from services import waits
    from tests import states
    from tests.factories import open_case
    from tests.fakes.agencies import FakeAgencies

    referral = _referral(i, municipality)
    if kind == "before":
        eligibility = dict(referral["eligibility"])  # type: ignore[call-overload]
        del eligibility["motivated"]  # the coordinator answers it later
        opened = open_case(rt, **{**referral, "eligibility": eligibility})
        waits.open_waits(rt, opened.case_id, [Wait.criterion(Criterion.MOTIVATED)])
    else:
        makers: dict[str, Callable[..., OpenedCase]] = {
            "admitted": states.admitted, "at_plan": states.at_plan,
            "relocated": states.relocated}
        opened = makers[kind](rt, FakeAgencies(), **referral)
    return opened.case_number, opened.case_id


def build(rt: Runtime, cases: int, *, seed: int = 11, first: int = 0,
          threads: int = 8) -> World:
    """`cases` cases, half in each municipality, made on `threads` threads (the time
    goes to database round trips)."""
    world = World({m: [] for m in MUNICIPALITIES}, {m: [] for m in MUNICIPALITIES})
    plan = [(first + i, MUNICIPALITIES[i % 2], PLAN[(i // 2) % len(PLAN)])
            for i in range(cases)]
    with ThreadPoolExecutor(threads) as pool:
        made = list(pool.map(lambda job: _one(rt, *job), plan))
    for (_, municipality, kind), (number, case_id) in zip(plan, made, strict=True):
        world.cases[municipality].append(number)
        if kind == "before":
            world.deciding[municipality].append(number)
        world.ids[number] = case_id
    rng = random.Random(seed)  # noqa: S311 - an order, no secret
    for numbers in (*world.cases.values(), *world.deciding.values()):
        rng.shuffle(numbers)
    return world
