"""Simulators of the external agencies (police, social services, the others in `catalog`).

No agency offers an API, so Utväg defines the contract (``docs/contracts/*.openapi.json``,
generated from these apps) and ships simulators implementing it. The package:

- ``config``: ``SimulatorConfig``, the start-up settings (answer delay, state file, faults,
  ``test_mode``: the ``/_admin`` API answers only in test/demo mode, else 404);
- ``contract``: what every contract shares (Idempotency-Key, transient answers, subject);
- ``store``: the idempotent request store and ``Scenario``, the base of each agency's
  per-case overrides (every agency module defines its own scenario type);
- ``clock``: the simulators' "now", injectable (``ManualClock`` for tests);
- ``app``: ``create_base_app`` with health, faults and the admin API (see its docstring);
- one module per agency, ``catalog`` (name → app factory, default port), ``server``
  (run an app on a loopback socket, over TLS or mutual TLS with ``ServerTLS``),
  ``__main__`` (the CLI), ``export_contracts``.

Only non-personal fields are stored (case number, milieu, municipality codes): name and
identity number are validated, then dropped, so no state file or log ever contains them.
The names below stay importable from ``simulators`` for the tests and tools that use them.
"""

from __future__ import annotations

from simulators.app import AppFactory, create_base_app
from simulators.clock import Clock, ManualClock, SystemClock
from simulators.config import SimulatorConfig
from simulators.contract import (
    CONTRACT_VERSION,
    IDEMPOTENCY_KEY_OPENAPI,
    MUNICIPALITY_CODE,
    TRANSIENT_RESPONSES,
    ErrorBody,
    Subject,
    require_idempotency_key,
)
from simulators.store import RequestsSummary, RequestStore, Scenario, StoredRequest

__all__ = [
    "CONTRACT_VERSION",
    "IDEMPOTENCY_KEY_OPENAPI",
    "MUNICIPALITY_CODE",
    "TRANSIENT_RESPONSES",
    "AppFactory",
    "Clock",
    "ErrorBody",
    "ManualClock",
    "RequestStore",
    "RequestsSummary",
    "Scenario",
    "SimulatorConfig",
    "StoredRequest",
    "Subject",
    "SystemClock",
    "create_base_app",
    "require_idempotency_key",
]
