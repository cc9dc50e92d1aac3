"""Benchmark of the register sweep (not a test): `make bench` or
`.venv/bin/python bench/sweep.py [--sizes 10000 100000]`.

For each size it creates that many ongoing (admitted) cases by bulk COPY into a fresh
database on an embedded PostgreSQL of its own (`.data/bench-pg`), loads register entries
for 0.2 % of them into the register simulators, and then, in separate processes:

- runs the `register-sweep` flow (Prefect server of its own, real tasks, PostgreSQL,
  both registers, notifications of the flags to the social-services simulator);
- runs a bare asyncio + httpx client that sends the same look-ups (same subjects, same
  500-subject requests, same concurrency per register) to the same simulators.

It reports throughput (cases/s) and its ratio to the bare client, time per case and peak
memory (max RSS of each process, from `resource.getrusage`). Output: a markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FLAG_EVERY = 500  # one case in 500 has a register entry after admission
CONCURRENCY = 4  # per register, for both the sweep and the bare client
REQUEST_SIZE = 500
BATCH_SIZE = 2000  # cases per check-batch task: 4 requests of 500 per register
ADMITTED = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
BENCH_KEY = "YmVuY2gtb25seS1rZXktbm90LWZvci1wcm9kdWN0aW9uLTEyMzQ1Ng=="


def identity(i: int) -> str:
    return f"1990{i:08d}"


def case_id(i: int) -> uuid.UUID:
    # Ordered like the sweep's keyset order, so the bare client sends identical chunks.
    return uuid.UUID(int=(0x1 << 124) | i)


# ---------------------------------------------------------------- data


def populate(dsn: str, n: int) -> None:
    import psycopg

    from adapters.vault import get_cipher

    cipher = get_cipher()
    name_enc = cipher.encrypt("Bench Person")
    at = ADMITTED.isoformat()
    with psycopg.connect(dsn) as conn:
        conn.execute("ALTER TABLE case_journal DISABLE TRIGGER case_journal_no_update")
        conn.execute('TRUNCATE relapse_flag, register_check, case_wait, consent, case_journal, '
                     '"case", person CASCADE')
        conn.execute("ALTER TABLE case_journal ENABLE TRIGGER case_journal_no_update")
        with conn.cursor() as cur:
            with cur.copy("COPY person (id, identity_enc, name_enc, identity_hash, "
                          "protection_level, sex, birth_date, created_at) FROM STDIN") as copy:
                for i in range(n):
                    copy.write_row((uuid.UUID(int=i + 1), cipher.encrypt(identity(i)), name_enc,
                                    f"bench-{i}", "none", "male", date(1990, 1, 1), at))
            with cur.copy('COPY "case" (id, case_number, person_id, placing_municipality, '
                          "referring_agency, milieu, custody_status, phase, status, opened_at, "
                          "updated_at) FROM STDIN") as copy:
                for i in range(n):
                    copy.write_row((case_id(i), f"UTV-2026-{i:06d}", uuid.UUID(int=i + 1),
                                    "0180", "police", "gang", "none", "during", "admitted",
                                    at, at))
            buffer = io.StringIO()
            for i in range(n):
                buffer.write(f"{case_id(i)}\t{at}\tbench\tadmitted\tduring\tadmitted\t"
                             "admitted\t{{}}\n")
            with cur.copy("COPY case_journal (case_id, at, actor, kind, phase, status, reason,"
                          " data) FROM STDIN") as copy:
                copy.write(buffer.getvalue().replace("{{}}", "{}"))
            with cur.copy("COPY consent (case_id, agency, state, at, recorded_by, legal_basis) "
                          "FROM STDIN") as copy:
                for i in range(n):
                    for agency in ("police", "social_services"):
                        copy.write_row((case_id(i), agency, "given", at, "bench", "samtycke"))
        conn.execute("ANALYZE")


def load_entries(ports: dict[str, int], n: int) -> int:
    import httpx

    entries = [{"identity_number": identity(i), "entry_id": f"B-{i}",
                "date": (ADMITTED.date() + timedelta(days=30)).isoformat()}
               for i in range(0, n, FLAG_EVERY)]
    for name in ("criminal-records", "suspicions"):
        base = f"http://127.0.0.1:{ports[name]}"
        httpx.delete(f"{base}/_admin/entries", timeout=30).raise_for_status()
        httpx.post(f"{base}/_admin/entries", json={"entries": entries},
                   timeout=30).raise_for_status()
    return 2 * len(entries)


# ---------------------------------------------------------------- workers


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_sweep(n: int) -> dict[str, Any]:
    from flows.register_sweep import register_sweep

    started = time.perf_counter()
    summary = register_sweep(batch_size=BATCH_SIZE, parallel_batches=CONCURRENCY)
    seconds = time.perf_counter() - started
    assert summary["checked"] == n, summary  # noqa: S101 - a benchmark that lies is worse
    return {"seconds": seconds, "peak_rss_mb": peak_rss_mb(), "flags": summary["flags"],
            "phases": summary["seconds"]}


def worker_bare(n: int, ports: dict[str, int]) -> dict[str, Any]:
    import httpx

    async def run() -> None:
        async def register(port: int) -> None:
            limit = asyncio.Semaphore(CONCURRENCY)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}",
                                         timeout=30) as client:
                async def one(start: int) -> None:
                    body = {"entries_since": ADMITTED.date().isoformat(), "subjects": [
                        {"subject_ref": str(case_id(i)), "identity_number": identity(i)}
                        for i in range(start, min(start + REQUEST_SIZE, n))]}
                    async with limit:
                        response = await client.post("/lookups", json=body)
                        response.raise_for_status()
                        response.json()
                await asyncio.gather(*(one(s) for s in range(0, n, REQUEST_SIZE)))
        await asyncio.gather(register(ports["criminal-records"]), register(ports["suspicions"]))

    started = time.perf_counter()
    asyncio.run(run())
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}


# ---------------------------------------------------------------- driver


def run_worker(kind: str, n: int, env: dict[str, str], ports: dict[str, int]) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603 - this script, in a fresh process for its memory
        [sys.executable, __file__, "--worker", kind, "--cases", str(n),
         "--ports", json.dumps(ports)], env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{kind} worker failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
            f"{mem:.0f} GiB RAM, Python {platform.python_version()}, {platform.system()}")


def main(sizes: list[int]) -> None:
    import psycopg

    from adapters.embedded_pg import embedded_url
    from adapters.settings import Settings, get_settings
    from utvag_cli.stack import Ports, Stack

    server = embedded_url(ROOT / ".data" / "bench-pg")
    database = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    dsn = server.replace("/postgres?", f"/{database}?")
    os.environ["DATABASE_URL"] = "postgresql+psycopg://" + dsn.split("://", 1)[1]
    os.environ.setdefault("UTVAG_ENCRYPTION_KEY", BENCH_KEY)
    get_settings.cache_clear()
    rows: list[str] = []
    phases: list[str] = []
    with tempfile.TemporaryDirectory(prefix="utvag-bench-") as tmp:
        stack = Stack(data_dir=Path(tmp), ports=Ports.free(), answer_delay=0.0)
        try:
            stack.prepare(Settings())
            stack.start_prefect()
            stack.start_simulators()
            env = {**stack.env, "UTVAG_SWEEP_PARALLEL_BATCHES": str(CONCURRENCY),
                   "UTVAG_SWEEP_REQUEST_SIZE": str(REQUEST_SIZE),
                   "UTVAG_HTTP_READ_TIMEOUT": "30", "PREFECT_LOGGING_LEVEL": "WARNING"}
            ports = stack.ports.simulators
            for n in sizes:
                t0 = time.perf_counter()
                populate(dsn, n)
                entries = load_entries(ports, n)
                setup = time.perf_counter() - t0
                bare = run_worker("bare", n, env, ports)
                sweep = run_worker("sweep", n, env, ports)
                ratio = bare["seconds"] / sweep["seconds"]
                rows.append(
                    f"| {n:,} | {setup:.0f} s | {bare['seconds']:.1f} s "
                    f"({n / bare['seconds']:,.0f}/s) | {sweep['seconds']:.1f} s "
                    f"({n / sweep['seconds']:,.0f}/s) | **{ratio:.2f}×** | "
                    f"{1000 * sweep['seconds'] / n:.2f} ms | {sweep['peak_rss_mb']:.0f} MB | "
                    f"{bare['peak_rss_mb']:.0f} MB | {entries} entries, "
                    f"{sum(sweep['flags'].values())} flags |")
                print(rows[-1], flush=True)  # noqa: T201 - a benchmark's report
                phases.append(f"| {n:,} | {sweep['seconds']:.1f} s | "
                              f"{sweep['phases']['batches']:.1f} s | "
                              f"{sweep['phases']['notifications']:.1f} s | "
                              f"{sweep['phases']['summary']:.1f} s |")
        finally:
            stack.stop()
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    print(f"\nmachine: {machine()}\n")  # noqa: T201
    print("| cases | setup (COPY) | bare client | sweep | throughput vs bare | time per case "  # noqa: T201
          "| sweep peak RSS | bare peak RSS | register data |")
    print("|---|---|---|---|---|---|---|---|---|")  # noqa: T201
    print("\n".join(rows))  # noqa: T201
    print("\n| cases | sweep call | batches (look-ups, flags, checks) | notifications "  # noqa: T201
          "| summary |\n|---|---|---|---|---|")
    print("\n".join(phases))  # noqa: T201


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--worker", choices=["sweep", "bare"])
    parser.add_argument("--cases", type=int)
    parser.add_argument("--ports", default="{}")
    args = parser.parse_args()
    if args.worker == "sweep":
        print(json.dumps(worker_sweep(args.cases)))  # noqa: T201
    elif args.worker == "bare":
        print(json.dumps(worker_bare(args.cases, json.loads(args.ports))))  # noqa: T201
    else:
        main(args.sizes)
