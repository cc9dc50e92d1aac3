"""The demo of `make run` is walkable with the provider's demo users: the demo case's
placing municipality and the demo's first destination each have a coordinator who can
sign in, and the principal built for the demo's coordinator is the one their token gives."""

from __future__ import annotations

import json

import pytest

from models.principal import Role
from utvag_cli.demo import DEMO_REFERRAL
from utvag_cli.demo_advance import DEMO_DESTINATIONS
from utvag_cli.demo_users import coordinator_of, demo_users, user_lines


def test_the_demo_case_has_a_coordinator_of_its_placing_municipality() -> None:
    placing = json.loads(DEMO_REFERRAL.read_text(encoding="utf-8"))["placing_municipality"]
    coordinator = coordinator_of(placing, demo_users())
    principal = coordinator.principal()
    assert principal.municipality == placing
    assert principal.has(Role.COORDINATOR)
    assert principal.staff_id == coordinator.username == "stockholm.samordnare"


def test_the_demo_relocates_to_a_municipality_whose_coordinator_can_sign_in() -> None:
    receiving = coordinator_of(DEMO_DESTINATIONS[0], demo_users())
    assert receiving.username == "goteborg.samordnare"


def test_a_municipality_without_demo_users_is_named() -> None:
    with pytest.raises(LookupError, match="2584"):
        coordinator_of("2584", demo_users())


def test_every_demo_user_is_listed_with_role_and_organisation() -> None:
    users = demo_users()
    lines = user_lines(users)
    assert len(lines) == len(users)
    assert any(line.split() == ["goteborg.samordnare", "coordinator", "municipality:1480"]
               for line in lines)
