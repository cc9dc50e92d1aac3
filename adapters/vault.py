"""The key file for personal data (never in the repository)."""

from __future__ import annotations

import os
from pathlib import Path

from models.crypto import generate_master_key


def ensure_key_file(path: Path) -> bool:
    """Create a new key file readable by its owner only; False if one exists."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(generate_master_key())
    return True
