"""The membership pipeline's history: one event per membership creation or status change, so
that the funnel (potential → applicant → member) can be counted by date.

The registry service records events for writes through the ORM (``created``, ``changed``); the
members import writes with Core statements and records its events with ``record_batch``."""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, Session, mapped_column

from promcluster.db import Base, insert_rows, select_in
from promcluster.registry.models import Membership

COLUMNS = ("membership_id", "cluster_id", "enterprise_id", "status", "on", "created_at")


class MembershipEvent(Base):
    """A membership entered ``status`` on the date ``on``."""

    __tablename__ = "membership_events"
    __table_args__ = (
        Index("ix_membership_events_cluster_status_on", "cluster_id", "status", "on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), index=True
    )
    cluster_id: Mapped[int] = mapped_column(Integer)
    enterprise_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


def _event(m: Membership, on: date) -> MembershipEvent:
    return MembershipEvent(
        membership_id=m.id,
        cluster_id=m.cluster_id,
        enterprise_id=m.enterprise_id,
        status=m.status,
        on=on,
    )


def created(session: Session, membership: Membership) -> None:
    """The event of a new (flushed) membership: on its ``since`` when given, else today."""
    session.add(_event(membership, membership.since or date.today()))


def changed(session: Session, membership: Membership, before: str | None) -> None:
    """The event of a status change (none when the status stayed ``before``), dated today."""
    if membership.status != before:
        session.add(_event(membership, date.today()))


def statuses(session: Session, enterprise_ids: set[int]) -> dict[tuple[int, int], str]:
    """Current status of the memberships of ``enterprise_ids``, by (cluster, enterprise)."""
    rows = select_in(
        session.connection(),
        Membership.__table__,
        ["cluster_id", "enterprise_id", "status"],
        "enterprise_id",
        enterprise_ids,
    )
    return {(r["cluster_id"], r["enterprise_id"]): r["status"] for r in rows}


def record_batch(session: Session, ids: list[int], before: dict[tuple[int, int], str]) -> int:
    """Events for memberships written with Core statements: ``ids`` written, ``before`` their
    statuses read before the write (from ``statuses``); returns the events written."""
    today, now = date.today(), datetime.now()
    rows = []
    columns = ["id", "cluster_id", "enterprise_id", "status", "since"]
    for r in select_in(session.connection(), Membership.__table__, columns, "id", ids):
        key = (r["cluster_id"], r["enterprise_id"])
        if key not in before:
            on = r["since"] or today
        elif before[key] != r["status"]:
            on = today
        else:
            continue
        rows.append((r["id"], r["cluster_id"], r["enterprise_id"], r["status"], on, now))
    insert_rows(session.connection(), MembershipEvent.__tablename__, COLUMNS, rows)
    return len(rows)
