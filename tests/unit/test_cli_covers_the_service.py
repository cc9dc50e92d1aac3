"""Every operation of the case service's committed contract has a `utvag` command that
calls it (and no command calls anything else): run each person's command against a
transport that records the request and answers 404, and compare with the contract.
A new endpoint without a command (or a command whose path drifted) fails here."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import httpx

from tests.fakes.runs import FakeRuns
from utvag_cli.main import main
from utvag_cli.service import Service

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "docs" / "contracts" / "case-service.openapi.json"
CASE = "UTV-2026-000001"
# Operations a person reaches another way, with the reason.
ELSEWHERE = {
    ("GET", "/api/v1/status"): "`utvag status` (utvag_cli/ops.py, operators) reads it locally",
}
COMMANDS: list[tuple[list[str], str]] = [
    (["case", "open", "{referral}"], ""),
    (["case", "list"], ""),
    (["case", "show", CASE], ""),
    (["case", "disclosed", CASE], ""),
    (["case", "decide", CASE, "--criterion", "motivated", "--holds", "yes"], ""),
    (["case", "consent", CASE, "--agency", "tax_agency"], ""),
    (["case", "assess", CASE, "--flag", "1", "--decision", "continue"], ""),
    (["case", "assign", CASE, "--staff-id", "h", "--organisation", "municipality:0180",
      "--role", "social_handler"], ""),
    (["case", "break-glass", CASE, "--reason", "an emergency, truly"], ""),
    (["during", "needs", CASE, "--need", "housing"], ""),
    (["during", "provider", "add", "P"], ""),
    (["during", "provider", "vet", "P", "--on", "2026-01-01", "--follow-up-due",
      "2026-06-01"], ""),
    (["during", "provider", "follow-up", "P", "--verdict", "satisfactory", "--on",
      "2026-01-01", "--next-due", "2026-06-01"], ""),
    (["during", "intervention", CASE, "--kind", "trustee", "--start", "2026-12-01",
      "--end", "2027-01-01", "--cost", "100"], ""),
    (["during", "approve-plan", CASE], ""),
    (["during", "statement", CASE, "--supports", "yes"], ""),
    (["during", "complete-grant", CASE], ""),
    (["during", "ledger"], ""),
    (["during", "relocate", CASE, "--independent", "yes", "--deep-support", "no"],
     "2584\nHemligvägen 1\n"),
    (["during", "approve-relocation", CASE], ""),
    (["during", "destination", CASE], ""),
    (["during", "work-order", CASE], ""),
    (["during", "belongings-delivered", CASE], ""),
    (["after", "close", CASE, "--outcome", "completed"], ""),
    (["after", "indicators", CASE, "--months", "6", "--stable-housing", "yes",
      "--occupation", "yes", "--no-new-crime", "yes"], ""),
    (["after", "reopen", CASE, "--reason", "came back"], ""),
    (["after", "transfer", CASE, "--accept", "yes", "--payer", "receiving", "--from",
      "2027-01-01"], ""),
    (["after", "establishment", CASE, "--stable-housing", "yes", "--occupation", "yes",
      "--support-needed", "yes"], ""),
    (["after", "offer-transfer", CASE, "--reason", "established"], ""),
    (["after", "responsibility", CASE], ""),
    (["plan", "relapse-report", CASE, "--kind", "lost_contact", "--on", "2026-01-01"], ""),
    (["plan", "confirm-closure", CASE, "--confirm", "yes"], ""),
    (["plan", "versions", CASE], ""),
    (["plan", "provider-concern", CASE, "--provider-id", "1", "--decision", "keep"], ""),
    (["plan", "meeting", CASE, "--held-on", "2026-01-01", "--participant", "police",
      "--participated", "yes", "--agreed", "yes"], ""),
    (["plan", "guardian", CASE, "--role", "mother", "--consents", "yes"], "Mor Mamma\n"),
    (["plan", "permit", "P", "--reference", "IVO-1", "--valid-from", "2024-04-01"], ""),
    (["grants", "year", "2022"], ""),
    (["grants", "apply", "--reference", "A-1", "--year", "2022", "--kind",
      "agency_development", "--applicant-kind", "agency", "--applicant", "SiS"], ""),
    (["grants", "decide", "A-1", "--granted", "100", "--on", "2022-09-01"], ""),
    (["grants", "uses", "A-1", "--use", "trustee=100"], ""),
    (["grants", "payout", "P-1", "--amount", "100", "--on", "2022-10-01", "--application",
      "A-1"], ""),
    (["report", "grants", "--year", "2022", "--service"], ""),
    (["report", "followup", "--from", "2026-01-01", "--to", "2026-12-31", "--service"], ""),
    (["report", "followup", "--from", "2026-01-01", "--to", "2026-12-31", "--service",
      "--national"], ""),
    (["audit", "log"], ""),
    (["audit", "break-glass"], ""),
    (["audit", "review", "7"], ""),
    (["person", "correct", CASE, "--reason", "stavfel", "--name"], "Anna Andersén\n"),
    (["person", "export", CASE, "--received-on", "2026-05-30", "--out", "never-written"], ""),
    (["person", "hold", CASE, "--reason", "överklagat"], ""),
    (["person", "lift-hold", CASE, "--reason", "dom vunnit laga kraft"], ""),
]


def _operations() -> dict[tuple[str, re.Pattern[str]], tuple[str, str]]:
    paths = json.loads(CONTRACT.read_text(encoding="utf-8"))["paths"]
    return {(method.upper(), re.compile(re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")):
            (method.upper(), path) for path, methods in paths.items() for method in methods}


def test_every_operation_of_the_contract_has_a_command(tmp_path: Path) -> None:
    referral = tmp_path / "referral.json"
    referral.write_text('{"person": {}}', encoding="utf-8")
    seen: list[tuple[str, str]] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.path))
        return httpx.Response(404, json={"error": {"field": None, "message": "not found"}})

    http = httpx.Client(transport=httpx.MockTransport(record))
    called: set[tuple[str, str]] = set()
    operations = _operations()
    for argv, stdin in COMMANDS:
        seen.clear()
        code = main([a.format(referral=referral) for a in argv], stdin=io.StringIO(stdin),
                    stdout=io.StringIO(), stderr=io.StringIO(), runs=FakeRuns(),
                    service=Service("https://utvag.test", token=lambda: "t", http=http))
        assert code == 2 and len(seen) == 1, (argv, code, seen)
        method, path = seen[0]
        matches = [op for (m, pattern), op in operations.items()
                   if m == method and pattern.match(path)]
        assert len(matches) == 1, f"{argv} called {method} {path}: not in the contract"
        called.add(matches[0])
    assert set(operations.values()) - called == set(ELSEWHERE)
