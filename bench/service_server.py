"""The server side of the service benchmark: ONE uvicorn process on 127.0.0.1 serving

- `/api/v1/...`: the case service as `utvag serve` builds it (`create_app` with the
  run's verifier; the waker records nothing and wakes no Prefect run: the benchmark
  measures the service, and the service wakes runs after the response anyway), its
  connections as `utvag_app` under row-level security (`database_role`, as in
  production; docs/database-roles.md);
- `/bare/...`: a bare FastAPI app with a pool of the same size on the same server,
  connected as the login (the owner: no row-level security), doing the same database
  work without authentication, policy, access log or journal:
  `GET /bare/cases/{case}` builds the same case view (`services.views`' query, one
  transaction, no read journaled) and `POST /bare/cases/{case}/criteria` records the
  same answer through the same use case (`services.answers.record`).

Run as `python bench/service_server.py` by the driver (`bench/service.py`), the
configuration as one JSON line on stdin (no key or URL in argv); prints the port.
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi import FastAPI  # noqa: E402 - after the path is set
from starlette.applications import Starlette  # noqa: E402
from starlette.routing import Mount  # noqa: E402

from services.answers import CriterionAnswer  # noqa: E402 - resolved by FastAPI at runtime
from services.views import CaseView  # noqa: E402


class NullWaker:
    """Wakes nothing (see the module's docstring)."""

    def wake(self, rt: Any, case_id: uuid.UUID) -> str:
        return "recorded"

    def start(self, rt: Any, case_id: uuid.UUID) -> uuid.UUID:
        return case_id


def bare_app(rt: Any) -> FastAPI:
    from adapters.repositories import cases
    from models.enums import WaitKind
    from services import answers, views

    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/cases/{case}", response_model=CaseView)
    def show(case: str) -> CaseView:
        with rt.uow() as session:
            found = cases.find_case(session, case)
            return views._build(rt, session, found.id)  # noqa: SLF001 - the view's query itself

    @app.post("/cases/{case}/criteria")
    def decide(case: str, body: CriterionAnswer) -> dict[str, str]:
        recorded = answers.record(rt, case, WaitKind.COORDINATOR_ANSWER, body, by="bench")
        return {"case_number": recorded.case_number, "summary": recorded.summary}

    return app


def count_statements(engines: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Statements sent and transactions committed per engine, counted from now on."""
    import sqlalchemy as sa

    counts = {name: {"statements": 0, "commits": 0} for name in engines}
    for name, engine in engines.items():
        def statement(*_: Any, name: str = name) -> None:
            counts[name]["statements"] += 1

        def commit(*_: Any, name: str = name) -> None:
            counts[name]["commits"] += 1

        sa.event.listen(engine, "before_cursor_execute", statement)
        sa.event.listen(engine, "commit", commit)
    return counts


def compose(rt: Any, verifier: Any, bare_rt: Any = None) -> Starlette:
    """The case service at `/` (on `rt`) and the bare app at `/bare` (on `bare_rt`, by
    default the same runtime); `GET /bare/_stats`: the statements and commits each has
    sent so far (when they have engines of their own)."""
    from caseservice.app import create_app

    bare_rt = bare_rt or rt
    counts = count_statements({"service": rt.db.engine, "bare": bare_rt.db.engine}
                              if bare_rt is not rt else {})
    bare = bare_app(bare_rt)
    bare.add_api_route("/_stats", lambda: counts, methods=["GET"])
    service = create_app(rt, verifier, NullWaker())
    return Starlette(routes=[Mount("/bare", app=bare), Mount("/", app=service)])


def build_app(config: dict[str, Any]) -> Starlette:
    from adapters.db import Database
    from adapters.settings import Settings
    from bench.service_auth import verifier_for
    from services.runtime import Runtime

    url, role = config["database_url"], config.get("database_role")
    issuer = config["auth"].get("issuer") or None  # the console signs in there
    settings = Settings(DATABASE_URL=url, encryption_key=config["encryption_key"],
                        database_role=role, **({"oidc_issuer": issuer} if issuer else {}))
    service = Runtime(settings=settings, db=Database(url, role=role))
    bare = Runtime(settings=settings, db=Database(url), cipher=service.cipher)
    return compose(service, verifier_for(config["auth"]), bare)


def serve(config: dict[str, Any]) -> None:
    """uvicorn on a free loopback port; the port on stdout once it listens; stops when
    stdin closes (the driver is done or gone)."""
    import threading
    import time

    import uvicorn

    server = uvicorn.Server(uvicorn.Config(
        build_app(config), host="127.0.0.1", port=config.get("port", 0), log_config=None,
        access_log=False,
        server_header=False, date_header=False, backlog=512))

    def announce() -> None:
        while not server.started:
            time.sleep(0.02)
        print(server.servers[0].sockets[0].getsockname()[1], flush=True)  # noqa: T201

    def until_stdin_closes() -> None:
        sys.stdin.read()
        server.should_exit = True

    threading.Thread(target=announce, daemon=True).start()
    threading.Thread(target=until_stdin_closes, daemon=True).start()
    server.run()


if __name__ == "__main__":
    serve(json.loads(sys.stdin.readline()))
