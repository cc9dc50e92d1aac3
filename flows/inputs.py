"""Typed forms for the human decisions a case waits for (Prefect RunInput).

The Prefect UI draws these as forms on a suspended run. They hold answers and a
staff id only: no free text, so nothing personal can be typed into Prefect.
"""

from __future__ import annotations

from prefect.input import RunInput
from pydantic import Field

from models.enums import Agency, Criterion, Need, NetworkRole


class CriterionAnswer(RunInput):
    """Does this eligibility criterion hold? (Evidence notes go in via the CLI.)"""

    criterion: Criterion
    holds: bool
    recorded_by: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")


class ConsentAnswer(RunInput):
    """Has the person consented to disclosure to this agency?"""

    agency: Agency
    given: bool
    legal_basis: str = Field(default="samtycke", min_length=1, max_length=100)
    recorded_by: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")


class NeedsAnswer(RunInput):
    """The needs assessment before the collaboration meeting: needs and network roles."""

    needs: list[Need]
    network: list[NetworkRole] = Field(default_factory=list)
    recorded_by: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")


class PlanApproval(RunInput):
    """Approve the action plan (interventions are added with `utvag during intervention`)."""

    approve: bool
    recorded_by: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")


class StatementAnswer(RunInput):
    """The police defector coordinator's statement on the grant application."""

    supports: bool
    recorded_by: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")


class CompletionDone(RunInput):
    """The grant application has been completed as the police asked."""

    completed: bool
    recorded_by: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")
