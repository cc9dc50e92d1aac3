"""Issue 11 §7, bad input and abuse: a request body over the limit gets 413 before it is
parsed, a text field with a control character (terminal escapes, a carriage return
that rewrites a line of the journal, a bidirectional override that reverses what an
auditor reads) gets 422 naming the field; nothing is written, the error never repeats
the input, and `utvag` prints it as one line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from services.runtime import Runtime
from tests.attacks.conftest import API, rows
from tests.factories import open_case, referral
from tests.service import tokens as u
from tests.service_cli import Utvag

EVIL = {
    "terminal escape": "bra\x1b]0;owned\x07",
    "carriage return": "ok\rmotivated: yes, by police",
    "NUL": "a\x00b",
    "bidi override": "normal \u202etxet desrever",
    "C1 control": "x\x9by",
}


def _count(rt: Runtime, table: str) -> int:
    return len(rows(rt, f'SELECT 1 FROM "{table}"'))


def test_a_body_over_the_limit_gets_413_and_opens_nothing(rt: Runtime,
                                                          client: TestClient) -> None:
    limit = rt.settings.service_max_body_bytes
    big = referral(person={"identity_number": "19950314-0009", "name": "A" * 100},
                   padding="x" * limit)
    answer = client.post(f"{API}/cases", headers=u.COORDINATOR_STHLM.headers(), json=big)
    assert answer.status_code == 413
    assert answer.json() == {"error": {"field": "body",
                                       "message": f"a request body is at most {limit} bytes"}}
    assert _count(rt, "case") == 0


def test_a_body_over_the_limit_without_a_length_gets_413_too(rt: Runtime,
                                                             client: TestClient) -> None:
    """Chunked (no Content-Length): counted as it arrives."""
    limit = rt.settings.service_max_body_bytes

    def chunks() -> Iterator[bytes]:
        yield b'{"padding": "'
        for _ in range(limit // 1024 + 2):
            yield b"x" * 1024
        yield b'"}'

    answer = client.post(f"{API}/cases", headers={**u.COORDINATOR_STHLM.headers(),
                                                  "Content-Type": "application/json"},
                         content=chunks())
    assert answer.status_code == 413 and _count(rt, "case") == 0


def test_utvag_says_a_referral_file_is_too_large_in_one_line(
        rt: Runtime, utvag: Utvag, tmp_path: Path) -> None:
    path = tmp_path / "referral.json"
    path.write_text(json.dumps(referral(padding="x" * rt.settings.service_max_body_bytes)),
                    encoding="utf-8")
    assert utvag("case", "open", str(path)) == 2
    assert utvag.err == (f"error: body: a request body is at most "
                         f"{rt.settings.service_max_body_bytes} bytes\n")
    assert _count(rt, "case") == 0


@pytest.mark.parametrize("kind", list(EVIL))
def test_a_control_character_in_a_note_is_refused_naming_the_field(
        rt: Runtime, utvag: Utvag, kind: str) -> None:
    opened = open_case(rt)
    before = _count(rt, "case_journal")
    assert utvag("case", "decide", opened.case_number, "--criterion", "motivated",
                 "--holds", "yes", "--note", EVIL[kind]) == 2
    assert utvag.err == "error: note: control characters are not allowed\n"
    assert _count(rt, "case_journal") == before and utvag.waker.woken == []


def test_a_control_character_in_a_referral_names_the_field_and_not_the_value(
        rt: Runtime, client: TestClient) -> None:
    name = "Eva \u202eLindqvist"
    answer = client.post(f"{API}/cases", headers=u.COORDINATOR_STHLM.headers(),
                         json=referral(person={"identity_number": "19950314-0009",
                                               "name": name}))
    assert answer.status_code == 422
    assert answer.json() == {"error": {"field": "person.name",
                                       "message": "control characters are not allowed"}}
    assert "Lindqvist" not in answer.text and _count(rt, "case") == 0


def test_an_over_long_text_is_refused_naming_the_field(rt: Runtime, utvag: Utvag) -> None:
    opened = open_case(rt)
    assert utvag("after", "reopen", opened.case_number, "--reason", "x" * 5000) == 2
    assert utvag.err.startswith("error: reason: at most ")
