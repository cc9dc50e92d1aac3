"""The committed OpenAPI contracts are exactly what the simulators implement."""

from __future__ import annotations

import json

import pytest

from simulators.export_contracts import CONTRACTS_DIR, render_contracts

CONTRACTS = ["police.openapi.json", "social_services.openapi.json",
             "criminal_records.openapi.json", "suspicions.openapi.json",
             "kriminalvarden.openapi.json", "arbetsformedlingen.openapi.json",
             "health_care.openapi.json", "sis.openapi.json", "police_grants.openapi.json",
             "tax_agency.openapi.json"]
REGISTERS = ("criminal_records.openapi.json", "suspicions.openapi.json")
OPERATIONS = {"police.openapi.json": 3, "social_services.openapi.json": 4,
              "criminal_records.openapi.json": 2, "suspicions.openapi.json": 2,
              "police_grants.openapi.json": 4}


def test_every_simulator_has_its_committed_contract() -> None:
    assert set(render_contracts()) == set(CONTRACTS)
    # The case service's own contract lives beside them (tests/service checks it).
    assert {path.name for path in CONTRACTS_DIR.glob("*.openapi.json")} \
        - {"case-service.openapi.json"} == set(CONTRACTS)


@pytest.mark.parametrize("name", CONTRACTS)
def test_committed_contract_matches_app(name: str) -> None:
    committed = (CONTRACTS_DIR / name).read_text(encoding="utf-8")
    assert committed == render_contracts()[name], (
        f"docs/contracts/{name} is stale: run `python -m simulators.export_contracts`"
    )


# Batch writes: the schema of their items, each of which must require its own key.
BATCHES = {"notifyRelapses": "RelapseNotification"}


@pytest.mark.parametrize("name", [c for c in CONTRACTS if c not in REGISTERS])
def test_every_write_is_documented_and_idempotent(name: str) -> None:
    spec = json.loads(render_contracts()[name])
    operations = [op for path in spec["paths"].values() for op in path.values()]
    assert len(operations) == OPERATIONS.get(name, 3)
    for operation in operations:
        assert operation.get("summary"), operation["operationId"]
        assert operation.get("description"), operation["operationId"]
    assert not [path for path in spec["paths"] if path.startswith("/_admin")]
    posts = [path["post"] for path in spec["paths"].values() if "post" in path]
    for post in posts:
        if post["operationId"] in BATCHES:  # each item carries its own key
            item = spec["components"]["schemas"][BATCHES[post["operationId"]]]
            assert "idempotency_key" in item["required"]
            assert {"200", "400", "409", "422", "429", "503"} <= set(post["responses"])
            continue
        header = [p for p in post["parameters"] if p["name"] == "Idempotency-Key"]
        assert header and header[0]["required"] is True
        created = set() if post["operationId"] == "completeGrant" else {"201"}
        assert {"200", *created, "400", "409", "422", "429", "503"} <= set(post["responses"])


def test_identity_number_is_constrained_in_the_contract() -> None:
    for name, text in render_contracts().items():
        schema = {"criminal_records.openapi.json": "LookupSubject",
                  "suspicions.openapi.json": "LookupSubject",
                  "tax_agency.openapi.json": "ProtectionSubject"}.get(name, "Subject")
        subject = json.loads(text)["components"]["schemas"][schema]
        assert subject["properties"]["identity_number"]["pattern"] == r"^\d{12}$"


@pytest.mark.parametrize("name", ["criminal_records.openapi.json", "suspicions.openapi.json"])
def test_register_lookup_is_a_documented_batch_read(name: str) -> None:
    spec = json.loads(render_contracts()[name])
    lookup = spec["paths"]["/lookups"]["post"]
    assert lookup["summary"] and lookup["description"]
    assert {"200", "400", "422", "429", "503"} <= set(lookup["responses"])
    request = spec["components"]["schemas"]["LookupRequest"]
    assert request["properties"]["subjects"]["maxItems"] == 500
    assert "entries_since" in request["required"]
    entry = spec["components"]["schemas"]["RegisterEntry"]
    assert set(entry["required"]) == {"entry_id", "subject_ref", "date", "kind"}
    assert "identity_number" not in entry["properties"]
    assert not [path for path in spec["paths"] if path.startswith("/_admin")]


def test_the_tax_agency_contract_carries_no_address_or_destination() -> None:
    spec = json.loads(render_contracts()["tax_agency.openapi.json"])
    schemas = spec["components"]["schemas"]
    request = schemas["ProtectionRequest"]
    assert request["additionalProperties"] is False
    assert schemas["ProtectionSubject"]["additionalProperties"] is False
    assert set(schemas["ProtectionSubject"]["properties"]) == {"identity_number"}
    fields = set(request["properties"]) | set(schemas["ProtectionDecision"]["properties"])
    assert not {f for f in fields if "address" in f or "destination" in f}
