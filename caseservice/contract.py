"""Write the case service's OpenAPI contract: `python -m caseservice.contract`
(to docs/contracts/case-service.openapi.json; a test checks it is current)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

CONTRACT = Path(__file__).resolve().parent.parent / "docs" / "contracts" / \
    "case-service.openapi.json"


def openapi() -> dict[str, Any]:
    """The contract, from the app itself (no database, no key, no provider touched)."""
    from adapters.db import Database
    from adapters.settings import Settings
    from caseservice.app import create_app
    from caseservice.waker import PrefectWaker
    from services.runtime import Runtime

    class _NoTokens:
        def verify(self, token: str) -> dict[str, Any]:
            raise NotImplementedError

    settings = Settings(DATABASE_URL="postgresql+psycopg://contract@127.0.0.1/none")
    rt = Runtime(settings=settings, db=Database(settings.database_url or ""))
    schema: dict[str, Any] = create_app(rt, _NoTokens(), PrefectWaker()).openapi()
    schema["components"].setdefault("securitySchemes", {})["bearer"] = {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "an access token of the organisation's OpenID Connect provider, "
                       "audience utvag-case-service"}
    schema["security"] = [{"bearer": []}]
    return schema


def render() -> str:
    return json.dumps(openapi(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> int:
    CONTRACT.parent.mkdir(parents=True, exist_ok=True)
    CONTRACT.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {CONTRACT}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
