"""Imports of official statistics (kind ``emiss``): a small file in its publisher's layout, not a
table with a header, so it is read whole, parsed by ``statistics.emiss`` and written in one
transaction — outside the batched tabular pipeline, but recorded as an import run with its error
report like every other kind. An unusable file marks the run failed and writes nothing."""

from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from promcluster.auth.audit import Actor, act_as
from promcluster.db import utcnow
from promcluster.imports.limits import ImportLimits, clipped
from promcluster.imports.models import ImportRun, RejectedRow
from promcluster.imports.readers import UnusableFile, open_table
from promcluster.imports.runs import end_run
from promcluster.statistics.activities import Activities
from promcluster.statistics.emiss import LayoutError, parse
from promcluster.statistics.store import store
from promcluster.statistics.territories import Territories

KINDS = {"emiss": "официальная статистика ЕМИСС (Росстат)"}


def run_official(
    factory: sessionmaker[Session],
    kind: str,
    path: Path,
    run_id: int,
    actor: Actor,
    sheet: str | None,
    limits: ImportLimits,
) -> ImportRun:
    """Import ``path`` as an ЕМИСС export into run ``run_id``; returns the finished run."""
    try:
        table = open_table(path, sheet, limits)
        try:
            rows = list(table.rows)
        finally:
            table.close()
        with factory() as session, session.begin():
            act_as(session, actor)
            try:
                export = parse(rows, Territories(session), Activities(session))
            except LayoutError as exc:
                raise UnusableFile(str(exc)) from exc
            stored = store(session, export)
            lines = [
                {
                    "run_id": run_id,
                    "row": r.row,
                    "column": clipped(r.column, 200),
                    "value": clipped(r.value, limits.report_value_chars),
                    "reason": clipped(r.reason, 500),
                }
                for r in export.refusals
            ]
            if lines:
                session.execute(insert(RejectedRow), lines[: limits.report_max_rows * 4])
            run = session.get(ImportRun, run_id)
            run.rows_read, run.rejected = export.rows, export.refused_rows
            run.created, run.updated, run.unchanged = (
                stored.created, stored.updated, stored.unchanged,
            )  # fmt: skip
            run.columns = {"indicator": export.indicator[:200], "unit": export.unit}
            run.heartbeat_at = utcnow()
    except UnusableFile as exc:
        return _finish(factory, run_id, "failed", str(exc), raise_=exc)
    except BaseException as exc:
        _finish(factory, run_id, "interrupted", f"сбой: {exc.__class__.__name__}: {exc}")
        raise
    return _finish(factory, run_id, "done", None)


def _finish(factory, run_id: int, status: str, message: str | None, raise_=None) -> ImportRun:
    with factory() as session, session.begin():
        run = session.get(ImportRun, run_id)
        end_run(run, status, message)
        if status == "done":
            run.progress = 1.0
    if raise_ is not None:
        raise raise_
    return run
