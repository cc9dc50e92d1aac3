"""Prefect's record of cases (`services.culling.CaseHistory`), as a fake that remembers
what it was told to delete."""

from __future__ import annotations


class RecordingHistory:
    def __init__(self) -> None:
        self.deleted: list[str] = []

    def delete_case_runs(self, case_number: str) -> int:
        self.deleted.append(case_number)
        return 2  # the case's before and during runs
