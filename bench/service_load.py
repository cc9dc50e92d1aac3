"""The service benchmark's clients: N concurrent users (asyncio + httpx, one HTTP
connection each, each with its own bearer token), every one in a loop until the round
ends: read the case view of a case of its own municipality, or (one request in
`write_share`) record the coordinator's answer on "motivated" for a case of its
municipality waiting for it (an idempotent upsert through the same use case).

The same loop runs against the service (`/api/v1`) and the bare endpoints (`/bare`),
with the same tokens sent (the bare app ignores them), the same cases and the same
random choices (seeded per client and round).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

PREFIX = {"service": "/api/v1", "bare": "/bare"}
READ, WRITE = "GET case view", "POST criterion answer"
ANSWER = {"criterion": "motivated", "holds": True, "note": "Motiverad enligt samtal."}


@dataclass
class Round:
    """One round's samples: (operation, seconds) of the 2xx answers; the rest counted."""

    kind: str
    seconds: float = 0.0
    samples: list[tuple[str, float]] = field(default_factory=list)
    failures: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Client:
    token: str
    cases: Sequence[str]  # case numbers of its municipality
    deciding: Sequence[str]  # ... of those, the ones waiting for a criterion


async def _user(http: httpx.AsyncClient, kind: str, client: Client, rng: random.Random,
                write_share: float, until: float, result: Round) -> None:
    prefix = PREFIX[kind]
    while time.perf_counter() < until:
        write = rng.random() < write_share
        number = rng.choice(client.deciding if write else client.cases)
        started = time.perf_counter()
        if write:
            response = await http.post(f"{prefix}/cases/{number}/criteria", json=ANSWER)
        else:
            response = await http.get(f"{prefix}/cases/{number}")
        seconds = time.perf_counter() - started
        if response.is_success:
            result.samples.append((WRITE if write else READ, seconds))
        else:
            result.failures[response.status_code] = result.failures.get(
                response.status_code, 0) + 1


async def run_round(base_url: str, kind: str, clients: Sequence[Client], *, seconds: float,
                    write_share: float, seed: int,
                    transport: Callable[[], httpx.AsyncBaseTransport] | None = None) -> Round:
    """All clients at once for `seconds` against `kind` ("service" or "bare")."""
    result = Round(kind)
    https = [httpx.AsyncClient(base_url=base_url, timeout=60.0,
                               headers={"Authorization": f"Bearer {c.token}"},
                               limits=httpx.Limits(max_connections=1),
                               transport=transport() if transport else None)
             for c in clients]
    try:
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(*(
            _user(http, kind, client, random.Random(seed * 1000 + i),  # noqa: S311 - no secret
                  write_share, until, result)
            for i, (http, client) in enumerate(zip(https, clients, strict=True))))
        result.seconds = time.perf_counter() - started
    finally:
        await asyncio.gather(*(http.aclose() for http in https))
    return result


def percentile(values: Sequence[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


@dataclass(frozen=True)
class Figures:
    requests: int
    p50_ms: float
    p95_ms: float
    per_second: float


def figures(rounds: Sequence[Round], op: str | None = None) -> Figures:
    """p50/p95 over every sample of the rounds (of `op`, or all), and throughput: the
    requests per second of the rounds' summed wall time."""
    values = [s for r in rounds for o, s in r.samples if op is None or o == op]
    wall = sum(r.seconds for r in rounds)
    if not values:
        return Figures(0, float("nan"), float("nan"), 0.0)
    return Figures(len(values), 1000 * percentile(values, 50), 1000 * percentile(values, 95),
                   len(values) / wall if wall else 0.0)


def summary(rounds: Sequence[Round]) -> dict[str, Any]:
    failures: dict[int, int] = {}
    for r in rounds:
        for status, count in r.failures.items():
            failures[status] = failures.get(status, 0) + count
    return {"requests": sum(len(r.samples) for r in rounds), "failures": failures}
