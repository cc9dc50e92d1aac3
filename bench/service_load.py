"""The service benchmark's clients: N concurrent users (asyncio + httpx, one HTTP
connection each, each with its own bearer token or console session), every one in a
loop until the round ends, sending its kind's mix (`mixes`):

- `service` / `bare`: read the case view of a case of its own municipality, or (one
  request in `write_share`) record the coordinator's answer on "motivated" for a case of
  its municipality waiting for it (an idempotent upsert through the same use case), at
  `/api/v1` or at the bare endpoints `/bare` (the same tokens sent; ignored there);
- `console` / `json`: the console's case list and case page (signed in: the session
  cookie), or the JSON endpoints that serve the same data (the bearer token).

The same cases and the same random choices (seeded per client and round) for both
kinds of a pair.
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

READ, WRITE = "GET case view", "POST criterion answer"
LIST_PAGE, CASE_PAGE = "console: Mina ärenden (case list)", "console: Ärendet (case page)"
LIST_JSON, CASE_JSON = "JSON: GET /api/v1/cases", "JSON: GET /api/v1/cases/{case}"
ANSWER = {"criterion": "motivated", "holds": True, "note": "Motiverad enligt samtal."}


@dataclass(frozen=True)
class Op:
    """One kind of request in a mix: `share` of the requests; `{case}` in the path is a
    random case of the client's municipality (`deciding`: one waiting for a criterion)."""

    label: str
    share: float
    path: str
    body: dict[str, Any] | None = None  # POST this JSON; None: GET
    deciding: bool = False


def mixes(write_share: float = 0.2, list_share: float = 0.2) -> dict[str, tuple[Op, ...]]:
    """Per endpoint kind, what its clients send. `console` uses the session cookie,
    every other kind the bearer token."""
    def api(prefix: str) -> tuple[Op, ...]:
        return (Op(READ, 1 - write_share, prefix + "/cases/{case}"),
                Op(WRITE, write_share, prefix + "/cases/{case}/criteria", ANSWER, True))

    return {"service": api("/api/v1"), "bare": api("/bare"),
            "console": (Op(LIST_PAGE, list_share, "/console/"),
                        Op(CASE_PAGE, 1 - list_share, "/console/cases/{case}")),
            "json": (Op(LIST_JSON, list_share, "/api/v1/cases"),
                     Op(CASE_JSON, 1 - list_share, "/api/v1/cases/{case}"))}


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
    session: str = ""  # the console's session cookie, when signed in there


async def _user(http: httpx.AsyncClient, mix: Sequence[Op], client: Client,
                rng: random.Random, until: float, result: Round) -> None:
    weights = [op.share for op in mix]
    first = True
    while first or time.perf_counter() < until:  # every client sends at least one
        first = False
        op = rng.choices(mix, weights)[0]
        path = op.path.replace("{case}", rng.choice(
            client.deciding if op.deciding else client.cases))
        started = time.perf_counter()
        if op.body is not None:
            response = await http.post(path, json=op.body)
        else:
            response = await http.get(path)
        seconds = time.perf_counter() - started
        if response.is_success:  # a redirect to sign in is a failure too
            result.samples.append((op.label, seconds))
        else:
            result.failures[response.status_code] = result.failures.get(
                response.status_code, 0) + 1


def credentials(kind: str, client: Client) -> dict[str, Any]:
    """The console's session cookie, or the bearer token (httpx client arguments)."""
    return ({"cookies": {"utvag_console": client.session}} if kind == "console" else
            {"headers": {"Authorization": f"Bearer {client.token}"}})


async def run_round(base_url: str, kind: str, clients: Sequence[Client], *, seconds: float,
                    mix: Sequence[Op], seed: int,
                    transport: Callable[[], httpx.AsyncBaseTransport] | None = None) -> Round:
    """All clients at once for `seconds`, each sending `mix`, against `kind`."""
    result = Round(kind)

    def http(client: Client) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=base_url, timeout=120.0,
                                 limits=httpx.Limits(max_connections=1),
                                 transport=transport() if transport else None,
                                 **credentials(kind, client))

    https = [http(c) for c in clients]
    try:
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(*(
            _user(h, mix, client, random.Random(seed * 1000 + i),  # noqa: S311 - no secret
                  until, result)
            for i, (h, client) in enumerate(zip(https, clients, strict=True))))
        result.seconds = time.perf_counter() - started
    finally:
        await asyncio.gather(*(h.aclose() for h in https))
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
