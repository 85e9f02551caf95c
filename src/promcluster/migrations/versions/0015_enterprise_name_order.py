"""enterprises listed with the numbers in their names read as numbers («№2» before «№10»): an
index on the expressions of ``registry.models.NAME_ORDER``, so that a page of a long register
is read from the index, not sorted whole

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_enterprises_name_order",
        "enterprises",
        [sa.text("""rtrim(name, '0123456789»" ')"""), sa.text("length(name)"), "name"],
    )


def downgrade() -> None:
    op.drop_index("ix_enterprises_name_order", table_name="enterprises")
