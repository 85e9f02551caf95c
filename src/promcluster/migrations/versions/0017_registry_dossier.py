"""registry dossier (issue 20): documents of clusters and their files, generated application
packages, the development programme's targets, and the document a checklist mark cites

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "application_packages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("generated_by", sa.Integer(), nullable=True),
        sa.Column(
            "generated_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["clusters.id"],
            name=op.f("fk_application_packages_cluster_id_clusters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["generated_by"],
            ["users.id"],
            name=op.f("fk_application_packages_generated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_packages")),
        sa.UniqueConstraint(
            "cluster_id", "number", name=op.f("uq_application_packages_cluster_id")
        ),
    )
    with op.batch_alter_table("application_packages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_packages_cluster_id"), ["cluster_id"], unique=False
        )

    op.create_table(
        "programme_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
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
            ["cluster_id"],
            ["clusters.id"],
            name=op.f("fk_programme_targets_cluster_id_clusters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_targets")),
        sa.UniqueConstraint(
            "cluster_id", "indicator", "year", name=op.f("uq_programme_targets_cluster_id")
        ),
    )
    with op.batch_alter_table("programme_targets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_programme_targets_cluster_id"), ["cluster_id"], unique=False
        )

    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("parties", sa.Text(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
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
            ["cluster_id"],
            ["clusters.id"],
            name=op.f("fk_documents_cluster_id_clusters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_documents_membership_id_memberships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["investment_projects.id"],
            name=op.f("fk_documents_project_id_investment_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_cluster_id"), ["cluster_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_documents_membership_id"), ["membership_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_documents_project_id"), ["project_id"], unique=False)

    op.create_table(
        "document_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column(
            "uploaded_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_files_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["users.id"],
            name=op.f("fk_document_files_uploaded_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_files")),
        sa.UniqueConstraint("document_id", "number", name=op.f("uq_document_files_document_id")),
    )
    with op.batch_alter_table("document_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_document_files_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_document_files_sha256"), ["sha256"], unique=False)

    with op.batch_alter_table("compliance_marks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("document_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_compliance_marks_document_id"), ["document_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_compliance_marks_document_id_documents"),
            "documents",
            ["document_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("compliance_marks", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_compliance_marks_document_id_documents"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_compliance_marks_document_id"))
        batch_op.drop_column("document_id")

    with op.batch_alter_table("document_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_files_sha256"))
        batch_op.drop_index(batch_op.f("ix_document_files_document_id"))

    op.drop_table("document_files")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_project_id"))
        batch_op.drop_index(batch_op.f("ix_documents_membership_id"))
        batch_op.drop_index(batch_op.f("ix_documents_cluster_id"))

    op.drop_table("documents")
    with op.batch_alter_table("programme_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_targets_cluster_id"))

    op.drop_table("programme_targets")
    with op.batch_alter_table("application_packages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_packages_cluster_id"))

    op.drop_table("application_packages")
