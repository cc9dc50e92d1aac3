"""Bad command-line input: one error type (exit 2, the field named) and the yes/no
answers every sub-command accepts."""

from __future__ import annotations


class UsageError(ValueError):
    """Input a command refuses before writing anything; the message names the field."""


def yes_no(value: str, field: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"yes", "y", "true", "ja"}:
        return True
    if lowered in {"no", "n", "false", "nej"}:
        return False
    raise UsageError(f"{field}: answer yes or no")
