"""Utväg's deployments (`registry.py`) and how they are registered (`deploy.py`)."""

# The one work pool every deployment runs on (here, not in the registry: the CLI's
# `utvag worker` needs the name without importing every flow).
DEFAULT_WORK_POOL = "utvag"
