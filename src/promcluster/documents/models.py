"""Document tables: a document of a cluster (optionally of one of its memberships or investment
projects) with its metadata, and the files it has had, the last one current."""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
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


class Document(Versioned, Base):
    """A document of a cluster: its kind (``labels.DOCUMENT_KINDS``), number, date, parties and
    validity; ``membership_id`` or ``project_id`` when it belongs to one of the cluster's
    records; ``public`` when anonymous users may see and download it."""

    record_label = "документ"

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("clusters.id", ondelete="CASCADE"), index=True
    )
    membership_id: Mapped[int | None] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("investment_projects.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    number: Mapped[str | None] = mapped_column(String(100))
    signed_on: Mapped[date | None] = mapped_column(Date)
    parties: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)

    files: Mapped[list["DocumentFile"]] = relationship(
        back_populates="document",
        order_by="DocumentFile.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class DocumentFile(Base):
    """One file a document has had (``number`` 1, 2 …; the highest is current): its SHA-256
    names it in the file store (``documents/store.py``); never changed once written."""

    __tablename__ = "document_files"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    document: Mapped[Document] = relationship(back_populates="files")
