"""The service benchmark's parts on a handful of requests (no timing asserted): its
world, its clients against the service and the bare endpoints, the console's pages and
the JSON endpoints, in one app, its tokens checked on every request, and its report."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from bench.service_auth import BenchKey, JwksVerifier, bench_key_auth, user_for
from bench.service_load import READ, WRITE, Client, Round, mixes, run_round
from bench.service_report import Measured, report
from bench.service_server import compose
from bench.service_world import World, build
from caseservice.console.auth import open_session
from models.principal import Principal
from services.runtime import Runtime


@pytest.fixture(scope="module")
def world(module_rt: Runtime) -> World:
    return build(module_rt, 4, threads=2)


def _round(app: object, kind: str, clients: list[Client]) -> Round:
    return asyncio.run(run_round("http://bench.test", kind, clients, seconds=0.2,
                                 mix=mixes(0.5, 0.5)[kind], seed=1,
                                 transport=lambda: httpx.ASGITransport(app=app)))  # type: ignore[arg-type]


def test_the_clients_read_decide_and_load_pages_through_every_kind_of_endpoint(
        module_rt: Runtime, world: World) -> None:
    rt = module_rt
    assert world.size == 4 and all(len(world.deciding[m]) == 2 for m in ("0180", "1480"))
    auth = bench_key_auth(4)
    verifier = JwksVerifier(auth.jwks or {})
    app = compose(rt, verifier)
    # Console sessions made directly (no provider here), holding the same tokens.
    sessions = [open_session(rt, Principal.from_claims(verifier.verify(token)),
                             {"access_token": token}, ttl=timedelta(hours=1))
                for token in auth.tokens]
    clients = [Client(token, world.cases[code], world.deciding[code], session)
               for i, (token, session) in enumerate(zip(auth.tokens, sessions, strict=True))
               for code in [user_for(i).organisation.split(":")[1]]]
    results = {kind: _round(app, kind, clients) for kind in ("service", "bare", "console",
                                                             "json")}
    # The clients' random choices are seeded and each client sends at least one
    # request: with seed 1 their first requests cover both operations of every mix,
    # however slow the machine.
    for kind, result in results.items():
        assert result.failures == {}, kind
        assert {op for op, _ in result.samples} == {op.label for op in mixes(0.5, 0.5)[kind]}
    assert {op for op, _ in results["service"].samples} == {READ, WRITE}
    text = report({k: Measured([r], 1.0, 1.0, 10, 2) for k, r in results.items()}, {
        "at": "now", "load_start": "1 1 1", "load_end": "1 1 1", "cases": 4, "world_s": 1.0,
        "clients": 4, "rounds": 1, "seconds": 0.4, "write_share": 0.5, "auth": "bench key"})
    assert "| GET case view |" in text and "Failed requests: service none, bare none." in text
    assert "Failed requests: console none, json none." in text


def test_a_token_of_another_key_is_refused_by_the_service_not_by_the_bare_endpoints(
        module_rt: Runtime, world: World) -> None:
    app = compose(module_rt, JwksVerifier(BenchKey().jwks()))
    forged = [Client(BenchKey().token(0), world.cases["0180"], world.deciding["0180"])]
    refused = _round(app, "service", forged).failures
    assert 401 in refused and set(refused) <= {401, 429}  # 429: the client is slowed down
    assert _round(app, "bare", forged).failures == {}
