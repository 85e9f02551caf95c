"""product lines carry their entry in the registry of industrial products made in Russia
(ГИСП, Decree No. 719): registry number, TN VED code, document date, validity, exclusion date;
an enterprise's own lines stay unique per code and direction, registry lines per entry

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

OWN = sa.text("registry_number IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("product_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registry_number", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("tnved_code", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("registry_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("registry_valid_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("registry_end_date", sa.Date(), nullable=True))
        batch_op.drop_constraint(batch_op.f("uq_product_lines_enterprise_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_product_lines_registry_number"), ["registry_number"]
        )
    op.create_index(
        "uq_product_lines_own",
        "product_lines",
        ["enterprise_id", "okpd2_code", "direction"],
        unique=True,
        sqlite_where=OWN,
        postgresql_where=OWN,
    )


def downgrade() -> None:
    # Registry lines repeat a firm's code; the old constraint allows one line per code.
    op.execute(sa.text("DELETE FROM product_lines WHERE registry_number IS NOT NULL"))
    op.drop_index("uq_product_lines_own", table_name="product_lines")
    with op.batch_alter_table("product_lines", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_product_lines_registry_number"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_product_lines_enterprise_id"),
            ["enterprise_id", "okpd2_code", "direction"],
        )
        batch_op.drop_column("registry_end_date")
        batch_op.drop_column("registry_valid_until")
        batch_op.drop_column("registry_date")
        batch_op.drop_column("tnved_code")
        batch_op.drop_column("registry_number")
