"""Register sweep id arrays stored uncompressed.

``register_check.case_ids`` and ``register_disclosure.case_ids`` hold up to 500 uuids
(8 KB) per row; PostgreSQL tried to compress every such value (pglz) on insert, which
cost a register sweep ~0.25 ms of PostgreSQL time per request for no use (case ids are
random bytes). ``STORAGE EXTERNAL`` keeps them out of line, uncompressed. Existing rows
are unchanged; the setting applies to new values.

Revision ID: 0008_sweep_array_storage
Revises: 0007_sweep_bulk
Create Date: 2026-12-03
"""

from alembic import op

revision = "0008_sweep_array_storage"
down_revision = "0007_sweep_bulk"
branch_labels = None
depends_on = None

TABLES = ("register_check", "register_disclosure")


def upgrade() -> None:
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN case_ids SET STORAGE EXTERNAL")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN case_ids SET STORAGE EXTENDED")
