"""enterprise figures: an enterprise's headcount and revenue by reporting year (for growth);
an index on the audit log by entity and id, so caches can watch one kind of record

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enterprise_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("revenue", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_enterprise_figures_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_figures")),
        sa.UniqueConstraint(
            "enterprise_id", "year", name=op.f("uq_enterprise_figures_enterprise_id")
        ),
    )
    with op.batch_alter_table("enterprise_figures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enterprise_figures_year"), ["year"], unique=False)
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_entity_and_id", ["entity", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_entity_and_id")
    with op.batch_alter_table("enterprise_figures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_figures_year"))
    op.drop_table("enterprise_figures")
