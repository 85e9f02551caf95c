"""One official figure: an indicator of a territory (region, federal district, country) and an
OKVED2 activity in one year, with its source."""

from datetime import date

from sqlalchemy import Date, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from promcluster.db import Base

TOTAL = "TOTAL"  # ``okved_code`` of «всего по видам деятельности»
COUNTRY = "RU"  # ``region_code`` of «Российская Федерация»


class OfficialFigure(Base):
    """A figure of official statistics as published (ЕМИСС), never computed by the platform.

    ``region_code``: a subject's two-digit code; ``RU`` the country; ``FD:<name>`` a federal
    district (``FD:Уральский``); ``72+86+89`` a complex subject with its autonomous okrugs
    (Rosstat's plain «Тюменская область»). ``okved_code``: a section letter, a division or
    group code, or ``TOTAL``. ``ownership`` is the form-of-ownership label as written."""

    __tablename__ = "official_figures"
    __table_args__ = (
        UniqueConstraint(
            "indicator",
            "ownership",
            "region_code",
            "okved_code",
            "year",
            name="uq_official_figures_cell",
        ),
        Index("ix_official_figures_indicator_year", "indicator", "year"),
        Index("ix_official_figures_region", "region_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator: Mapped[str] = mapped_column(String(500))
    unit: Mapped[str] = mapped_column(String(100))
    ownership: Mapped[str] = mapped_column(String(300))
    region_code: Mapped[str] = mapped_column(String(40))
    region_label: Mapped[str] = mapped_column(String(300))
    okved_code: Mapped[str] = mapped_column(String(20))
    activity_label: Mapped[str] = mapped_column(Text)
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(500))
    source_date: Mapped[date | None] = mapped_column(Date)
