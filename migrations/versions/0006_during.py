"""During phase: routing version pinned on the case, needs assessment, meeting
invitations with per-agency sign-off.

Revision ID: 0006_during
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0006_during"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("case", sa.Column("routing_version", sa.String(), nullable=True))
    op.create_table(
        "needs_assessment",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, unique=True),
        sa.Column("needs", pg.ARRAY(sa.String()), nullable=False),
        sa.Column("network", pg.ARRAY(sa.String()), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
    )
    op.create_table(
        "meeting_invitation",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, index=True),
        sa.Column("invitee", sa.String(), nullable=False),
        sa.Column("units", pg.ARRAY(sa.String()), nullable=False),
        sa.Column("external", sa.Boolean(), nullable=False),
        sa.Column("routing_version", sa.String(), nullable=False),
        sa.Column("signed_off_by", sa.String(), nullable=True),
        sa.Column("signed_off_at", TS, nullable=True),
        sa.UniqueConstraint("case_id", "invitee"),
    )


def downgrade() -> None:
    op.drop_table("meeting_invitation")
    op.drop_table("needs_assessment")
    op.drop_column("case", "routing_version")
