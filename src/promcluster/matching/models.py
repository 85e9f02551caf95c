"""Matching tables: needs and offers, responses, notifications, the search index, corrections."""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from promcluster.db import Base
from promcluster.records import Versioned
from promcluster.reference.models import Okpd, Region
from promcluster.registry.models import Enterprise


class _Posting(Versioned):
    """What needs and offers share: a product in text and OKPD2, an amount, a place, a term."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    product_name: Mapped[str] = mapped_column(String(500))
    okpd2_code: Mapped[str | None] = mapped_column(ForeignKey("okpd2.code"), index=True)
    volume: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(30))
    value: Mapped[int | None] = mapped_column(BigInteger)
    deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    description: Mapped[str | None] = mapped_column(Text)

    @property
    def overdue(self) -> bool:
        """Still open after its deadline: shown so, for its owner to close or extend it."""
        return self.status == "open" and self.deadline is not None and self.deadline < date.today()


class Need(_Posting, Base):
    """A need to buy a product: from a registered enterprise or a named outside customer."""

    record_label = "потребность"

    __tablename__ = "needs"

    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    customer_name: Mapped[str | None] = mapped_column(String(500))
    data_source: Mapped[str | None] = mapped_column(String(30))  # ``procurement``: a plan's row

    customer: Mapped[Enterprise | None] = relationship()
    product: Mapped[Okpd | None] = relationship(lazy="joined")
    region: Mapped[Region] = relationship(lazy="joined")
    responses: Mapped[list["Response"]] = relationship(
        back_populates="need", cascade="all, delete-orphan", order_by="Response.id"
    )


class Offer(_Posting, Base):
    """An offer to supply a product (``volume`` is the declared capacity per year)."""

    record_label = "предложение"

    __tablename__ = "offers"

    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )

    supplier: Mapped[Enterprise] = relationship()
    product: Mapped[Okpd | None] = relationship(lazy="joined")
    region: Mapped[Region] = relationship(lazy="joined")


class Response(Versioned, Base):
    """A supplier's answer to a need; the customer accepts or declines it."""

    record_label = "отклик"

    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("need_id", "supplier_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id", ondelete="SET NULL"))
    message: Mapped[str | None] = mapped_column(Text)
    price: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)

    need: Mapped[Need] = relationship(back_populates="responses")
    supplier: Mapped[Enterprise] = relationship(lazy="joined")


class Notification(Base):
    """A message in a user's list: a new match, a response, a status change."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(1000))
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    read_at: Mapped[datetime | None] = mapped_column(DateTime)


class SearchDocument(Base):
    """One searchable thing (cluster, chain, investment project, enterprise, product line,
    need, offer) as lemmas.

    The full-text index over ``lemmas`` is the database's own: an FTS5 table on SQLite, a
    generated ``tsvector`` with a GIN index on PostgreSQL (migration 0003, ADR 0007)."""

    __tablename__ = "search_documents"
    __table_args__ = (UniqueConstraint("kind", "ref_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[int] = mapped_column(Integer)
    enterprise_id: Mapped[int | None] = mapped_column(Integer, index=True)  # whose record
    title: Mapped[str] = mapped_column(String(500))
    detail: Mapped[str | None] = mapped_column(String(500))
    region_code: Mapped[str | None] = mapped_column(String(2), index=True)
    okpd2_code: Mapped[str | None] = mapped_column(String(20))
    lemmas: Mapped[str] = mapped_column(Text)


class Correction(Base):
    """A user's choice of OKPD2 code for a product name, which later suggestions learn from."""

    __tablename__ = "classification_corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    okpd2_code: Mapped[str] = mapped_column(ForeignKey("okpd2.code"), index=True)
    suggested_code: Mapped[str | None] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


FULL_TEXT_OBJECTS = frozenset(
    {
        "search_fts",
        "search_fts_config",
        "search_fts_data",
        "search_fts_docsize",
        "search_fts_idx",
        "search_fts_batch",
        "tsv",
        "ix_search_documents_tsv",
    }
)
"""Database objects of the full-text index that migration 0003 creates outside the models."""
