"""Run one simulator as a real server::

    python -m simulators police --port 8101 [--answer-delay 2] [--error-rate 0.1] ...
    python -m simulators social-services --port 8102 [--state-file .data/ss.json] ...

Every fault flag can also come from the environment (``UTVAG_SIM_<FLAG>``, e.g.
``UTVAG_SIM_ERROR_RATE=0.1``); flags win. Binds 127.0.0.1 and refuses non-loopback hosts
unless ``--allow-non-loopback`` is given, because requests carry personal data. uvicorn's
access log records method, path and status only, never bodies.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import uvicorn

from simulators.catalog import APPS, DEFAULT_PORTS
from simulators.config import SimulatorConfig
from simulators.server import is_loopback

__all__ = ["build_parser", "config_from_args", "main"]

ENV_PREFIX = "UTVAG_SIM_"

# (flag, config field, type, help)
_OPTIONS: tuple[tuple[str, str, type, str], ...] = (
    ("--answer-delay", "answer_delay_seconds", float, "seconds until an answer is ready"),
    ("--latency-ms", "latency_ms", int, "latency added to every agency request"),
    ("--error-rate", "error_rate", float, "share of requests answered 503"),
    ("--rate-limit-rate", "rate_limit_rate", float, "share of requests answered 429"),
    ("--timeout-rate", "timeout_rate", float, "share of requests held, then answered 504"),
    ("--timeout-sleep", "timeout_sleep_seconds", float, "how long a simulated timeout holds"),
    ("--seed", "seed", int, "seed for reproducible faults"),
    ("--state-file", "state_file", Path, "JSON file persisting requests across restarts"),
)


def _env_name(flag: str) -> str:
    return ENV_PREFIX + flag.lstrip("-").replace("-", "_").upper()


def build_parser(environ: Mapping[str, str] = os.environ) -> argparse.ArgumentParser:
    """The CLI; defaults of the simulator options come from ``UTVAG_SIM_*`` variables
    (of ``environ``, the process's environment by default)."""
    parser = argparse.ArgumentParser(
        prog="python -m simulators", description="Run an agency simulator (Utväg contract)."
    )
    parser.add_argument("agency", choices=sorted(APPS))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=None, help="default: see simulators/catalog.py")
    parser.add_argument("--allow-non-loopback", action="store_true")
    parser.add_argument("--log-level", default="info")
    for flag, field, kind, text in _OPTIONS:
        env = _env_name(flag)
        parser.add_argument(
            flag, dest=field, type=kind, default=environ.get(env), help=f"{text} (${env})"
        )
    return parser


def config_from_args(args: argparse.Namespace) -> SimulatorConfig:
    """Simulator configuration from parsed arguments (unset options keep the defaults)."""
    values = {field: getattr(args, field) for _, field, _, _ in _OPTIONS}
    return SimulatorConfig.model_validate({k: v for k, v in values.items() if v is not None})


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments and serve the chosen simulator until interrupted."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.allow_non_loopback and not is_loopback(args.host):
        parser.error(f"refusing non-loopback host {args.host!r} without --allow-non-loopback")
    try:
        config = config_from_args(args)
    except ValueError as exc:
        parser.error(str(exc))
    app = APPS[args.agency](config)
    port = args.port if args.port is not None else DEFAULT_PORTS[args.agency]
    uvicorn.run(app, host=args.host, port=port, log_level=args.log_level, access_log=True)


if __name__ == "__main__":
    main()
