"""A running simulator plus its admin API, for readable tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from simulators.server import RunningSimulator


@dataclass
class Sim:
    running: RunningSimulator

    @property
    def base_url(self) -> str:
        return self.running.base_url

    def admin(self, method: str, path: str, json: Any = None) -> httpx.Response:
        response = httpx.request(method, f"{self.base_url}{path}", json=json, timeout=5.0)
        response.raise_for_status()
        return response

    def set_faults(self, **faults: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.admin("PUT", "/_admin/faults", json=faults).json()
        return result

    def set_scenario(self, case_number: str, **scenario: Any) -> None:
        self.admin("PUT", f"/_admin/scenarios/{case_number}", json=scenario)

    def requests(self) -> dict[str, Any]:
        result: dict[str, Any] = self.admin("GET", "/_admin/requests").json()
        return result

    def reset(self) -> None:
        self.admin("POST", "/_admin/reset")
