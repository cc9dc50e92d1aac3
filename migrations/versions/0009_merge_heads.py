"""Merge the two branches that both followed 0003 (the during phase and its relocation
steps; the register sweeps and their storage) into one head, so that `alembic upgrade
head` has one target and a new revision has one parent to follow.

Nothing changes in the schema: the branches touch different tables.

Revision ID: 0009_merge_heads
Revises: 0007_relocation_steps, 0008_sweep_array_storage
Create Date: 2026-12-04
"""

revision = "0009_merge_heads"
down_revision = ("0007_relocation_steps", "0008_sweep_array_storage")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """A merge point only."""


def downgrade() -> None:
    """A merge point only."""
