"""Benchmark of the register sweep (not a test): `make bench` or
`.venv/bin/python bench/sweep.py [--sizes 10000 100000]`.

For each size it creates that many ongoing (admitted) cases by bulk COPY into a fresh
database on an embedded PostgreSQL of its own (`.data/bench-pg`), loads register entries
for 0.2 % of them into the register simulators, and then, in ONE fresh process per size
(so that peak memory is per size), with its modules imported first:

1. a bare asyncio + httpx client sends the same look-ups (same subjects, same
   500-subject requests, same concurrency per register) to the same simulators;
2. the `register-sweep` flow runs: a real flow run on the stack's Prefect server, real
   tasks, PostgreSQL, both registers, notifications of the flags to social services;
3. the bare client runs again.

Throughput is cases per second of wall time; the ratio is against the FASTER of the two
bare runs (load from other processes on the machine moves both). Before the first size
a warm-up sweep over no cases runs in a throwaway process, so that the Prefect server's
first-request costs after its start are not charged to the first size. It also reports
the CPU seconds each part of the stack spent during the sweep (sweep process, PostgreSQL,
Prefect server, simulators; from /proc), which says where the time goes even when other
work on the machine stretches wall times, and the process's peak RSS
(`resource.getrusage`). Output: markdown tables.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FLAG_EVERY = 500  # one case in 500 has a register entry after admission
CONCURRENCY = 4  # per register, for both the sweep and the bare client
REQUEST_SIZE = 500
ADMITTED = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
from bench.key import BENCH_KEY  # noqa: E402


def identity(i: int) -> str:
    return f"1990{i:08d}"


def case_id(i: int) -> uuid.UUID:
    # Ordered like the sweep's keyset order, so the bare client sends identical chunks.
    return uuid.UUID(int=(0x1 << 124) | i)


# ---------------------------------------------------------------- data


def populate(dsn: str, n: int) -> None:
    import psycopg

    from models.crypto import Cipher

    cipher = Cipher(BENCH_KEY.encode())
    name_enc = cipher.encrypt("Bench Person")
    at = ADMITTED.isoformat()
    with psycopg.connect(dsn) as conn:
        conn.execute("ALTER TABLE case_journal DISABLE TRIGGER case_journal_no_update")
        conn.execute('TRUNCATE relapse_flag, register_check, register_disclosure, case_wait, '
                     'consent, case_journal, "case", person CASCADE')
        conn.execute("ALTER TABLE case_journal ENABLE TRIGGER case_journal_no_update")
        with conn.cursor() as cur:
            sex_enc, born_enc = cipher.encrypt("male"), cipher.encrypt("1990-01-01")
            with cur.copy("COPY person (id, identity_enc, name_enc, identity_hash, "
                          "protection_level, sex_enc, birth_date_enc, created_at) FROM STDIN"
                          ) as copy:
                for i in range(n):
                    copy.write_row((uuid.UUID(int=i + 1), cipher.encrypt(identity(i)), name_enc,
                                    f"bench-{i}", "none", sex_enc, born_enc, at))
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
    """Peak RSS since the last ``reset_peak_rss`` (VmHWM), else of the process."""
    try:
        with open("/proc/self/status") as handle:  # noqa: PTH123 - /proc
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> None:
    """Linux: "5" to clear_refs resets VmHWM, so the sweep's peak is not the bare
    client's, which ran first in the same process."""
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as handle:  # noqa: PTH123
        handle.write("5")


def bare_client(n: int, ports: dict[str, int]) -> float:
    """The baseline: the same POST /lookups, nothing else. Seconds of wall time."""
    import httpx

    async def run() -> None:
        async def register(port: int) -> None:
            limit = asyncio.Semaphore(CONCURRENCY)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}",
                                         timeout=30) as client:
                async def one(start: int) -> None:
                    async with limit:  # body built in the slot: memory flat in n
                        body = {"entries_since": ADMITTED.date().isoformat(), "subjects": [
                            {"subject_ref": str(case_id(i)), "identity_number": identity(i)}
                            for i in range(start, min(start + REQUEST_SIZE, n))]}
                        response = await client.post("/lookups", json=body)
                        response.raise_for_status()
                        response.json()
                await asyncio.gather(*(one(s) for s in range(0, n, REQUEST_SIZE)))
        await asyncio.gather(register(ports["criminal-records"]), register(ports["suspicions"]))

    started = time.perf_counter()
    asyncio.run(run())
    return time.perf_counter() - started


def worker(n: int, ports: dict[str, int], pids: dict[str, list[int]]) -> dict[str, Any]:
    # Imported before timing: import cost is not the sweep's (a worker has it loaded).
    import httpx  # noqa: F401
    import prefect.flow_engine  # noqa: F401
    import prefect.task_engine  # noqa: F401
    import psycopg  # noqa: F401 - imported by SQLAlchemy on the first query: 0.6 s
    import sqlalchemy.dialects.postgresql.psycopg  # noqa: F401

    from flows.register_sweep import register_sweep

    bare_before = bare_client(n, ports)
    pids = {**pids, "sweep process": [os.getpid()]}
    cpu_before = cpu_seconds(pids)
    reset_peak_rss()
    started = time.perf_counter()
    summary = register_sweep(in_flight=CONCURRENCY)
    seconds = time.perf_counter() - started
    cpu_after = cpu_seconds(pids)
    peak = peak_rss_mb()
    bare_after = bare_client(n, ports)
    assert summary["checked"] == n, summary  # noqa: S101 - a benchmark that lies is worse
    return {"seconds": seconds, "bare": [bare_before, bare_after], "peak_rss_mb": peak,
            "flags": summary["flags"], "phases": summary["seconds"],
            "cpu": {k: round(cpu_after[k] - cpu_before.get(k, 0.0), 2) for k in cpu_after}}


def warm_up() -> None:
    from flows.register_sweep import register_sweep

    register_sweep(in_flight=CONCURRENCY)


# ---------------------------------------------------------------- CPU per process


def _stat(pid: int) -> tuple[int, float, float]:
    """(parent pid, own CPU seconds, CPU seconds of its reaped children)."""
    with open(f"/proc/{pid}/stat") as handle:  # noqa: PTH123 - /proc, a benchmark helper
        fields = handle.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick,
            (int(fields[13]) + int(fields[14])) / tick)


def cpu_seconds(roots: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds so far of each named group of processes and their descendants."""
    stats: dict[int, tuple[int, float, float]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stats[int(entry)] = _stat(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    children: dict[int, list[int]] = {}
    for pid, (parent, _, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    out: dict[str, float] = {}
    for name, pids in roots.items():
        total, todo = 0.0, list(pids)
        while todo:
            pid = todo.pop()
            if pid in stats:
                _, own, reaped = stats[pid]
                total += own + reaped
                todo += children.get(pid, [])
        out[name] = total
    return out


def postmaster(pgdata: Path) -> int:
    with (pgdata / "postmaster.pid").open() as handle:
        return int(handle.readline())


# ---------------------------------------------------------------- driver


def run_worker(kind: str, n: int, env: dict[str, str], ports: dict[str, int],
               pids: dict[str, list[int]]) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603 - this script, in a fresh process for its memory
        [sys.executable, __file__, "--worker", kind, "--cases", str(n),
         "--ports", json.dumps(ports), "--pids", json.dumps(pids)],
        env=env, capture_output=True, text=True, check=False)
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
    from adapters.settings import Settings
    from utvag_cli.stack import Ports, Stack

    pgdata = ROOT / ".data" / "bench-pg"
    server = embedded_url(pgdata)
    database = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    dsn = server.replace("/postgres?", f"/{database}?")
    # Handed in, never written to this process's environment; the workers get the same
    # values in theirs.
    settings = Settings(DATABASE_URL="postgresql+psycopg://" + dsn.split("://", 1)[1],
                        encryption_key=BENCH_KEY)
    rows: list[str] = []
    phases: list[str] = []
    cpu_rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="utvag-bench-") as tmp:
        stack = Stack(data_dir=Path(tmp), ports=Ports.free(), answer_delay=0.0)
        try:
            stack.prepare(settings)
            stack.start_prefect()
            stack.start_simulators()
            env = {**stack.env, "UTVAG_ENCRYPTION_KEY": BENCH_KEY,
                   "UTVAG_SWEEP_IN_FLIGHT": str(CONCURRENCY),
                   "UTVAG_SWEEP_REQUEST_SIZE": str(REQUEST_SIZE),
                   "UTVAG_HTTP_READ_TIMEOUT": "30", "PREFECT_LOGGING_LEVEL": "WARNING"}
            ports = stack.ports.simulators
            names = ["prefect server", "criminal-records", "suspicions", "social-services"]
            pids = {"postgresql": [postmaster(pgdata)],
                    **{name: [p.pid for p in stack.processes
                              if name.split()[0] in " ".join(map(str, p.args))]
                       for name in names}}
            populate(dsn, 0)
            run_worker("warm-up", 0, env, ports, pids)
            for n in sizes:
                t0 = time.perf_counter()
                populate(dsn, n)
                entries = load_entries(ports, n)
                setup = time.perf_counter() - t0
                r = run_worker("both", n, env, ports, pids)
                bare = min(r["bare"])
                ratio = bare / r["seconds"]
                rows.append(
                    f"| {n:,} | {setup:.0f} s | {r['bare'][0]:.2f} s / {r['bare'][1]:.2f} s "
                    f"({n / bare:,.0f}/s) | {r['seconds']:.2f} s "
                    f"({n / r['seconds']:,.0f}/s) | **{ratio:.2f}×** | "
                    f"{1000 * r['seconds'] / n:.3f} ms | {r['peak_rss_mb']:.0f} MB | "
                    f"{entries} entries, {sum(r['flags'].values())} flags |")
                print(rows[-1], flush=True)  # noqa: T201 - a benchmark's report
                phases.append(f"| {n:,} | {r['seconds']:.2f} s | "
                              f"{r['phases']['setup']:.2f} s | "
                              f"{r['phases']['slots']:.2f} s | "
                              f"{r['phases']['batches']:.2f} s | "
                              f"{r['phases']['notifications']:.2f} s | "
                              f"{r['phases']['summary']:.2f} s |")
                cpu = r["cpu"]
                cpu_rows.append(f"| {n:,} | " + " | ".join(
                    f"{cpu[k]:.2f} s" for k in ["sweep process", "postgresql", *names])
                    + f" | {sum(cpu.values()):.2f} s |")
        finally:
            stack.stop()
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    print(f"\nmachine: {machine()}\n")  # noqa: T201
    print("| cases | setup (COPY) | bare client (before / after) | sweep | throughput vs "  # noqa: T201
          "bare | time per case | peak RSS | register data |")
    print("|---|---|---|---|---|---|---|---|")  # noqa: T201
    print("\n".join(rows))  # noqa: T201
    print("\n| cases | sweep call | setup | concurrency slots | batches (look-ups, flags, "  # noqa: T201
          "checks) | notifications | summary |\n|---|---|---|---|---|---|---|")
    print("\n".join(phases))  # noqa: T201
    print("\nCPU seconds during the sweep call:\n\n| cases | sweep process | PostgreSQL | "  # noqa: T201
          "Prefect server | criminal-records sim | suspicions sim | social-services sim "
          "| total |\n|---|---|---|---|---|---|---|---|")
    print("\n".join(cpu_rows))  # noqa: T201


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--worker", choices=["both", "warm-up"])
    parser.add_argument("--cases", type=int)
    parser.add_argument("--ports", default="{}")
    parser.add_argument("--pids", default="{}")
    args = parser.parse_args()
    if args.worker == "both":
        print(json.dumps(worker(args.cases, json.loads(args.ports),  # noqa: T201
                                json.loads(args.pids))))
    elif args.worker == "warm-up":
        warm_up()
        print("{}")  # noqa: T201
    else:
        main(args.sizes)
