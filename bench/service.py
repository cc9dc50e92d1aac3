"""Benchmark of the case service (not a test): `make bench-service` or
`.venv/bin/python bench/service.py [--cases 300] [--clients 50] [--seconds 12]
[--rounds 2] [--auth auto|provider|bench-key] [--server postgresql://...] [--out FILE]`.

In a fresh database (migrated, dropped at the end) on the PostgreSQL server named by
`--server`, else `TEST_DATABASE_URL`, else `DATABASE_URL`, else the embedded one
(`.data/bench-pg`), it makes a world of `--cases` cases in Stockholm and Göteborg through
the services (`bench/service_world.py`), starts ONE uvicorn process on 127.0.0.1 serving
both the case service and the bare endpoints (`bench/service_server.py`), and runs
`--clients` concurrent authenticated users (`bench/service_load.py`; real JWT bearer
tokens checked on every request, `bench/service_auth.py`) reading case views and
recording criterion answers, in rounds that alternate service, bare, bare, service...
(the machine is shared: drift hits both alike). Reports p50/p95 latency, throughput,
the server process's CPU per request, and the ratios service / bare. Markdown output.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.service_load import (  # noqa: E402 - after the path is set
    READ,
    WRITE,
    Client,
    Figures,
    Round,
    figures,
    run_round,
    summary,
)

BENCH_KEY = "YmVuY2gtb25seS1rZXktbm90LWZvci1wcm9kdWN0aW9uLTEyMzQ1Ng=="


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


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.machine())
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB RAM, "
            f"Python {platform.python_version()}")


class Server:
    """The server process (`bench/service_server.py`): config on stdin, port from its
    stdout's first line; its logs in `log`."""

    def __init__(self, config: dict[str, Any], log: Path) -> None:
        self.log = log.open("w")
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


@dataclass
class Measured:
    """One endpoint kind's rounds, and what they cost: CPU seconds of the server and the
    client process, statements sent and transactions committed by its engine."""

    rounds: list[Round] = field(default_factory=list)
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    statements: int = 0
    commits: int = 0


def measure(server: Server, clients: list[Client], args: argparse.Namespace
            ) -> dict[str, Measured]:
    """Warm-up, then the rounds, alternating: service, bare, bare, service..."""
    import httpx

    out = {"service": Measured(), "bare": Measured()}

    def one(kind: str, seconds: float, seed: int) -> tuple[Round, Measured]:
        stats = httpx.get(f"{server.base_url}/bare/_stats").json()[kind]
        cpu, client = server.cpu(), time.process_time()
        result = asyncio.run(run_round(server.base_url, kind, clients, seconds=seconds,
                                       write_share=args.write_share, seed=seed))
        after = httpx.get(f"{server.base_url}/bare/_stats").json()[kind]
        return result, Measured([result], server.cpu() - cpu, time.process_time() - client,
                                after["statements"] - stats["statements"],
                                after["commits"] - stats["commits"])

    for kind in ("service", "bare"):
        one(kind, args.warm_up, seed=0)
    order = [k for i in range(args.rounds)
             for k in (("service", "bare") if i % 2 == 0 else ("bare", "service"))]
    for i, kind in enumerate(order, start=1):
        result, cost = one(kind, args.seconds, seed=i)
        total = out[kind]
        total.rounds.append(result)
        total.server_cpu += cost.server_cpu
        total.client_cpu += cost.client_cpu
        total.statements += cost.statements
        total.commits += cost.commits
        print(f"round {i}: {kind}: {len(result.samples)} requests in "  # noqa: T201 - progress
              f"{result.seconds:.1f} s, failures {result.failures or 'none'}",
              file=sys.stderr, flush=True)
    return out


def report(results: dict[str, Measured], context: dict[str, Any]) -> str:
    lines = [f"## Case service benchmark, {context['at']} UTC", "",
             f"- machine: {machine()}",
             f"- load average (1/5/15 min) before the world was made: {context['load_start']}; "
             f"after the last round: {context['load_end']}",
             f"- world: {context['cases']} cases in 0180 and 1480 (made in "
             f"{context['world_s']:.0f} s); {context['clients']} concurrent clients; "
             f"{context['rounds']} rounds of {context['seconds']:.0f} s per endpoint kind, "
             f"alternating; {context['write_share']:.0%} of requests record a criterion answer",
             f"- authentication: {context['auth']}", "",
             "| endpoint | operation | requests | p50 | p95 | throughput |",
             "|---|---|---|---|---|---|"]
    figs: dict[tuple[str, str], Figures] = {}
    for kind in ("service", "bare"):
        for op in (READ, WRITE, None):
            f = figs[kind, op or "all"] = figures(results[kind].rounds, op)
            lines.append(f"| {kind} | {op or 'all (the mix)'} | {f.requests:,} | "
                         f"{f.p50_ms:.1f} ms | {f.p95_ms:.1f} ms | {f.per_second:.0f}/s |")
    lines += ["", "| operation | p50 service / bare | p95 service / bare | "
              "throughput bare / service |", "|---|---|---|---|"]
    for op in (READ, WRITE, "all"):
        s, b = figs["service", op], figs["bare", op]
        lines.append(f"| {op if op != 'all' else 'all (the mix)'} | {s.p50_ms / b.p50_ms:.2f}× | "
                     f"{s.p95_ms / b.p95_ms:.2f}× | {b.per_second / s.per_second:.2f}× |")
    lines += ["", "Per request (the mix), what does not depend on the machine's other load "
              "as much:", "", "| endpoint | server CPU | client CPU | SQL statements | "
              "transactions committed |", "|---|---|---|---|---|"]
    per: dict[str, list[float]] = {}
    for kind, m in results.items():
        n = max(1, figs[kind, "all"].requests + sum(summary(m.rounds)["failures"].values()))
        per[kind] = [1000 * m.server_cpu / n, 1000 * m.client_cpu / n, m.statements / n,
                     m.commits / n]
        lines.append(f"| {kind} | {per[kind][0]:.2f} ms | {per[kind][1]:.2f} ms | "
                     f"{per[kind][2]:.1f} | {per[kind][3]:.2f} |")
    lines.append("| service / bare | " + " | ".join(
        f"{a / b:.2f}×" if b else "–" for a, b in zip(per["service"], per["bare"], strict=True))
        + " |")
    lines += ["", "PostgreSQL's CPU is not included (the server is shared with other work).",
              f"Failed requests: service {summary(results['service'].rounds)['failures'] or 'none'}"
              f", bare {summary(results['bare'].rounds)['failures'] or 'none'}."]
    return "\n".join(lines) + "\n"


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
            started = time.perf_counter()
            auth = (service_auth.provider_auth(args.clients, Path(tmp)) if use_provider
                    else service_auth.bench_key_auth(args.clients))
            auth_s = time.perf_counter() - started
            running = Server({"database_url": url, "encryption_key": BENCH_KEY,
                              "database_role": args.database_role or None,
                              "auth": auth.server_config()}, Path(tmp) / "server.log")
            clients = [Client(token, world.cases[code], world.deciding[code])
                       for i, token in enumerate(auth.tokens)
                       for code in [service_auth.user_for(i).organisation.split(":")[1]]]
            results = measure(running, clients, args)
            described = {
                "provider": "the embedded OpenID Connect provider (oidc/, node) on loopback; "
                            "each client signed in on its login form (authorization code + "
                            "PKCE) as one of the four demo users of 0180 and 1480; the service "
                            "checks every token with `adapters.oidc.TokenVerifier` (JWKS from "
                            "discovery)",
                "bench-key": "RS256 tokens signed by a key the benchmark makes, with the "
                             "provider's claims (four demo users of 0180 and 1480); the "
                             "service checks every token with `bench.service_auth."
                             "JwksVerifier` (joserfc: kid, signature, iss, aud, exp, nbf) "
                             "over the key's public JWKS"}[auth.mode]
            described += f" ({len(auth.tokens)} tokens in {auth_s:.1f} s)"
            return report(results, {
                "at": f"{datetime.now(UTC):%Y-%m-%d %H:%M}", "load_start": load_start,
                "load_end": load_average(), "cases": world.size, "world_s": world_s,
                "clients": args.clients, "rounds": args.rounds, "seconds": args.seconds,
                "write_share": args.write_share, "auth": described})
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
    p.add_argument("--cases", type=int, default=300)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--seconds", type=float, default=12.0, help="per round")
    p.add_argument("--rounds", type=int, default=2, help="rounds per endpoint kind")
    p.add_argument("--warm-up", type=float, default=3.0, help="seconds per kind, not counted")
    p.add_argument("--write-share", type=float, default=0.2)
    p.add_argument("--auth", choices=["auto", "provider", "bench-key"], default="auto")
    p.add_argument("--server", help="PostgreSQL server (libpq URL; a superuser or the owner)")
    p.add_argument("--database-role", default="utvag_app",
                   help="the service's connections take this role (SET ROLE), as in "
                        "production; '' for the login's own")
    p.add_argument("--out", type=Path, help="also write the report to this file")
    return p


if __name__ == "__main__":
    arguments = parser().parse_args()
    text = main(arguments)
    print(text)  # noqa: T201 - a benchmark's report
    if arguments.out:
        arguments.out.write_text(text)
