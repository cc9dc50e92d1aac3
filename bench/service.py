"""Benchmark of the case service (not a test): `make bench-service` or
`.venv/bin/python bench/service.py [--cases 240] [--clients 50] [--seconds 8]
[--rounds 2] [--auth auto|provider|bench-key] [--no-console] [--server postgresql://...]
[--out FILE]`.

In a fresh database (migrated, dropped at the end) on the PostgreSQL server named by
`--server`, else `TEST_DATABASE_URL`, else `DATABASE_URL`, else the embedded one
(`.data/bench-pg`), it makes a world of `--cases` cases in Stockholm and Göteborg through
the services (`bench/service_world.py`), starts ONE uvicorn process on 127.0.0.1 serving
both the case service and the bare endpoints (`bench/service_server.py`), and runs
`--clients` concurrent authenticated users (`bench/service_load.py`; real JWT bearer
tokens checked on every request, `bench/service_auth.py`) reading case views and
recording criterion answers, in rounds that alternate service, bare, bare, service...
(the machine is shared: drift hits both alike). When the web console is there (and
the provider runs), the same clients then sign in on the console and load its case
list and case pages, against the JSON endpoints that serve the same data, in rounds
alternating the same way. Reports p50/p95 latency, throughput, the server's and the
client's CPU, SQL statements and commits per request, and the ratios. Markdown output
(`bench/service_report.py`); docs/benchmarks-service.md has the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.key import BENCH_KEY  # noqa: E402
from bench.service_load import Client, credentials, mixes, run_round  # noqa: E402
from bench.service_report import Measured, load_average, report  # noqa: E402


def server_url(given: str | None) -> str:
    url = given or os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return url.replace("postgresql+psycopg://", "postgresql://")
    from adapters.embedded_pg import embedded_url

    return embedded_url(ROOT / ".data" / "bench-pg")


def with_database(url: str, database: str) -> str:
    import psycopg

    return psycopg.conninfo.make_conninfo(
        "", **(psycopg.conninfo.conninfo_to_dict(url) | {"dbname": database}))


def sqlalchemy_url(conninfo: str) -> str:
    if "://" in conninfo:
        return "postgresql+psycopg://" + conninfo.split("://", 1)[1]
    return "postgresql+psycopg:///?" + conninfo.replace(" ", "&")


def cpu_of(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:  # noqa: PTH123 - /proc
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """The server process (`bench/service_server.py`): config on stdin, port from its
    stdout's first line; its logs in `log` (`.data/bench-service/server.log`)."""

    def __init__(self, config: dict[str, Any], log: Path) -> None:
        log.write_text("")
        self.log = log.open("a", buffering=1)  # O_APPEND: the server's stderr shares it
        self.process = subprocess.Popen(  # noqa: S603 - our own script
            [sys.executable, str(ROOT / "bench" / "service_server.py")], cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True)
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(config) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline().strip()
        if not line.isdigit():
            self.stop()
            raise RuntimeError(f"the server did not start: {log.read_text()[-2000:]}")
        self.base_url = f"http://127.0.0.1:{line}"
        # Whatever else the server prints (structured logs) goes to the log, never
        # blocking it on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.process.stdout
        for text in self.process.stdout:
            self.log.write(text)

    def cpu(self) -> float:
        return cpu_of(self.process.pid)

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()  # the server exits when its stdin closes
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def measure(server: Server, clients: list[Client], args: argparse.Namespace,
            pair: tuple[str, str], rounds: int) -> dict[str, Measured]:
    """Each operation alone first (a few requests one after the other: what one costs
    with no other client; this also warms up), then the rounds of the pair of kinds,
    alternating: a, b, b, a..."""
    import httpx

    engine = {"bare": "bare"}  # every other kind runs on the service's engine
    mix = mixes(args.write_share, args.list_share)

    def stats(kind: str) -> dict[str, int]:
        found: dict[str, int] = httpx.get(f"{server.base_url}/bare/_stats").json()[
            engine.get(kind, "service")]
        return found

    def alone(kind: str) -> dict[str, tuple[float, float, float]]:
        out = {}
        client = clients[0]
        with httpx.Client(base_url=server.base_url, timeout=120.0,
                          **credentials(kind, client)) as http:
            if kind in ("service", "bare"):  # the engine's first connections, not counted
                http.get(mix[kind][0].path.replace("{case}", client.cases[-1]))
            for op in mix[kind]:
                times = []
                before = stats(kind)
                for i in range(args.alone):
                    number = (client.deciding if op.deciding else client.cases)[i]
                    path = op.path.replace("{case}", number)
                    started = time.perf_counter()
                    response = (http.post(path, json=op.body) if op.body is not None
                                else http.get(path))
                    times.append(time.perf_counter() - started)
                    response.raise_for_status()
                after = stats(kind)
                out[op.label] = (1000 * statistics.median(times),
                                 (after["statements"] - before["statements"]) / args.alone,
                                 (after["commits"] - before["commits"]) / args.alone)
        return out

    def one(kind: str, seconds: float, seed: int) -> Measured:
        before, cpu, client = stats(kind), server.cpu(), time.process_time()
        result = asyncio.run(run_round(server.base_url, kind, clients, seconds=seconds,
                                       mix=mix[kind], seed=seed))
        after = stats(kind)
        print(f"{kind}: {len(result.samples)} requests in "  # noqa: T201 - progress
              f"{result.seconds:.1f} s, failures {result.failures or 'none'}",
              file=sys.stderr, flush=True)
        return Measured([result], server.cpu() - cpu, time.process_time() - client,
                        after["statements"] - before["statements"],
                        after["commits"] - before["commits"])

    out = {kind: Measured(alone=alone(kind)) for kind in pair}
    for kind in pair:
        if args.warm_up:
            one(kind, args.warm_up, seed=0)
    for i in range(rounds):
        for kind in (pair if i % 2 == 0 else pair[::-1]):
            out[kind].add(one(kind, args.seconds, seed=i + 1))
    return out


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


AUTH = {
    "provider": "the embedded OpenID Connect provider (oidc/, node) on loopback; each client "
                "signed in on its login form (authorization code + PKCE) as one of the four "
                "demo users of 0180 and 1480; the service checks every token with "
                "`adapters.oidc.TokenVerifier` (JWKS from discovery)",
    "bench-key": "RS256 tokens signed by a key the benchmark makes, with the provider's "
                 "claims (four demo users of 0180 and 1480); the service checks every token "
                 "with `bench.service_auth.JwksVerifier` (joserfc: kid, signature, iss, aud, "
                 "exp, nbf) over the key's public JWKS"}


def console_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("caseservice.console") is not None


def main(args: argparse.Namespace) -> str:
    import psycopg

    from adapters.db import Database, migrate
    from adapters.settings import Settings
    from bench import service_auth
    from bench.service_world import build
    from services.runtime import Runtime

    load_start, server = load_average(), server_url(args.server)
    name = f"utvag_bench_service_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = sqlalchemy_url(with_database(server, name))
    rt = Runtime(settings=Settings(DATABASE_URL=url, encryption_key=BENCH_KEY),
                 db=Database(url))
    auth: service_auth.Auth | None = None
    running: Server | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="utvag-bench-service-") as tmp:
            migrate(url)
            started = time.perf_counter()
            world = build(rt, args.cases)
            world_s = time.perf_counter() - started
            rt.db.dispose()
            use_provider = args.auth == "provider" or (
                args.auth == "auto" and service_auth.provider_available())
            console = use_provider and args.console and console_available()
            port = free_port()
            base_url = f"http://127.0.0.1:{port}"
            started = time.perf_counter()
            auth = (service_auth.provider_auth(args.clients, Path(tmp),
                                               console=base_url if console else None)
                    if use_provider else service_auth.bench_key_auth(args.clients))
            context = {"auth": f"{AUTH[auth.mode]} ({len(auth.tokens)} tokens in "
                               f"{time.perf_counter() - started:.1f} s)"}
            log = ROOT / ".data" / "bench-service" / "server.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            running = Server({"database_url": url, "encryption_key": BENCH_KEY,
                              "database_role": args.database_role or None, "port": port,
                              "auth": auth.server_config()}, log)
            sessions = [""] * args.clients
            if console:
                started = time.perf_counter()
                sessions = service_auth.console_sessions(running.base_url, args.clients)
                context["console_auth"] = (
                    f"{len(sessions)} sessions, each signed in through the console's own "
                    "sign-in (its PKCE start, the provider's login form, its callback) in "
                    f"{time.perf_counter() - started:.1f} s")
            clients = [Client(token, world.cases[code], world.deciding[code], session)
                       for i, (token, session) in enumerate(zip(auth.tokens, sessions,
                                                               strict=True))
                       for code in [service_auth.user_for(i).organisation.split(":")[1]]]
            results = measure(running, clients, args, ("service", "bare"), args.rounds)
            if console:
                results |= measure(running, clients, args, ("console", "json"),
                                   args.console_rounds)
            return report(results, {
                **context, "at": f"{datetime.now(UTC):%Y-%m-%d %H:%M}",
                "load_start": load_start, "load_end": load_average(), "cases": world.size,
                "world_s": world_s, "clients": args.clients, "rounds": args.rounds,
                "seconds": args.seconds, "write_share": args.write_share,
                "list_share": args.list_share,
                "console_rounds": args.console_rounds if console else 0,
                "alone": args.alone})
    finally:
        if running is not None:
            running.stop()
        if auth is not None and auth.stop is not None:
            auth.stop()
        rt.db.dispose()
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, default=240)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--seconds", type=float, default=8.0, help="per round")
    p.add_argument("--rounds", type=int, default=2, help="rounds per endpoint kind")
    p.add_argument("--console-rounds", type=int, default=1,
                   help="rounds per kind for the console's pages and their JSON")
    p.add_argument("--warm-up", type=float, default=0.0,
                   help="seconds per kind with every client, not counted (after the "
                        "requests alone, which warm up too)")
    p.add_argument("--alone", type=int, default=2,
                   help="requests per operation with no other client, first")
    p.add_argument("--write-share", type=float, default=0.2,
                   help="of the API requests, criterion answers")
    p.add_argument("--list-share", type=float, default=0.2,
                   help="of the console's (and their JSON) requests, case lists")
    p.add_argument("--auth", choices=["auto", "provider", "bench-key"], default="auto")
    p.add_argument("--server", help="PostgreSQL server (libpq URL; a superuser or the owner)")
    p.add_argument("--database-role", default="utvag_app",
                   help="the service's connections take this role (SET ROLE), as in "
                        "production; '' for the login's own")
    p.add_argument("--no-console", dest="console", action="store_false",
                   help="leave out the console's pages (measured when the console is there "
                        "and the provider runs)")
    p.add_argument("--out", type=Path, help="also write the report to this file")
    return p


if __name__ == "__main__":
    arguments = parser().parse_args()
    text = main(arguments)
    print(text)  # noqa: T201 - a benchmark's report
    if arguments.out:
        arguments.out.write_text(text)
