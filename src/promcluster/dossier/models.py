"""Dossier tables: generated application packages (kept, so one can say what was sent) and the
development programme's targets per indicator and year, with the explanation of a deviation."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
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
from sqlalchemy.orm import Mapped, mapped_column

from promcluster.db import Base
from promcluster.records import Versioned


class ApplicationPackage(Base):
    """A generated application package of a cluster (``number`` 1, 2 … per cluster): the ZIP
    kept in the file store under ``sha256``, the date it speaks of, and ``state``: what it was
    assembled from (counts, the compliance result, the documents with their hashes) and what
    was missing. Never changed once written."""

    __tablename__ = "application_packages"
    __table_args__ = (UniqueConstraint("cluster_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("clusters.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[date] = mapped_column(Date)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[dict] = mapped_column(JSON, default=dict)
    generated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    generated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class ProgrammeTarget(Versioned, Base):
    """The development programme's target of a cluster for an indicator (a key of
    ``labels.INDICATORS`` the yearly report shows) and a year, and why the year deviates."""

    record_label = "целевой показатель"

    __tablename__ = "programme_targets"
    __table_args__ = (UniqueConstraint("cluster_id", "indicator", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("clusters.id", ondelete="CASCADE"), index=True
    )
    indicator: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    target: Mapped[float | None] = mapped_column(Float)
    explanation: Mapped[str | None] = mapped_column(Text)
