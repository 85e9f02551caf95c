"""One job of any kind (search reindexing, a warm-up, a generated file): who asked, what state it
is in, how far it got, when it last showed it was alive, and how it ended. Imports keep their own
record (``import_runs``, ADR 0011)."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, false, func
from sqlalchemy.orm import Mapped, mapped_column

from promcluster.db import Base, utcnow

STATES = ("queued", "running", "done", "failed", "interrupted", "cancelled")
LIVE = ("queued", "running")


class Job(Base):
    """A job's record: the queue only carries "run job N"."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    # The user who asked; None for the system (the server's warm-up) or the command line.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    result: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The queue's task id; the attempt and the job a rerun one repeats (after a dead worker).
    task_id: Mapped[str | None] = mapped_column(String(64))
    attempt: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    rerun_of: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    # A generated file the owner downloads later (deleted with the job's expiry).
    file_path: Mapped[str | None] = mapped_column(String(1000))
    file_name: Mapped[str | None] = mapped_column(String(200))

    @property
    def progress(self) -> float | None:
        """The share done (0–1), or None while the total is unknown."""
        if not self.total:
            return 1.0 if self.state == "done" else None
        return min(1.0, self.done / self.total)

    @property
    def seconds(self) -> float | None:
        """How long it ran (until now while it runs)."""
        if self.started_at is None:
            return None
        return ((self.finished_at or utcnow()) - self.started_at).total_seconds()
