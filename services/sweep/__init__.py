"""The register sweep, free of Prefect: a batch of ongoing cases checked in both police
registers (`batch`), page by page (`pages`), and the run's summary (`summary`). The
`register-sweep` flow orders these; the relapse flags it writes are notified and
assessed by `services.relapse`."""

from services.sweep.batch import (
    REGISTERS,
    BatchResult,
    OpenRegisters,
    Progress,
    check,
    run_batch,
)
from services.sweep.summary import SweepSummary, count_ongoing, summarise

__all__ = ["REGISTERS", "BatchResult", "OpenRegisters", "Progress", "SweepSummary", "check",
           "count_ongoing", "run_batch", "summarise"]
