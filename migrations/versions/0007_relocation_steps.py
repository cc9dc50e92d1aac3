"""Relocation steps: the Tax Agency's protection of personal data and the move of
belongings (neither holds the destination or the address).

Revision ID: 0007_relocation_steps
Revises: 0006_during
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_relocation_steps"
down_revision = "0006_during"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "protection_request",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, unique=True),
        sa.Column("measure", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("rejection_reason", sa.String(), nullable=True),
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("decided_at", TS, nullable=True),
        sa.CheckConstraint("measure IN ('sekretessmarkering', 'skyddad_folkbokforing')",
                           name="ck_protection_measure"),
        sa.CheckConstraint("status IN ('requested', 'granted', 'rejected')",
                           name="ck_protection_status"),
        sa.CheckConstraint("(status = 'requested') = (decided_at IS NULL)",
                           name="ck_protection_decided"),
    )
    op.create_table(
        "belongings_move",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, unique=True),
        sa.Column("provider_id", sa.BigInteger(), sa.ForeignKey("provider.id"), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("ordered_by", sa.String(), nullable=False),
        sa.Column("ordered_at", TS, nullable=False),
        sa.Column("delivered_by", sa.String(), nullable=True),
        sa.Column("delivered_at", TS, nullable=True),
        sa.CheckConstraint("status IN ('ordered', 'delivered')", name="ck_belongings_status"),
        sa.CheckConstraint("(status = 'delivered') = (delivered_at IS NOT NULL)",
                           name="ck_belongings_delivered"),
    )


def downgrade() -> None:
    op.drop_table("belongings_move")
    op.drop_table("protection_request")
