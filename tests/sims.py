"""Helpers for the adapter/simulator tests.

A uniquely named module rather than ``from conftest import ...``: with several
``conftest.py`` files in non-package test directories, the module called ``conftest``
is whichever pytest loaded last, so importing from it breaks in a full-suite run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from simulators.server import RunningSimulator

TEST_IDENTITY_NUMBER = "191212121212"
TEST_NAME = "Tolvan Tolvansson"
ANSWER_DELAY = 0.2


@dataclass
class Sim:
    """A running simulator plus its admin API, for readable tests."""

    running: RunningSimulator
    client: httpx.Client  # one client per session: creating one costs ~50 ms (TLS context)

    @property
    def base_url(self) -> str:
        return self.running.base_url

    def admin(self, method: str, path: str, json: Any = None) -> httpx.Response:
        response = self.client.request(method, path, json=json)
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
