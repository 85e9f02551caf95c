"""Demand postings: what enterprises and outside customers need to buy."""

from datetime import date

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from promcluster.db import Base
from promcluster.reference.models import Okpd, Region
from promcluster.registry.models import Enterprise, Versioned


class Need(Versioned, Base):
    """A need to buy a product: from a registered enterprise or a named outside customer."""

    __tablename__ = "needs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    customer_name: Mapped[str | None] = mapped_column(String(500))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    product_name: Mapped[str] = mapped_column(String(500))
    okpd2_code: Mapped[str | None] = mapped_column(ForeignKey("okpd2.code"), index=True)
    volume: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(30))
    value: Mapped[int | None] = mapped_column(BigInteger)
    deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    description: Mapped[str | None] = mapped_column(Text)

    customer: Mapped[Enterprise | None] = relationship()
    product: Mapped[Okpd | None] = relationship(lazy="joined")
    region: Mapped[Region] = relationship(lazy="joined")
