"""The key file for personal data (never in the repository).

A key file is created with mode 0600 and refused when it is readable or writable by
anyone but its owner (group or others), as ssh refuses a private key: a key that others
could have copied protects nothing.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from models.crypto import KeyRefused, generate_master_key, validate_master_key


def read_key_file(path: Path) -> bytes:
    """The validated key in `path`; `KeyRefused` naming the file when it is missing, open to
    group or others, or not a proper key."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise KeyRefused(f"encryption key: no key file at {path}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyRefused(f"encryption key: the key file {path} is readable by others (mode "
                         f"{stat.S_IMODE(mode):04o}); `chmod 600 {path}`, and consider the "
                         "key exposed")
    try:
        return validate_master_key(path.read_bytes())
    except KeyRefused as exc:
        raise KeyRefused(f"{exc} (in {path})") from None


def write_key_file(path: Path, key: bytes) -> None:
    """Write `key` to a new file readable by its owner only; refuses to overwrite."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
        handle.flush()
        os.fsync(handle.fileno())


def ensure_key_file(path: Path) -> bool:
    """Create a new key file readable by its owner only; False if one exists. Callers
    decide first whether a new key may exist at all (`services.keys.may_create_key`)."""
    if path.exists():
        return False
    write_key_file(path, generate_master_key())
    return True
