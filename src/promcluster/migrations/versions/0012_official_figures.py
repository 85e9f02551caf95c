"""official regional statistics (ЕМИСС): official_figures

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "official_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=500), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("ownership", sa.String(length=300), nullable=False),
        sa.Column("region_code", sa.String(length=40), nullable=False),
        sa.Column("region_label", sa.String(length=300), nullable=False),
        sa.Column("okved_code", sa.String(length=20), nullable=False),
        sa.Column("activity_label", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("source_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "indicator",
            "ownership",
            "region_code",
            "okved_code",
            "year",
            name="uq_official_figures_cell",
        ),
    )
    op.create_index("ix_official_figures_indicator_year", "official_figures", ["indicator", "year"])
    op.create_index("ix_official_figures_region", "official_figures", ["region_code"])


def downgrade() -> None:
    op.drop_index("ix_official_figures_region", table_name="official_figures")
    op.drop_index("ix_official_figures_indicator_year", table_name="official_figures")
    op.drop_table("official_figures")
