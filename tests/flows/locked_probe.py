"""A flow that writes down what its process got: the agency URL in its environment and
its working directory (tests/flows/test_work_pool_locked.py runs it through a worker)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from prefect import flow


@flow(name="locked-probe", persist_result=False)
def probe(out: str) -> None:
    Path(out).write_text(json.dumps({"police_url": os.environ.get("UTVAG_POLICE_URL"),
                                     "cwd": os.getcwd()}), encoding="utf-8")
