"""Relapse detection: which register entries flag a case."""

from __future__ import annotations

import uuid
from datetime import date

from models.relapse import Finding, is_relapse, relapses

ADMITTED = date(2026, 3, 1)


def test_an_entry_dated_after_admission_is_a_relapse() -> None:
    assert is_relapse(date(2026, 3, 2), admitted_on=ADMITTED)


def test_an_entry_on_the_admission_day_is_flagged_for_a_human_to_assess() -> None:
    assert is_relapse(ADMITTED, admitted_on=ADMITTED)


def test_an_entry_dated_before_admission_is_history_not_a_relapse() -> None:
    assert not is_relapse(date(2026, 2, 28), admitted_on=ADMITTED)


def test_findings_flag_once_per_entry_and_only_after_their_own_cases_admission() -> None:
    early, late = uuid.uuid4(), uuid.uuid4()
    findings = [
        Finding(early, "suspicions", "M-1", "suspicion", date(2026, 2, 1)),
        Finding(early, "suspicions", "M-1", "suspicion", date(2026, 2, 1)),
        Finding(late, "suspicions", "M-2", "suspicion", date(2026, 2, 1)),
        Finding(early, "criminal_records", "M-1", "conviction", date(2026, 2, 1)),
        Finding(uuid.uuid4(), "suspicions", "M-3", "suspicion", date(2026, 9, 1)),
    ]
    flagged = relapses(findings, admitted_on={early: date(2026, 1, 1), late: ADMITTED})
    assert [(f.case_id, f.register, f.entry_id) for f in flagged] == [
        (early, "suspicions", "M-1"), (early, "criminal_records", "M-1")]
