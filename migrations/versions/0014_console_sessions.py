"""The web console's server-side sessions (hashed ids, encrypted tokens, expiry).

Revision ID: 0014_console_sessions
Revises: 0012_access
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_console_sessions"
down_revision = "0012_access"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "console_session",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("subject", sa.String(200), nullable=True),
        sa.Column("data_enc", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.CheckConstraint("kind IN ('login', 'session')", name="ck_console_session_kind"),
    )
    op.create_index("ix_console_session_subject", "console_session", ["subject"])
    op.create_index("ix_console_session_expires_at", "console_session", ["expires_at"])


def downgrade() -> None:
    op.drop_table("console_session")
