"""Reference data: the 21 counties and 290 municipalities with their official codes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from models.reference.loader import load_counties, load_municipalities

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    county = sa.table("county", sa.column("code"), sa.column("name"))
    municipality = sa.table(
        "municipality", sa.column("code"), sa.column("name"), sa.column("county_code")
    )
    op.bulk_insert(county, [{"code": c.code, "name": c.name} for c in load_counties()])
    op.bulk_insert(
        municipality,
        [{"code": m.code, "name": m.name, "county_code": m.county_code}
         for m in load_municipalities()],
    )


def downgrade() -> None:
    op.execute("DELETE FROM municipality")
    op.execute("DELETE FROM county")
