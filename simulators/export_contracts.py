"""Regenerate the committed OpenAPI contracts from the simulator apps.

Run ``python -m simulators.export_contracts`` after changing a wire schema or an endpoint;
a test fails while the committed files differ from what the apps generate, so the
documented contract cannot silently drift from the implemented one.
"""

from __future__ import annotations

import json
from pathlib import Path

from simulators.catalog import APPS
from simulators.config import SimulatorConfig

__all__ = ["CONTRACTS_DIR", "main", "render_contracts"]

CONTRACTS_DIR = Path(__file__).resolve().parent.parent / "docs" / "contracts"


def render_contracts() -> dict[str, str]:
    """File name -> JSON text of every agency contract, exactly as committed."""
    config = SimulatorConfig()
    # One contract per simulator of the catalogue, named after it ("police-grants" →
    # police_grants.openapi.json): a new agency gets its contract by being catalogued.
    apps = {f"{name.replace('-', '_')}.openapi.json": create(config)
            for name, create in APPS.items()}
    return {
        name: json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"
        for name, app in apps.items()
    }


def main(directory: Path = CONTRACTS_DIR) -> None:
    """Write the contracts into ``directory`` (default ``docs/contracts``)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in render_contracts().items():
        (directory / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
