"""The committed OpenAPI contracts are exactly what the simulators implement."""

from __future__ import annotations

import json

import pytest

from simulators.export_contracts import CONTRACTS_DIR, render_contracts

CONTRACTS = ["police.openapi.json", "social_services.openapi.json",
             "kriminalvarden.openapi.json", "arbetsformedlingen.openapi.json",
             "health_care.openapi.json", "sis.openapi.json", "police_grants.openapi.json"]


@pytest.mark.parametrize("name", CONTRACTS)
def test_committed_contract_matches_app(name: str) -> None:
    committed = (CONTRACTS_DIR / name).read_text(encoding="utf-8")
    assert committed == render_contracts()[name], (
        f"docs/contracts/{name} is stale: run `python -m simulators.export_contracts`"
    )


@pytest.mark.parametrize("name", CONTRACTS)
def test_every_operation_is_documented(name: str) -> None:
    spec = json.loads(render_contracts()[name])
    operations = [op for path in spec["paths"].values() for op in path.values()]
    assert len(operations) == (4 if name == "police_grants.openapi.json" else 3)
    for operation in operations:
        assert operation.get("summary"), operation["operationId"]
        assert operation.get("description"), operation["operationId"]
    assert not [path for path in spec["paths"] if path.startswith("/_admin")]
    posts = [path["post"] for path in spec["paths"].values() if "post" in path]
    for post in posts:
        header = [p for p in post["parameters"] if p["name"] == "Idempotency-Key"]
        assert header and header[0]["required"] is True
        created = set() if post["operationId"] == "completeGrant" else {"201"}
        assert {"200", *created, "400", "409", "422", "429", "503"} <= set(post["responses"])


def test_identity_number_is_constrained_in_the_contract() -> None:
    for text in render_contracts().values():
        subject = json.loads(text)["components"]["schemas"]["Subject"]
        assert subject["properties"]["identity_number"]["pattern"] == r"^\d{12}$"
