"""Prefect as `make run` starts it, with its API behind the credential (the e2e stack's
Prefect, started by `Stack.start_prefect` with `<data dir>/prefect-auth` as `utvag run`
does; tests/integration/test_prefect_auth.py tests the file itself): an unauthenticated
call answers 401, the UI is served and asks operators for the credential."""

from __future__ import annotations

import httpx
import pytest

from utvag_cli.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


def test_the_api_refuses_an_unauthenticated_call(stack: Stack) -> None:
    api = stack.api_url
    assert httpx.get(f"{api}/health", timeout=10).status_code == 200  # probes only
    assert httpx.post(f"{api}/flow_runs/filter", json={}, timeout=10).status_code == 401
    assert httpx.post(f"{api}/work_pools/filter", json={}, timeout=10,
                      auth=("utvag-operator", "wrong")).status_code == 401
    assert stack.auth_string is not None
    assert stack.auth_string.startswith("utvag-operator:")
    user, _, password = stack.auth_string.partition(":")
    assert httpx.post(f"{api}/flow_runs/filter", json={}, timeout=10,
                      auth=(user, password)).status_code == 200
    # The UI is served and asks for the credential (basic auth) before it calls the API.
    assert httpx.get(stack.ui_url, timeout=10).status_code == 200
    assert httpx.get(f"{stack.ui_url}/ui-settings", timeout=10).json()["auth"] == "BASIC"
