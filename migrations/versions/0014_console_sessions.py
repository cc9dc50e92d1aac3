"""The web console's server-side sessions (hashed ids, encrypted tokens, expiry), kept
by the case service's role `utvag_app`.

Revision ID: 0014_console_sessions
Revises: 0013_rls
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_console_sessions"
down_revision = "0013_rls"
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
    # The case service's role keeps the sessions (0013_rls granted only the tables that
    # existed then); the workers never touch them. No row-level security: a session is
    # looked up before anyone is signed in, by the hash of an id only its browser holds.
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON console_session TO utvag_app")
    op.execute("REVOKE ALL ON console_session FROM utvag_worker")


def downgrade() -> None:
    op.drop_table("console_session")
