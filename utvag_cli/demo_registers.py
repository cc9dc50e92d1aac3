"""Scenario data for the register simulators in `make run`, so the demo's sweep finds
something: the demo person has an old conviction (before admission: no flag) and a
fresh suspicion (dated today: flagged once the case is admitted)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx

from models.identity import parse_identity_number


def load_demo_entries(*, identity_number: str, ports: dict[str, int]) -> None:
    today = datetime.now(UTC).date()
    person = parse_identity_number(identity_number, today=today).canonical
    entries: dict[str, list[tuple[str, date]]] = {
        "criminal-records": [("DEMO-BR-2019-1", date(2019, 6, 14))],
        "suspicions": [("DEMO-MR-1", today), ("DEMO-MR-OLD", today - timedelta(days=900))],
    }
    for name, rows in entries.items():
        port = ports.get(name)
        if port is None:
            continue
        httpx.post(f"http://127.0.0.1:{port}/_admin/entries", timeout=5, json={"entries": [
            {"identity_number": person, "entry_id": entry_id, "date": on.isoformat()}
            for entry_id, on in rows]}).raise_for_status()
