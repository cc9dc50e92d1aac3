"""Run one simulator as a real server::

    python -m simulators police --port 8101 [--answer-delay 2] [--error-rate 0.1] ...
    python -m simulators social-services --port 8102 [--state-file .data/ss.json] ...
    python -m simulators police --test-mode            # the /_admin API for tests/the demo
    python -m simulators police --tls-cert s.pem --tls-key s.key [--tls-client-ca ca.pem]

Every option can also come from the environment (``UTVAG_SIM_<FLAG>``, e.g.
``UTVAG_SIM_ERROR_RATE=0.1``, ``UTVAG_SIM_TEST_MODE=1``); flags win. Binds 127.0.0.1 and
refuses non-loopback hosts unless ``--allow-non-loopback`` and TLS are given, because
requests carry personal data. The admin API (``/_admin``) answers only with
``--test-mode``; ``--tls-client-ca`` makes it mutual TLS (a client certificate issued by
that CA is required). uvicorn's access log records method, path and status only, never
bodies.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import uvicorn

from simulators.catalog import APPS, DEFAULT_PORTS
from simulators.config import SimulatorConfig
from simulators.server import ServerTLS, is_loopback

__all__ = ["build_parser", "config_from_args", "main", "tls_from_args"]

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


_TLS_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("--tls-cert", "tls_cert", "server certificate (PEM): serve HTTPS"),
    ("--tls-key", "tls_key", "private key (PEM) of --tls-cert"),
    ("--tls-client-ca", "tls_client_ca", "CA (PEM) whose client certificates are required"),
)
_TRUE = {"1", "true", "yes", "on"}


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
    env = _env_name("--test-mode")
    parser.add_argument(
        "--test-mode", action="store_true",
        default=environ.get(env, "").strip().lower() in _TRUE,
        help=f"serve the /_admin API that tests and the demo steer the simulator with (${env})")
    for flag, dest, text in _TLS_OPTIONS:
        env = _env_name(flag)
        parser.add_argument(flag, dest=dest, type=Path, default=environ.get(env),
                            help=f"{text} (${env})")
    return parser


def tls_from_args(args: argparse.Namespace) -> ServerTLS | None:
    """The TLS to serve with, or None (plain HTTP); ``ValueError`` for an incomplete or
    unreadable set of files."""
    cert, key, client_ca = (Path(v) if v else None
                            for v in (args.tls_cert, args.tls_key, args.tls_client_ca))
    if cert is None and key is None:
        if client_ca is not None:
            raise ValueError("--tls-client-ca needs --tls-cert and --tls-key")
        return None
    if cert is None or key is None:
        raise ValueError("--tls-cert and --tls-key go together")
    for flag, path in (("--tls-cert", cert), ("--tls-key", key), ("--tls-client-ca", client_ca)):
        if path is not None and not path.is_file():
            raise ValueError(f"{flag}: no file {path}")
    return ServerTLS(cert=cert, key=key, client_ca=client_ca)


def config_from_args(args: argparse.Namespace) -> SimulatorConfig:
    """Simulator configuration from parsed arguments (unset options keep the defaults)."""
    values = {field: getattr(args, field) for _, field, _, _ in _OPTIONS}
    values["test_mode"] = args.test_mode
    return SimulatorConfig.model_validate({k: v for k, v in values.items() if v is not None})


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments and serve the chosen simulator until interrupted."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = config_from_args(args)
        tls = tls_from_args(args)
    except ValueError as exc:
        parser.error(str(exc))
    if not is_loopback(args.host):
        if not args.allow_non_loopback:
            parser.error(f"refusing non-loopback host {args.host!r} without --allow-non-loopback")
        if tls is None:
            parser.error(f"refusing non-loopback host {args.host!r} without --tls-cert/--tls-key")
    app = APPS[args.agency](config)
    port = args.port if args.port is not None else DEFAULT_PORTS[args.agency]
    uvicorn.run(app, host=args.host, port=port, log_level=args.log_level, access_log=True,
                **(tls.uvicorn_options() if tls else {}))


if __name__ == "__main__":
    main()
