"""Start-up configuration of one simulator (the CLI and the test fixtures build it)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from simulators.faults import FaultSettings

__all__ = ["SimulatorConfig"]


class SimulatorConfig(FaultSettings):
    """Start-up configuration of one simulator (fault fields are inherited)."""

    answer_delay_seconds: float = Field(
        default=2.0, ge=0.0, description="Time from creation until the answer is ready."
    )
    state_file: Path | None = Field(
        default=None, description="JSON file to persist requests in, so restarts keep them."
    )
    test_mode: bool = Field(
        default=False,
        description="Serve the /_admin API (faults, scenarios, answer-now, register entries) "
        "that tests and the demo use to steer the simulator; off: every /_admin path is 404.",
    )

    def fault_settings(self) -> FaultSettings:
        """The fault part of the configuration."""
        fields = set(FaultSettings.model_fields)
        return FaultSettings.model_validate(self.model_dump(include=fields))
