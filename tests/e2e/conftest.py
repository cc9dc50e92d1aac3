"""The whole stack as `make run` starts it, on free ports, against the test database."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from utvag_cli.stack import Ports, Stack

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def stack(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    from adapters.settings import get_settings

    data = tmp_path_factory.mktemp("stack")
    running = Stack(data_dir=data, ports=Ports.free(), answer_delay=1.0, collect_every=3)
    running.prepare(get_settings())
    try:
        running.start_prefect()
        running.start_simulators()
        running.start_deployments()
        yield running
    finally:
        running.stop()


def utvag(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "utvag_cli.main", *args], env=stack.env, cwd=ROOT,
        capture_output=True, text=True, timeout=120, check=False)


def eventually(check: Callable[[], Any], *, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")
