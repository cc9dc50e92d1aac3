"""The embedded PostgreSQL (pgserver) used when no DATABASE_URL is given.

Data lives under the data directory and is reused between runs. pgserver stops the
server when the last process that asked for it exits.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any


@lru_cache(maxsize=4)
def _server(pgdata: str) -> Any:
    Path(pgdata).mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs' note, on importing pgserver, that XDG_RUNTIME_DIR is unset (a
        # service account, a container): pgserver then keeps its runtime files under
        # /tmp, which is fine.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        from pgserver.postgres_server import get_server

        return get_server(pgdata, cleanup_mode="stop")


def embedded_url(pgdata: Path, *, database: str = "postgres") -> str:
    server = _server(str(pgdata.resolve()))
    uri: str = server.get_uri(database)
    return uri

