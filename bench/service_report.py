"""The service benchmark's report (markdown): per pair of endpoint kinds (the service
against the bare endpoints; the console's pages against the JSON endpoints that serve
the same data), p50/p95 latency and throughput per operation, their ratios, and what a
request cost the server and the client."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.service_load import (
    CASE_JSON,
    CASE_PAGE,
    LIST_JSON,
    LIST_PAGE,
    READ,
    WRITE,
    Figures,
    Round,
    figures,
    summary,
)


@dataclass
class Measured:
    """One endpoint kind's rounds, and what they cost: CPU seconds of the server and the
    client process, statements sent and transactions committed by its engine."""

    rounds: list[Round] = field(default_factory=list)
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    statements: int = 0
    commits: int = 0
    # Per operation, one request at a time with no other client: median ms, statements
    # and commits per request.
    alone: dict[str, tuple[float, float, float]] = field(default_factory=dict)

    def add(self, other: Measured) -> None:
        self.rounds += other.rounds
        self.server_cpu += other.server_cpu
        self.client_cpu += other.client_cpu
        self.statements += other.statements
        self.commits += other.commits


# (kind, its operations) against (kind, the same operations' counterparts).
PAIRS: dict[str, tuple[tuple[str, Sequence[str]], tuple[str, Sequence[str]]]] = {
    "api": (("service", (READ, WRITE)), ("bare", (READ, WRITE))),
    "console": (("console", (LIST_PAGE, CASE_PAGE)), ("json", (LIST_JSON, CASE_JSON))),
}


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.machine())
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB RAM, "
            f"Python {platform.python_version()}")


def _ms(value: float) -> str:
    return f"{value:.0f} ms" if value >= 100 else f"{value:.1f} ms"


def _pair(results: dict[str, Measured], pair: str, context_clients: int) -> list[str]:
    (a, a_ops), (b, b_ops) = PAIRS[pair]
    lines = ["One request at a time, no other client (median of the first few; the "
             "statements and commits it takes):", "",
             "| endpoint | operation | time | SQL statements | transactions committed |",
             "|---|---|---|---|---|"]
    for kind in (a, b):
        for label, (ms, statements, commits) in results[kind].alone.items():
            lines.append(f"| {kind} | {label} | {_ms(ms)} | {statements:.0f} | "
                         f"{commits:.0f} |")
    lines += ["", f"{context_clients} clients at once:", "",
              "| endpoint | operation | requests | p50 | p95 | throughput |",
              "|---|---|---|---|---|---|"]
    figs: dict[tuple[str, str | None], Figures] = {}
    for kind, ops in ((a, a_ops), (b, b_ops)):
        for op in (*ops, None):
            f = figs[kind, op] = figures(results[kind].rounds, op)
            lines.append(f"| {kind} | {op or 'all (the mix)'} | {f.requests:,} | "
                         f"{_ms(f.p50_ms)} | {_ms(f.p95_ms)} | {f.per_second:.0f}/s |")
    lines += ["", f"| operation | p50 {a} / {b} | p95 {a} / {b} | throughput {b} / {a} |",
              "|---|---|---|---|"]
    for op_a, op_b in (*zip(a_ops, b_ops, strict=True), (None, None)):
        x, y = figs[a, op_a], figs[b, op_b]
        label = ("all (the mix)" if op_a is None else op_a if op_a == op_b
                 else f"{op_a} / {op_b}")
        ratios = [x.p50_ms / y.p50_ms, x.p95_ms / y.p95_ms,
                  y.per_second / x.per_second if x.per_second else float("nan")]
        lines.append(f"| {label} | " + " | ".join(f"{r:.2f}×" for r in ratios) + " |")
    lines += ["", "Per request (the mix):", "",
              "| endpoint | server CPU | client CPU | SQL statements | transactions committed |",
              "|---|---|---|---|---|"]
    per: dict[str, list[float]] = {}
    for kind in (a, b):
        m = results[kind]
        n = max(1, figs[kind, None].requests + sum(summary(m.rounds)["failures"].values()))
        per[kind] = [1000 * m.server_cpu / n, 1000 * m.client_cpu / n, m.statements / n,
                     m.commits / n]
        lines.append(f"| {kind} | {per[kind][0]:.2f} ms | {per[kind][1]:.2f} ms | "
                     f"{per[kind][2]:.1f} | {per[kind][3]:.2f} |")
    lines.append(f"| {a} / {b} | " + " | ".join(
        f"{x / y:.2f}×" if y else "–" for x, y in zip(per[a], per[b], strict=True)) + " |")
    lines += ["", f"Failed requests: {a} {summary(results[a].rounds)['failures'] or 'none'}, "
                  f"{b} {summary(results[b].rounds)['failures'] or 'none'}."]
    return lines


def report(results: dict[str, Measured], context: dict[str, Any]) -> str:
    lines = [f"## Case service benchmark, {context['at']} UTC", "",
             f"- machine: {machine()}",
             f"- load average (1/5/15 min) before the world was made: {context['load_start']}; "
             f"after the last round: {context['load_end']}",
             f"- world: {context['cases']} cases in 0180 and 1480 (made in "
             f"{context['world_s']:.0f} s); {context['clients']} concurrent clients; "
             f"rounds of {context['seconds']:.0f} s per endpoint kind ({context['rounds']} "
             f"for the API, {context.get('console_rounds', 0)} for the console), "
             "alternating within each pair",
             f"- authentication: {context['auth']}", "",
             "### The service against the bare endpoints", "",
             f"{context['write_share']:.0%} of requests record a criterion answer, the rest "
             "read a case view.", "", *_pair(results, "api", context["clients"])]
    if "console" in results:
        lines += ["", "### The console's pages against the JSON endpoints", "",
                  f"Signed-in console sessions ({context.get('console_auth', '')}); "
                  f"{context.get('list_share', 0):.0%} of the requests for the case list, "
                  "the rest for a case page (the page HTML; its CSS and script are static "
                  "files a browser caches).", "", *_pair(results, "console", context["clients"])]
    lines += ["", "PostgreSQL's CPU is not included (the server is shared with other work)."]
    return "\n".join(lines) + "\n"
