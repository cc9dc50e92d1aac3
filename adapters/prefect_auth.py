"""The local Prefect server's API credential (`make run`): a basic-auth string kept in
`<data dir>/prefect-auth`, readable by its owner only, made once and reused.

The server gets it as PREFECT_SERVER_API_AUTH_STRING and refuses any API call without
it (401); every client the stack starts (deploy, workers) gets it as
PREFECT_API_AUTH_STRING; the Prefect UI asks the operator for it. Coordinators never
hold it: they act through Utväg, which wakes the runs.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

USER = "utvag-operator"
FILE_NAME = "prefect-auth"


def auth_file(data_dir: Path) -> Path:
    return data_dir / FILE_NAME


def read_auth_string(path: Path) -> str | None:
    """The stored credential, or None when there is none (or the file is not private)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise PermissionError(f"{path}: readable by others; chmod 600 it (or delete it "
                              "to make a new credential)")
    value = path.read_text(encoding="utf-8").strip()
    return value or None


def ensure_auth_string(path: Path) -> str:
    """The credential in `path`, created (mode 0600) when missing."""
    found = read_auth_string(path)
    if found is not None:
        return found
    path.parent.mkdir(parents=True, exist_ok=True)
    value = f"{USER}:{secrets.token_urlsafe(32)}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value
