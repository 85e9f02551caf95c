"""membership events: the pipeline's history for the funnel, back-filled with one event per
existing membership (its status, on its ``since`` or the day it was recorded)

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "membership_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_membership_events_membership_id_memberships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_events")),
    )
    with op.batch_alter_table("membership_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_membership_events_cluster_status_on", ["cluster_id", "status", "on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_membership_events_membership_id"), ["membership_id"], unique=False
        )
    recorded = (
        "date(created_at)" if op.get_bind().dialect.name == "sqlite" else "CAST(created_at AS DATE)"
    )
    op.execute(
        'INSERT INTO membership_events (membership_id, cluster_id, enterprise_id, status, "on", '
        "created_at) SELECT id, cluster_id, enterprise_id, status, "
        f"COALESCE(since, {recorded}, CURRENT_DATE), CURRENT_TIMESTAMP FROM memberships"
    )


def downgrade() -> None:
    with op.batch_alter_table("membership_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_events_membership_id"))
        batch_op.drop_index("ix_membership_events_cluster_status_on")
    op.drop_table("membership_events")
