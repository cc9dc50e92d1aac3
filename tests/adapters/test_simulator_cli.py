"""``python -m simulators``: argument/env handling, loopback guard, and a real run."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from simulators.__main__ import build_parser, config_from_args, main

REPO = Path(__file__).resolve().parents[2]


def test_flags_become_config(tmp_path: Path) -> None:
    args = build_parser().parse_args(
        [
            "police",
            "--answer-delay",
            "0.5",
            "--error-rate",
            "0.1",
            "--timeout-rate",
            "0.2",
            "--timeout-sleep",
            "3",
            "--latency-ms",
            "20",
            "--seed",
            "9",
            "--state-file",
            str(tmp_path / "s.json"),
        ]
    )
    config = config_from_args(args)
    assert (config.answer_delay_seconds, config.error_rate, config.timeout_rate) == (0.5, 0.1, 0.2)
    assert (config.timeout_sleep_seconds, config.latency_ms, config.seed) == (3.0, 20, 9)
    assert config.state_file == tmp_path / "s.json"


def test_environment_supplies_defaults() -> None:
    environ = {"UTVAG_SIM_ERROR_RATE": "0.3", "UTVAG_SIM_ANSWER_DELAY": "0"}
    config = config_from_args(build_parser(environ).parse_args(["social-services"]))
    assert (config.error_rate, config.answer_delay_seconds) == (0.3, 0.0)
    flagged = config_from_args(build_parser(environ).parse_args(
        ["police", "--error-rate", "0.1"]))
    assert flagged.error_rate == 0.1


def test_unset_options_keep_defaults() -> None:
    config = config_from_args(build_parser().parse_args(["police"]))
    assert (config.answer_delay_seconds, config.error_rate, config.state_file) == (2.0, 0.0, None)


@pytest.mark.parametrize(
    "argv",
    [
        ["police", "--host", "0.0.0.0"],
        ["police", "--error-rate", "1.5"],
        ["police", "--error-rate", "0.6", "--rate-limit-rate", "0.6"],
        ["fire-brigade"],
    ],
)
def test_bad_invocations_exit(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2


def test_runs_as_a_real_server_without_logging_personal_data(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    state_file = tmp_path / "police.json"
    env = {**os.environ, "UTVAG_SIM_ANSWER_DELAY": "0"}
    command = [
        sys.executable,
        "-m",
        "simulators",
        "police",
        "--port",
        str(port),
        "--state-file",
        str(state_file),
    ]
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 15
        while True:
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "simulator did not start"
            assert process.poll() is None, "simulator exited"
            time.sleep(0.05)
        body = {
            "case_number": "UTV-CLI",
            "subject": {"identity_number": "191212121212", "name": "Tolvan Tolvansson"},
            "placing_municipality": "0180",
            "milieu": "honour",
        }
        created = httpx.post(
            f"{base}/threat-assessments", json=body, headers={"Idempotency-Key": "k"}
        )
        assert created.status_code == 201
        result = httpx.get(f"{base}/threat-assessments/{created.json()['request_id']}").json()
        assert (result["status"], result["level"]) == ("completed", "medium")
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert "POST /threat-assessments" in output
    assert "191212121212" not in output
    assert "Tolvan" not in output
    assert state_file.exists()
