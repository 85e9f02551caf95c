"""FNS open data (issue 19): an enterprise's register data (source, SME inclusion date, the
register's state date, when it left the register, a place set only to its region's centre, a
card created from an INN alone); the source and state date of an enterprise figure and its
expenses; the document a rejected line names and the options of an import run

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data_source", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("sme_included_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("sme_state_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("sme_left_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("place_approximate", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("is_minimal", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(
            batch_op.f("ix_enterprises_sme_state_date"), ["sme_state_date"], unique=False
        )
    with op.batch_alter_table("enterprise_figures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expenses", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("employees_source", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("employees_as_of", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("revenue_source", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("revenue_as_of", sa.Date(), nullable=True))
    with op.batch_alter_table("import_rejections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("document", sa.String(length=300), nullable=True))
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("options", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_column("options")
    with op.batch_alter_table("import_rejections", schema=None) as batch_op:
        batch_op.drop_column("document")
    with op.batch_alter_table("enterprise_figures", schema=None) as batch_op:
        for column in (
            "revenue_as_of", "revenue_source", "employees_as_of", "employees_source", "expenses"
        ):  # fmt: skip
            batch_op.drop_column(column)
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprises_sme_state_date"))
        for column in (
            "is_minimal", "place_approximate", "sme_left_on", "sme_state_date",
            "sme_included_on", "data_source",
        ):  # fmt: skip
            batch_op.drop_column(column)
