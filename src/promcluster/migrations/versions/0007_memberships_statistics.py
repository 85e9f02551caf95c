"""memberships: on PostgreSQL, statistics refreshed by autovacuum after any change (the table is
small and joined with the large enterprises table: stale statistics on it, e.g. after the first
members of a new cluster, make the planner walk millions of enterprise keys)

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE memberships SET (autovacuum_analyze_threshold = 0, "
            "autovacuum_analyze_scale_factor = 0)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE memberships RESET (autovacuum_analyze_threshold, "
            "autovacuum_analyze_scale_factor)"
        )
