"""Public procurement as published by the Unified Information System (ЕИС): contracts under
44-FZ and 223-FZ and 223-FZ purchase plans, each stored once at its latest version, with its
items. Consumption lines, supplies and needs are derived from them (the ``procurement`` import
kind); these tables keep what the documents say, so that buyers are named with their contract
numbers."""

from datetime import date

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from promcluster.db import Base
from promcluster.reference.models import Okpd
from promcluster.registry.models import Enterprise

LAWS = ("44", "223")
KINDS = ("contract", "plan")


class ProcurementDocument(Base):
    """One contract or purchase plan at the latest version imported.

    ``number``: the contract's registry number (44-FZ ``regNum``, 223-FZ ``registrationNumber``)
    or the plan's; ``year``: the year of signing (contracts) or of the plan. Money is kept in
    kopecks. ``priced_items``: whether the items carry their own sums (44-FZ) or only the
    document has a total (223-FZ contracts whose quantities do not allow a split)."""

    __tablename__ = "procurement_documents"
    __table_args__ = (UniqueConstraint("law", "kind", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    law: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(10))
    number: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)
    schema_version: Mapped[str | None] = mapped_column(String(20))
    signed_on: Mapped[date | None] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer, index=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    customer_kpp: Mapped[str | None] = mapped_column(String(9))
    supplier_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="SET NULL"), index=True
    )
    supplier_region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    total_kopecks: Mapped[int | None] = mapped_column(BigInteger)
    priced_items: Mapped[bool] = mapped_column(default=True)
    file: Mapped[str | None] = mapped_column(String(500))
    import_run_id: Mapped[int | None] = mapped_column(Integer)
    # False from the moment a version is stored until the consumption lines and supplies of its
    # customer are derived again (at the end of the run, or of the next run if it was cut short).
    derived: Mapped[bool] = mapped_column(default=False, server_default=false(), index=True)

    customer: Mapped[Enterprise] = relationship(foreign_keys=[customer_id])
    supplier: Mapped[Enterprise | None] = relationship(foreign_keys=[supplier_id])
    items: Mapped[list["ProcurementItem"]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="ProcurementItem.position"
    )


class ProcurementItem(Base):
    """A product of a contract or a row of a plan: its name and codes as the document gives
    them (an older OKPD code is kept in ``okpd_code``, never mapped to OKPD2), unit, quantity,
    price and sum in kopecks (plans: the row's maximum price in ``sum_kopecks``)."""

    __tablename__ = "procurement_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_documents.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(Text)
    okpd2_code: Mapped[str | None] = mapped_column(ForeignKey("okpd2.code"), index=True)
    okpd_code: Mapped[str | None] = mapped_column(String(20))
    ktru_code: Mapped[str | None] = mapped_column(String(40))
    okei_code: Mapped[str | None] = mapped_column(String(4))
    unit: Mapped[str | None] = mapped_column(String(50))
    quantity: Mapped[float | None] = mapped_column(Float)
    price_kopecks: Mapped[int | None] = mapped_column(BigInteger)
    sum_kopecks: Mapped[int | None] = mapped_column(BigInteger)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="SET NULL"))

    document: Mapped[ProcurementDocument] = relationship(back_populates="items")
    product: Mapped[Okpd | None] = relationship()
