"""One run of an import: who started it, on which file, how far it got and what it did."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, false, func
from sqlalchemy.orm import Mapped, mapped_column

from promcluster.db import Base


class ImportRun(Base):
    """Progress and outcome of an import; rejected rows are kept for the error report."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="running", index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    progress: Mapped[float] = mapped_column(default=0.0)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    # Recognised columns: {field: header as written in the file}, and ignored headers.
    columns: Mapped[dict] = mapped_column(JSON, default=dict)
    ignored_columns: Mapped[list] = mapped_column(JSON, default=list)
    # Liveness and control: the worker beats while it reads; a run whose heartbeat stopped was
    # killed. The user may ask a running import to stop; the upload is deleted when it ends.
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    upload_path: Mapped[str | None] = mapped_column(String(1000))
    # As a job of the queue (uploads through the web): the queue's task id, the XLSX sheet,
    # when a worker took it (None while it waits: «в очереди»), which attempt this is and the
    # run it continues when a dead worker's run was resumed.
    job_id: Mapped[str | None] = mapped_column(String(64))
    sheet: Mapped[str | None] = mapped_column(String(200))
    picked_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempt: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    resumed_from: Mapped[int | None] = mapped_column(
        ForeignKey("import_runs.id", ondelete="SET NULL")
    )
    # Options of the kind (``{"create_missing": true}``), kept so that a resumed run uses them.
    options: Mapped[dict | None] = mapped_column(JSON)

    @property
    def queued(self) -> bool:
        """Whether the run waits in the queue for a worker (its status is still «running»,
        which scripts poll until the run ends)."""
        return self.status == "running" and self.job_id is not None and self.picked_at is None


class RejectedRow(Base):
    """One reason a row of an import was refused: the error report's line."""

    __tablename__ = "import_rejections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("import_runs.id", ondelete="CASCADE"), index=True
    )
    row: Mapped[int] = mapped_column(Integer)
    # Kinds read as documents (XML open data): «file name · ИдДок», shown instead of the row.
    document: Mapped[str | None] = mapped_column(String(300))
    column: Mapped[str] = mapped_column(String(200))
    value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
