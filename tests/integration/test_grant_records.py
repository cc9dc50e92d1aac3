"""The grants officer's records: decisions checked against the caps and the allocation
decision in force on their date, over every grant of the year (a case's too), payouts
at most what was granted, and every record idempotent by its reference."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from models.grant_model import ApplicantKind, DecidingFunction, DecisionOutcome
from models.grants import GrantKind, RejectionReason
from services.reports.account import grant_account
from services.reports.budget import ledger_entries
from services.reports.records import (
    ApplicationIn,
    DecisionIn,
    GrantRecordError,
    record_application,
    record_decision,
    record_payout,
    record_uses,
)
from services.runtime import Runtime
from tests.grant_support import NOW, add_case_grant

BY = "grants-officer-eva"


def _apply(rt: Runtime, reference: str, kind: GrantKind, applicant_kind: ApplicantKind, *,
           applicant: str | None = None, municipality: str | None = None,
           year: int = 2022) -> None:
    with rt.uow() as session:
        record_application(session, ApplicationIn(
            reference=reference, year=year, kind=kind, applicant_kind=applicant_kind,
            applicant=applicant, municipality_code=municipality), by=BY, now=NOW)


def _grant(rt: Runtime, reference: str, amount: int, on: date) -> None:
    with rt.uow() as session:
        record_decision(session, reference=reference, by=BY, now=NOW, decision=DecisionIn(
            outcome=DecisionOutcome.GRANTED, amount_sek=amount, decided_on=on,
            decided_by=DecidingFunction.NOA_DELEGATE))


def test_direct_operational_support_is_refused_under_the_2022_allocation_decision(
        rt: Runtime) -> None:
    _apply(rt, "D-1", GrantKind.DIRECT_OPERATIONAL, ApplicantKind.PRIVATE_ORGANISATION,
           applicant="Exit Väst ideell förening")
    with pytest.raises(GrantRecordError, match="^kind: the allocation decision of 2022-04-08"):
        _grant(rt, "D-1", 100_000, date(2022, 9, 1))


def test_agency_grants_need_the_joint_assignment_of_30_june_2022(rt: Runtime) -> None:
    _apply(rt, "S-1", GrantKind.AGENCY_DEVELOPMENT, ApplicantKind.AGENCY,
           applicant="Statens institutionsstyrelse")
    with pytest.raises(GrantRecordError, match="joint assignment"):
        _grant(rt, "S-1", 905_000, date(2022, 6, 29))
    _grant(rt, "S-1", 905_000, date(2022, 6, 30))


def test_a_grant_is_checked_against_the_caps_in_force_on_its_day(rt: Runtime) -> None:
    _apply(rt, "I-1", GrantKind.INDIVIDUAL_CASE, ApplicantKind.MUNICIPALITY, municipality="0180")
    _apply(rt, "I-2", GrantKind.INDIVIDUAL_CASE, ApplicantKind.CITY_DISTRICT,
           applicant="Rinkeby-Kista stadsdelsnämnd", municipality="0180")
    add_case_grant(rt, 2_000_000)
    _grant(rt, "I-1", 20_000_000, date(2022, 5, 2))
    # 22 500 000 in force until 30 June: 2 000 000 (the case) + 20 000 000 booked.
    with pytest.raises(GrantRecordError, match="500001 kr exceeds the 500000 kr left of the 2022"):
        _grant(rt, "I-2", 500_001, date(2022, 6, 29))
    _grant(rt, "I-2", 500_001, date(2022, 6, 30))
    with rt.uow() as session:
        assert sum(e.amount_sek for e in ledger_entries(session, year=2022)) == 22_500_001


def test_a_case_decision_is_in_the_account_without_being_copied(rt: Runtime) -> None:
    case_number = add_case_grant(rt, 300_000)
    with rt.uow() as session:
        account = grant_account(session, year=2022)
        record_payout(session, reference="P-1", case_number=case_number, amount_sek=300_000,
                      paid_on=date(2022, 9, 20), by=BY, now=NOW)
        with pytest.raises(GrantRecordError, match="^amount_sek: 1 kr is more than the 0 kr"):
            record_payout(session, reference="P-2", case_number=case_number, amount_sek=1,
                          paid_on=date(2022, 9, 21), by=BY, now=NOW)
    assert {row[0].text: row[1].value for row in account.municipalities.rows} == \
        {"Malmö": None}  # one application: "<5"
    assert account.municipalities.rows[0][3].value == 300_000
    assert [(row[0].text, row[2].value) for row in account.uses.rows] == \
        [("Sysselsättning", 300_000), ("Totalt", 300_000)]
    with rt.db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM grant_application")).scalar_one() == 0


def test_records_are_idempotent_by_reference_and_refuse_other_values(rt: Runtime) -> None:
    _apply(rt, "I-1", GrantKind.INDIVIDUAL_CASE, ApplicantKind.MUNICIPALITY, municipality="0180")
    _apply(rt, "I-1", GrantKind.INDIVIDUAL_CASE, ApplicantKind.MUNICIPALITY, municipality="0180")
    with pytest.raises(GrantRecordError, match="^reference: I-1 is already recorded"):
        _apply(rt, "I-1", GrantKind.INDIVIDUAL_CASE, ApplicantKind.MUNICIPALITY,
               municipality="1280")
    _grant(rt, "I-1", 100_000, date(2022, 8, 1))
    _grant(rt, "I-1", 100_000, date(2022, 8, 1))
    with rt.uow() as session:
        assert record_uses(session, reference="I-1", uses={"occupation": 60_000}).created
        assert not record_uses(session, reference="I-1", uses={"occupation": 60_000}).created
        paid = record_payout(session, reference="P-9", application="I-1", amount_sek=60_000,
                             paid_on=date(2022, 8, 15), by=BY, now=NOW)
        again = record_payout(session, reference="P-9", application="I-1", amount_sek=60_000,
                              paid_on=date(2022, 8, 15), by=BY, now=NOW)
        assert (paid.created, again.created) == (True, False)
        with pytest.raises(GrantRecordError, match="^uses: 100001 kr is more than"):
            record_uses(session, reference="I-1", uses={"occupation": 100_001})
    with rt.uow() as session, pytest.raises(GrantRecordError, match="decided otherwise"):
        record_decision(session, reference="I-1", by=BY, now=NOW, decision=DecisionIn(
            outcome=DecisionOutcome.REJECTED, rejection_reason=RejectionReason.INCOMPLETE,
            decided_on=date(2022, 8, 1), decided_by=DecidingFunction.NOA_HEAD))


@pytest.mark.parametrize(("values", "field"), [
    ({"kind": "individual_case", "applicant_kind": "agency", "applicant": "SiS"},
     "applicant_kind"),
    ({"kind": "individual_case", "applicant_kind": "municipality"}, "municipality_code"),
    ({"kind": "individual_case", "applicant_kind": "municipality", "municipality_code": "0180",
      "purpose": "stöd till Anna"}, "purpose"),
    ({"kind": "agency_development", "applicant_kind": "agency"}, "applicant"),
])
def test_an_application_that_does_not_hold_together_names_the_field(
        values: dict[str, str], field: str) -> None:
    with pytest.raises(ValueError, match=f"{field}: "):
        ApplicationIn.model_validate({"reference": "R-1", "year": 2022, **values})


def test_an_unknown_municipality_or_a_misnamed_one_is_refused(rt: Runtime) -> None:
    with pytest.raises(GrantRecordError, match="^municipality_code: no municipality"):
        _apply(rt, "I-1", GrantKind.INDIVIDUAL_CASE, ApplicantKind.MUNICIPALITY,
               municipality="9999")
    with pytest.raises(GrantRecordError, match="^applicant: 0180 is Stockholm, not Solna"):
        _apply(rt, "I-1", GrantKind.INDIVIDUAL_CASE, ApplicantKind.MUNICIPALITY,
               applicant="Solna", municipality="0180")


def test_a_year_before_any_appropriation_has_no_budget(rt: Runtime) -> None:
    _apply(rt, "O-1", GrantKind.INDIVIDUAL_CASE, ApplicantKind.MUNICIPALITY, municipality="0180",
           year=2019)
    with pytest.raises(GrantRecordError, match="^year: no appropriation is recorded for 2019"):
        _grant(rt, "O-1", 1000, date(2019, 3, 1))

