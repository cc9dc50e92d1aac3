"""The service benchmark's parts on a handful of requests (no timing asserted): its
world, its clients against the service and the bare endpoints in one app, its tokens
checked on every request, and its report."""

from __future__ import annotations

import asyncio

import httpx

from bench.service_auth import BenchKey, JwksVerifier, bench_key_auth, user_for
from bench.service_load import READ, WRITE, Client, Round, run_round
from bench.service_report import Measured, report
from bench.service_server import compose
from bench.service_world import build
from services.runtime import Runtime


def _round(app: object, kind: str, clients: list[Client]) -> Round:
    return asyncio.run(run_round("http://bench.test", kind, clients, seconds=0.4,
                                 write_share=0.5, seed=1,
                                 transport=lambda: httpx.ASGITransport(app=app)))  # type: ignore[arg-type]


def test_the_clients_read_and_decide_through_the_service_and_the_bare_endpoints(
        rt: Runtime) -> None:
    world = build(rt, 4, threads=2)
    assert world.size == 4 and all(len(world.deciding[m]) == 2 for m in ("0180", "1480"))
    auth = bench_key_auth(4)
    app = compose(rt, JwksVerifier(auth.jwks or {}))
    clients = [Client(token, world.cases[code], world.deciding[code])
               for i, token in enumerate(auth.tokens)
               for code in [user_for(i).organisation.split(":")[1]]]
    results = {kind: _round(app, kind, clients) for kind in ("service", "bare")}
    for result in results.values():
        assert result.failures == {}
        assert {op for op, _ in result.samples} == {READ, WRITE}
    text = report({k: Measured([r], 1.0, 1.0, 10, 2) for k, r in results.items()}, {
        "at": "now", "load_start": "1 1 1", "load_end": "1 1 1", "cases": 4, "world_s": 1.0,
        "clients": 4, "rounds": 1, "seconds": 0.4, "write_share": 0.5, "auth": "bench key"})
    assert "| GET case view |" in text and "Failed requests: service none, bare none." in text


def test_a_token_of_another_key_is_refused_by_the_service_not_by_the_bare_endpoints(
        rt: Runtime) -> None:
    world = build(rt, 2, threads=1)
    app = compose(rt, JwksVerifier(BenchKey().jwks()))
    forged = [Client(BenchKey().token(0), world.cases["0180"], world.deciding["0180"])]
    refused = _round(app, "service", forged).failures
    assert 401 in refused and set(refused) <= {401, 429}  # 429: the client is slowed down
    assert _round(app, "bare", forged).failures == {}
