"""public procurement (issue 21): procurement_documents and procurement_items (44-FZ and 223-FZ
contracts, 223-FZ purchase plans at their latest version), and the source of lines, supplies and
needs derived from them (``data_source``)

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "procurement_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("law", sa.String(length=3), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("schema_version", sa.String(length=20), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("customer_kpp", sa.String(length=9), nullable=True),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("supplier_region_code", sa.String(length=2), nullable=True),
        sa.Column("total_kopecks", sa.BigInteger(), nullable=True),
        sa.Column("priced_items", sa.Boolean(), nullable=False),
        sa.Column("file", sa.String(length=500), nullable=True),
        sa.Column("import_run_id", sa.Integer(), nullable=True),
        sa.Column("derived", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["enterprises.id"],
            name=op.f("fk_procurement_documents_customer_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["enterprises.id"],
            name=op.f("fk_procurement_documents_supplier_id_enterprises"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_region_code"],
            ["regions.code"],
            name=op.f("fk_procurement_documents_supplier_region_code_regions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_documents")),
        sa.UniqueConstraint("law", "kind", "number", name=op.f("uq_procurement_documents_law")),
    )
    with op.batch_alter_table("procurement_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_documents_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_procurement_documents_supplier_id"), ["supplier_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_procurement_documents_year"), ["year"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_procurement_documents_derived"), ["derived"], unique=False
        )

    op.create_table(
        "procurement_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("okpd2_code", sa.String(length=20), nullable=True),
        sa.Column("okpd_code", sa.String(length=20), nullable=True),
        sa.Column("ktru_code", sa.String(length=40), nullable=True),
        sa.Column("okei_code", sa.String(length=4), nullable=True),
        sa.Column("unit", sa.String(length=50), nullable=True),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("price_kopecks", sa.BigInteger(), nullable=True),
        sa.Column("sum_kopecks", sa.BigInteger(), nullable=True),
        sa.Column("need_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["procurement_documents.id"],
            name=op.f("fk_procurement_items_document_id_procurement_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["need_id"],
            ["needs.id"],
            name=op.f("fk_procurement_items_need_id_needs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["okpd2_code"], ["okpd2.code"], name=op.f("fk_procurement_items_okpd2_code_okpd2")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_items")),
    )
    with op.batch_alter_table("procurement_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_items_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_procurement_items_okpd2_code"), ["okpd2_code"], unique=False
        )

    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data_source", sa.String(length=30), nullable=True))

    with op.batch_alter_table("product_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data_source", sa.String(length=30), nullable=True))

    with op.batch_alter_table("supplies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data_source", sa.String(length=30), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("supplies", schema=None) as batch_op:
        batch_op.drop_column("data_source")

    with op.batch_alter_table("product_lines", schema=None) as batch_op:
        batch_op.drop_column("data_source")

    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.drop_column("data_source")

    with op.batch_alter_table("procurement_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_items_okpd2_code"))
        batch_op.drop_index(batch_op.f("ix_procurement_items_document_id"))

    op.drop_table("procurement_items")
    with op.batch_alter_table("procurement_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_documents_derived"))
        batch_op.drop_index(batch_op.f("ix_procurement_documents_year"))
        batch_op.drop_index(batch_op.f("ix_procurement_documents_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_procurement_documents_customer_id"))

    op.drop_table("procurement_documents")
