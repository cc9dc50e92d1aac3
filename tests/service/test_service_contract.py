"""The committed OpenAPI contract is the one the service serves."""

from __future__ import annotations

import json

from caseservice import contract


def test_the_committed_contract_matches_the_service() -> None:
    committed = json.loads(contract.CONTRACT.read_text(encoding="utf-8"))
    assert committed == json.loads(contract.render()), \
        "run `python -m caseservice.contract`"
    assert all(path.startswith("/api/v1/") for path in committed["paths"])
    assert committed["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
