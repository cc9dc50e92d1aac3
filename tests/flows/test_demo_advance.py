"""The demo case of `make run` goes through every phase against the simulators when
`utvag demo advance` answers each human decision (here under Prefect's harness)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters import repo
from adapters.db import unit_of_work
from flows.new_case import new_case
from flows.waiting import _form_for
from tasks.cases import load_case
from tasks.intake import open_case
from tests.sims import Sim
from utvag_cli.demo_advance import answer_next

REFERRAL = Path(__file__).resolve().parents[2] / "docs" / "examples" / "referral.json"


def test_the_demo_case_reaches_the_after_phase_through_every_step(
        sims: tuple[Sim, Sim], invited: dict[str, Sim], monkeypatch: pytest.MonkeyPatch) -> None:
    import utvag_cli.demo_advance as demo

    inputs: list[dict[str, Any] | None] = []
    monkeypatch.setattr(demo, "wake_case", lambda _id, run_input=None: inputs.append(run_input)
                        or "resumed")
    opened = open_case(json.loads(REFERRAL.read_text(encoding="utf-8")), now=datetime.now(UTC))
    answered: list[str] = []
    for _ in range(20):
        result = new_case(case_id=opened.case_id)
        if result["phase"] == "after":
            break
        # On the real stack the run is suspended on this form, and Prefect refuses to
        # resume it without input the form validates.
        form = _form_for(load_case(opened.case_id))
        answered.append(answer_next(opened.case_number).split(";")[0])
        if form is not None:
            form(**inputs[-1] or {})
    assert result["reason"] == "after phase: follow-up", answered
    with unit_of_work() as session:
        phases = {e.phase for e in repo.journal_entries(session, opened.case_id)}
        kinds = {e.kind for e in repo.journal_entries(session, opened.case_id)}
    assert phases == {"before", "during", "after"}
    assert {"admitted", "routed", "meeting_decided", "plan_approved", "grant_decided",
            "relocation_decided", "protection_decided", "belongings_ordered",
            "belongings_delivered", "transfer_answered", "established"} <= kinds
    assert "answered consent" in answered, "the demo case asks consent for new agencies"
