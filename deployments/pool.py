"""The work pool's job template, locked: a flow run cannot choose what the worker runs.

The process worker starts each flow run as a process on the worker's machine, with the
worker's environment (database URL, agency URLs, key file). Prefect's default template
lets whoever may create a flow run override `command`, `env` and `working_dir` as job
variables: with the Prefect credential alone one could run any command on a worker, or
send a case's data to another agency URL (`UTVAG_POLICE_URL=https://elsewhere`).

So the pool's template carries these three as fixed values, and its variables schema no
longer offers them and admits nothing else (`additionalProperties: false`): the server
refuses a deployment or a flow run that sets them (422). Behind that, the worker
(`deployments.worker`) drops them from whatever a flow run carries, for a run that
reached the pool by a path the server does not validate.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

from prefect.workers.process import ProcessWorker

from flows.recover import HEARTBEAT_SECONDS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Job variables a flow run or a deployment may never set.
LOCKED = frozenset({"command", "env", "working_dir"})


def run_command(python: str = sys.executable) -> str:
    # One engine process per flow run, started by this installation's interpreter
    # (without a command, the process worker adds a supervisor process per run).
    return f"{python} -m prefect.engine"


def run_env() -> dict[str, str]:
    # recover-stalled-cases tells slow runs from dead ones by these heartbeats.
    return {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS)}


def locked_job_template(*, command: str | None = None, working_dir: Path = PROJECT_ROOT,
                        env: dict[str, str] | None = None) -> dict[str, Any]:
    """Prefect's process template with `command`, `env` and `working_dir` fixed."""
    template = copy.deepcopy(ProcessWorker.get_default_base_job_template())
    variables: dict[str, Any] = template["variables"]
    for key in LOCKED:
        variables["properties"].pop(key, None)
    variables["additionalProperties"] = False
    template["job_configuration"].update(
        command=command or run_command(), env=env if env is not None else run_env(),
        working_dir=str(working_dir))
    return template


def is_locked(template: dict[str, Any]) -> bool:
    """True when the template offers none of the locked variables and nothing else."""
    variables = template.get("variables", {})
    config = template.get("job_configuration", {})
    offered = set(variables.get("properties", {}))
    templated = any(isinstance(config.get(key), str) and "{{" in config[key]
                    for key in LOCKED)
    return (not offered & LOCKED and variables.get("additionalProperties") is False
            and not templated)


def strip_locked(values: dict[str, Any]) -> dict[str, Any]:
    """Job variables without the locked ones (also dotted forms like `env.X`)."""
    return {key: value for key, value in values.items()
            if key not in LOCKED and key.split(".", 1)[0] not in LOCKED}
