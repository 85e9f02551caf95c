"""import runs become jobs of the queue: task id, sheet, when a worker took it, attempt, and
the run a resumed one continues

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("job_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("sheet", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("picked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("attempt", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("resumed_from", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_import_runs_resumed_from_import_runs"),
            "import_runs",
            ["resumed_from"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_import_runs_resumed_from_import_runs"), type_="foreignkey"
        )
        batch_op.drop_column("resumed_from")
        batch_op.drop_column("attempt")
        batch_op.drop_column("picked_at")
        batch_op.drop_column("sheet")
        batch_op.drop_column("job_id")
