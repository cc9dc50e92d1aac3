"""`utvag report grants --service` for a year the workers have not made the account for
yet: the service answers 202 (its run started); the CLI says so, exits 1 and writes no
file (never the 202's body as a report)."""

from __future__ import annotations

import io
from pathlib import Path

import httpx

from tests.fakes.runs import FakeRuns
from utvag_cli.main import main
from utvag_cli.service import Service


def test_a_report_being_made_is_said_and_nothing_is_saved(tmp_path: Path) -> None:
    def pending(request: httpx.Request) -> httpx.Response:
        return httpx.Response(202, json={"status": "requested",
                                         "message": "rapporten tas fram"})

    http = httpx.Client(transport=httpx.MockTransport(pending))
    stderr = io.StringIO()
    code = main(["report", "grants", "--year", "2022", "--service", "--out", str(tmp_path)],
                stdin=io.StringIO(""), stdout=io.StringIO(), stderr=stderr, runs=FakeRuns(),
                service=Service("https://utvag.test", token=lambda: "t", http=http))
    assert code == 1 and "rapporten tas fram" in stderr.getvalue()
    assert list(tmp_path.iterdir()) == []
