"""Reference tables: federal subjects, cities and the OKVED2 / OKPD2 classifiers."""

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from promcluster.db import Base


class Region(Base):
    """A federal subject of Russia (two-digit code as used in INN and KLADR)."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    short_name: Mapped[str] = mapped_column(String(100))
    federal_district: Mapped[str] = mapped_column(String(40))
    capital: Mapped[str] = mapped_column(String(100))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    iso_code: Mapped[str | None] = mapped_column(String(10))


class City(Base):
    """A city with its coordinates."""

    __tablename__ = "cities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    population: Mapped[int | None] = mapped_column(Integer)
    kladr_id: Mapped[str] = mapped_column(String(13), unique=True)


class _Classifier:
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    parent_code: Mapped[str | None] = mapped_column(String(20), index=True)
    level: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(1))


class Okved(_Classifier, Base):
    """An OKVED2 activity (ОК 029-2014)."""

    __tablename__ = "okved2"


class Okpd(_Classifier, Base):
    """An OKPD2 product (ОК 034-2014)."""

    __tablename__ = "okpd2"
