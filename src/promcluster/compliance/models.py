"""Compliance tables: the requirements as versioned data, and the checklist marks of clusters."""

from datetime import date

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from promcluster.db import Base
from promcluster.records import Versioned


class Rule(Versioned, Base):
    """One edition of a requirement: a stable id (``C1`` … ``V1``) in a rule set (``federal`` or
    ``region:NN``), its parameters and the dates it is in force; the check of a cluster as of a
    date uses the edition in force on that date."""

    record_label = "правило проверки"

    __tablename__ = "compliance_rules"
    __table_args__ = (UniqueConstraint("rule_set", "code", "valid_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_set: Mapped[str] = mapped_column(String(20), default="federal", index=True)
    code: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(300))
    requirement: Mapped[str] = mapped_column(Text)
    # "data": decided from records; "document": a checklist a manager ticks; "mixed": both.
    decided_by: Mapped[str] = mapped_column(String(10))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    checklist: Mapped[list] = mapped_column(JSON, default=list)  # [{"key", "label"}]
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(Text)
    reading: Mapped[str] = mapped_column(String(20), default="confirmed")  # or "confirm"
    note: Mapped[str | None] = mapped_column(Text)


class Mark(Versioned, Base):
    """A checklist item of a cluster ticked by a manager, with the document it rests on."""

    record_label = "отметка чек-листа"

    __tablename__ = "compliance_marks"
    __table_args__ = (UniqueConstraint("cluster_id", "rule_code", "item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("clusters.id", ondelete="CASCADE"), index=True
    )
    rule_code: Mapped[str] = mapped_column(String(10))
    item: Mapped[str] = mapped_column(String(50))
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    reference: Mapped[str | None] = mapped_column(String(500))
    # An uploaded document of the cluster the tick rests on (instead of, or with, ``reference``).
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str | None] = mapped_column(Text)
    marked_on: Mapped[date | None] = mapped_column(Date)
    marked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def evidenced(self) -> bool:
        """Ticked and resting on something: a reference or a document still in the dossier
        (a tick whose only document was deleted is open again)."""
        return self.done and (bool((self.reference or "").strip()) or self.document_id is not None)
