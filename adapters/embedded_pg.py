"""The embedded PostgreSQL (pgserver) used when no DATABASE_URL is given.

Data lives under the data directory and is reused between runs. pgserver stops the
server when the last process that asked for it exits.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any


@lru_cache(maxsize=4)
def _server(pgdata: str) -> Any:
    from pgserver.postgres_server import get_server

    Path(pgdata).mkdir(parents=True, exist_ok=True)
    return get_server(pgdata, cleanup_mode="stop")


def embedded_url(pgdata: Path, *, database: str = "postgres") -> str:
    server = _server(str(pgdata.resolve()))
    uri: str = server.get_uri(database)
    return uri

