"""Importing earlier years from CSV: each bad row refused with its line number and the
field, nothing written when any row is bad, and a re-import adds nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from services.reports.grant_import import ImportResult, import_grants
from services.runtime import Runtime
from tests.grant_support import import_file, imported_history


@pytest.fixture()
def history(rt: Runtime) -> Runtime:
    """The 2020-2022 history, imported; the runtime to read it."""
    imported_history(rt)
    return rt


HEADER = ("reference,year,kind,applicant_kind,applicant,municipality_code,outcome,amount_sek,"
          "rejection_reason,decided_on,decided_by,paid_sek,paid_on,uses,purpose")
GOOD = "A2019-001,2019,individual_case,municipality,,1280,granted,400000,,2019-05-02,noa_head,,,,"


def _import(rt: Runtime, text: str | bytes) -> ImportResult:
    return import_grants(rt, text, by="grants-officer-test")


def _stored(rt: Runtime) -> tuple[int, ...]:
    with rt.db.engine.connect() as conn:
        return tuple(conn.execute(sa.text(
            "SELECT (SELECT count(*) FROM grant_application),"
            " (SELECT count(*) FROM grant_application_decision),"
            " (SELECT count(*) FROM grant_payout), (SELECT count(*) FROM grant_use)")).one())


def test_each_bad_row_is_refused_with_its_line_and_nothing_is_written(rt: Runtime) -> None:
    text = "\n".join([
        HEADER,
        GOOD,                                                                        # line 2
        "A2019-002,2019,individual_grant,municipality,,1280,granted,1,,2019-05-02,noa_head,,,,",
        "A2019-003,2019,individual_case,municipality,,9999,granted,1000,,2019-05-02,noa_head,,,,",
        "A2019-004,2019,individual_case,municipality,,1280,granted,1000.50,,2019-05-02,"
        "noa_head,,,,",
        "A2019-005,2019,individual_case,municipality,,1280,granted,,,2019-05-02,noa_head,,,,",
        "",                                                                          # line 7
        GOOD,                                                                        # line 8
        "A2019-006,2019,individual_case,municipality,,1280,rejected,,lost,2019-05-02,"
        "noa_head,,,,",
        "A2019-007,2019,individual_case,municipality,,1280,granted,1000,,2019-05-02,noa_head,"
        ",,,Anna Andersson",
        "A2019-008,2019,individual_case,municipality,,1280,granted,1000,,2020-01-02,"
        "noa_head,,,,",
        "A2019-009,2019,individual_case,municipality,,1280,granted,1000,,2019-05-02,"
        "noa_head,2000,2019-06-01,,",
        "A2019-010,2019,agency_development,municipality,,1280,granted,1000,,2019-05-02,"
        "noa_head,,,,",
        "A2019-011,2019,individual_case,municipality,,1280,granted,1000,,2019-05-02,"
        "noa_head,,,tattoos=1000,",
    ]) + "\n"
    result = _import(rt, text)
    assert [(e.line, e.field) for e in result.errors] == [
        (3, "kind"), (4, "municipality_code"), (5, "amount_sek"), (6, "amount_sek"),
        (8, "reference"), (9, "rejection_reason"), (10, "purpose"), (11, "decided_on"),
        (12, "paid_sek"), (13, "applicant_kind"), (14, "uses")]
    assert "also on line 2" in str(result.errors[4])
    assert str(result.errors[2]).startswith("line 5: amount_sek: '1000.50' is not whole kronor")
    assert not result.written and result.imported == 0
    assert _stored(rt) == (0, 0, 0, 0)


def test_a_header_that_lacks_or_adds_a_column_is_refused_on_line_1(rt: Runtime) -> None:
    missing = _import(rt, HEADER.replace("outcome,", "") + "\n")
    assert [str(e) for e in missing.errors] == ["line 1: header: missing column 'outcome'"]
    extra = _import(rt, HEADER + ",name\n")
    assert [str(e) for e in extra.errors] == ["line 1: header: unknown column 'name'"]
    assert [str(e) for e in _import(rt, b"\xff\xfe").errors] == ["line 1: file: not UTF-8 text"]


def test_a_row_with_too_few_fields_is_refused(rt: Runtime) -> None:
    result = _import(rt, HEADER + "\nA2019-001,2019\n")
    assert [str(e) for e in result.errors] == ["line 2: row: 2 fields, the header has 15"]


def test_importing_the_same_file_again_adds_nothing(history: Runtime) -> None:
    before = _stored(history)
    again = import_file(history)
    assert (again.imported, again.unchanged, again.errors) == (0, 166, ())
    assert _stored(history) == before == (166, 166, 155, 306)  # 155 granted, each paid once


def test_a_reference_imported_before_with_other_values_is_refused(
        history: Runtime) -> None:
    before = _stored(history)
    changed = HEADER + "\n" + GOOD + "\n" + GOOD.replace("A2019-001", "A2020-001") + "\n"
    result = _import(history, changed)
    assert [(e.line, e.field) for e in result.errors] == [(3, "reference")]
    assert "imported or recorded before with other values" in str(result.errors[0])
    assert _stored(history) == before


def test_swedish_spreadsheet_csv_is_read_semicolons_bom_and_grouped_kronor(
        rt: Runtime) -> None:
    text = "\ufeff" + HEADER.replace(",", ";") + "\n" + \
        GOOD.replace(",", ";").replace("400000", "400 000") + "\n"
    result = _import(rt, text.encode("utf-8"))
    assert (result.imported, result.errors) == (1, ())
    with rt.db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT amount_sek FROM grant_ledger")).scalar_one() \
            == 400_000


def test_the_database_holds_one_application_per_reference(history: Runtime) -> None:
    statement = sa.text("INSERT INTO grant_application (reference, year, kind, applicant_id, "
                        "source, recorded_by, recorded_at) SELECT reference, year, kind, "
                        "applicant_id, source, 'x', now() FROM grant_application LIMIT 1")
    try:
        with history.db.engine.begin() as conn:
            conn.execute(statement)
    except sa.exc.IntegrityError as exc:
        assert "grant_application_reference_key" in str(exc)
    else:
        raise AssertionError("a second application with the same reference was stored")


def test_an_applicant_under_two_municipalities_is_refused_with_its_line(rt: Runtime) -> None:
    district = ("A2019-0{n},2019,individual_case,city_district,Rinkeby-Kista stadsdelsnämnd,"
                "{code},granted,1000,,2019-05-02,noa_head,,,,")
    text = "\n".join([HEADER, district.format(n=1, code="0180"),
                      district.format(n=2, code="1280"),
                      GOOD.replace("A2019-001", "A2019-003").replace(",,1280,", ",Solna,0180,")])
    result = _import(rt, text + "\n")
    assert [str(e) for e in result.errors] == [
        "line 4: applicant: 0180 is Stockholm, not Solna"]
    result = _import(rt, "\n".join(text.splitlines()[:3]) + "\n")
    assert [str(e) for e in result.errors] == [
        "line 3: municipality_code: Rinkeby-Kista stadsdelsnämnd is under 0180 on line 2"]
    assert _stored(rt) == (0, 0, 0, 0)


def test_an_applicant_recorded_before_under_another_municipality_is_refused(
        rt: Runtime) -> None:
    district = ("A2019-0{n},2019,individual_case,city_district,Rinkeby-Kista stadsdelsnämnd,"
                "{code},granted,1000,,2019-05-02,noa_head,,,,")
    assert _import(rt, f"{HEADER}\n{district.format(n=1, code='0180')}\n").imported == 1
    result = _import(rt, f"{HEADER}\n{district.format(n=2, code='1280')}\n")
    assert [str(e) for e in result.errors] == [
        "line 2: municipality_code: Rinkeby-Kista stadsdelsnämnd is recorded under 0180"]
    assert _stored(rt) == (1, 1, 0, 0)
