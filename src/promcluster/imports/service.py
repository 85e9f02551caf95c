"""Running an import: one transaction per batch, so a crash, Ctrl-C or a cancel keeps every
finished batch and loses none of the batch in flight; re-running the same file finishes the work
(the upsert makes rows already imported count as unchanged).

Between batches the worker beats (``heartbeat_at``) and looks whether the user asked it to stop;
a run whose heartbeat stopped was killed with its process and is marked interrupted when runs
are read. The error report keeps the first rows only, with values cut short.
"""

from collections.abc import Callable, Iterator
from dataclasses import replace
from itertools import chain
from pathlib import Path
from typing import IO

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from promcluster import sheets
from promcluster.auth.audit import Actor, act_as
from promcluster.auth.models import User
from promcluster.db import utcnow
from promcluster.imports import official, pipeline, sources
from promcluster.imports.columns import KINDS, Lookups
from promcluster.imports.limits import MAX_IGNORED_COLUMNS, ImportLimits, clipped
from promcluster.imports.models import ImportRun, RejectedRow
from promcluster.imports.readers import UnusableFile
from promcluster.imports.rows import Header, Parsed, Problem
from promcluster.imports.runs import CANCELLED, end_run
from promcluster.imports.upsert import BatchConflict, Outcome
from promcluster.imports.writers import Writer

BATCH_SIZE = 5000
RETRIES = 5
REPORT_HEADER = ("Строка", "Столбец", "Значение", "Причина")
DOCUMENT_REPORT_HEADER = ("Документ", "Поле", "Значение", "Причина")  # kinds read as documents
COLUMN_CHARS = 200  # the stored column title (``import_rejections.column``)
REASON_CHARS = 500  # a reason may quote the value it refuses

Progress = Callable[[ImportRun], None]


class Cancelled(Exception):
    """The user asked the run to stop; raised between batches."""


def start_run(
    factory: sessionmaker[Session],
    kind: str,
    filename: str,
    actor: Actor,
    upload: Path | None = None,
    *,
    sheet: str | None = None,
    job: Callable[[int], str] | None = None,
    options: dict | None = None,
) -> int:
    """Record a new import run (before the file is read, so that a page can follow it);
    ``upload`` is the temporary copy deleted when the run ends. Without ``job`` the caller
    runs it at once; with it the run waits for a worker: ``job(run id)`` names its queued task."""
    started = utcnow()
    with factory() as session, session.begin():
        run = ImportRun(
            kind=kind,
            filename=filename[:500],
            actor=actor.name,
            user_id=actor.user_id,
            columns={},
            ignored_columns=[],
            started_at=started,
            heartbeat_at=None if job else started,
            picked_at=None if job else started,
            upload_path=None if upload is None else str(upload),
            sheet=sheet,
            options=options or None,
        )
        session.add(run)
        session.flush()
        if job is not None:
            run.job_id = job(run.id)
        return run.id


def run_import(
    factory: sessionmaker[Session],
    kind: str,
    path: Path,
    *,
    actor: Actor,
    user: User | None = None,
    run_id: int | None = None,
    sheet: str | None = None,
    batch_size: int = BATCH_SIZE,
    on_batch: Progress | None = None,
    parallel: bool = False,
    defer_index: bool = False,
    limits: ImportLimits | None = None,
    options: dict | None = None,
) -> ImportRun:
    """Import ``path`` as ``kind``; returns the finished (or cancelled) run. An unusable file
    marks the run failed and raises ``UnusableFile`` before any row is written. ``parallel``
    reads the file in a second process; ``defer_index`` leaves new records out of the search
    index until ``documents.index_missing`` runs (for loads of millions of rows). ``options``
    are those of the kind (``{"create_missing": True}``); a run started earlier keeps its own."""
    limits = limits or ImportLimits.of()
    if run_id is None:
        run_id = start_run(factory, kind, path.name, actor, options=options)
    elif options is None:
        with factory() as session:
            options = session.get(ImportRun, run_id).options
    if kind in official.KINDS:  # a publisher's own layout, read whole (imports/official.py)
        return official.run_official(factory, kind, path, run_id, actor, sheet, limits)
    try:
        if kind not in KINDS:
            known = ", ".join([*KINDS, *official.KINDS])
            raise UnusableFile(f"неизвестный вид данных «{kind}»; есть: {known}")
        with factory() as session:
            lookups = Lookups.of(session)
        read = pipeline.batches_in_child if parallel else pipeline.batches
        items = read(path, sheet, kind, lookups, batch_size, limits)
        report = ReportBudget(limits)
        try:
            header = next(items)
            _start(factory, run_id, header, limits)
            writer_class = sources.writer_of(kind)

            def writer_of() -> Writer:
                writer = writer_class(header, lookups, user, actor, run_id)
                writer.defer_index = defer_index
                writer.options = options or {}
                return writer

            for batch, progress in items:
                if _beat(factory, run_id):
                    raise Cancelled
                _commit(factory, run_id, writer_of, batch, progress, on_batch, report)
            with factory() as session, session.begin():
                act_as(session, actor)
                note = writer_of().finish(session)
        finally:
            items.close()
    except Cancelled:
        return _finish(factory, run_id, "cancelled", CANCELLED)
    except UnusableFile as exc:
        _finish(factory, run_id, "failed", str(exc))
        raise
    except BaseException as exc:
        _finish(factory, run_id, "interrupted", _why(exc))
        raise
    return _finish(factory, run_id, "done", note)


class ReportBudget:
    """How many more rejected rows the stored error report may take."""

    def __init__(self, limits: ImportLimits) -> None:
        self.limits = limits
        self.remaining = limits.report_max_rows

    def kept(self, problems: list[Problem]) -> tuple[list[dict], int]:
        """The report lines of the first rows still in the budget (all lines of each kept
        row), cut to the stored lengths, and the number of rows they cover."""
        rows = sorted({p.row for p in problems})[: max(self.remaining, 0)]
        chosen = set(rows)
        value_chars = self.limits.report_value_chars
        lines = [
            {
                "row": p.row,
                "column": clipped(p.column, COLUMN_CHARS),
                "value": clipped(p.value, value_chars),
                "reason": clipped(p.reason, REASON_CHARS),
                "document": None if p.document is None else clipped(p.document, COLUMN_CHARS),
            }
            for p in problems
            if p.row in chosen
        ]
        return lines, len(rows)


def _beat(factory, run_id: int) -> bool:
    """Record that the worker is alive; whether the user asked the run to stop."""
    with factory() as session, session.begin():
        session.execute(
            update(ImportRun).where(ImportRun.id == run_id).values(heartbeat_at=utcnow())
        )
        query = select(ImportRun.cancel_requested).where(ImportRun.id == run_id)
        return bool(session.scalar(query))


def _why(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "прервано пользователем; завершённые части сохранены, запустите загрузку снова"
    return f"сбой: {exc.__class__.__name__}: {exc}; завершённые части сохранены"


def _start(factory, run_id: int, header: Header, limits: ImportLimits) -> None:
    chars = limits.report_value_chars
    with factory() as session, session.begin():
        run = session.get(ImportRun, run_id)
        run.columns = {f: clipped(t, chars) for f, t in header.titles.items()}
        run.ignored_columns = [clipped(t, chars) for t in header.ignored[:MAX_IGNORED_COLUMNS]]
        run.heartbeat_at = utcnow()


def _commit(
    factory, run_id, writer_of, batch: list[Parsed], progress: float, on_batch, report
) -> None:
    """Write one batch in one transaction, retrying when a concurrent writer got in the way;
    a batch the database keeps refusing is written row by row, refusing the rows it rejects."""
    good = [r for r in batch if not r.problems]
    attempt = 0
    while True:
        writer = writer_of()
        one_by_one = attempt >= RETRIES
        try:
            with factory() as session, session.begin():
                act_as(session, writer.actor)
                if one_by_one:
                    outcome = _write_rows(session, writer, good)
                else:
                    outcome = writer.write(session, good)
                run, kept = _account(session, run_id, batch, writer, outcome, progress, report)
            report.remaining -= kept
            break
        except (BatchConflict, IntegrityError, OperationalError):
            if one_by_one:
                raise
            attempt += 1
        except (DataError, OverflowError):
            if one_by_one:
                raise
            attempt = RETRIES  # the same data would fail again as a batch
    if on_batch is not None:
        on_batch(run)


def _write_rows(session: Session, writer: Writer, rows: list[Parsed]) -> Outcome:
    """Each row in a savepoint of its own: the rows the database refuses get a report line."""
    total = Outcome()
    for row in rows:
        try:
            with session.begin_nested():
                outcome = writer.write(session, [row])
        except (DBAPIError, OverflowError) as exc:
            reason = str(getattr(exc, "orig", exc)).splitlines()[0][:300]
            writer.problems.append(
                Problem(
                    row.number, "", None, f"база данных не приняла строку: {reason}", row.document
                )
            )
            continue
        total.created += outcome.created
        total.updated += outcome.updated
        total.unchanged += outcome.unchanged
    return total


def _account(
    session: Session,
    run_id: int,
    batch,
    writer: Writer,
    outcome: Outcome,
    progress,
    report: ReportBudget,
):
    """Store the batch's report lines (within the report's budget) and add its counts to the
    run; returns the run and the number of rejected rows stored."""
    problems = _with_code_hints(session, writer, batch) + writer.problems
    lines, kept = report.kept(problems)
    if lines:
        session.execute(insert(RejectedRow), [{"run_id": run_id, **line} for line in lines])
    session.execute(
        update(ImportRun)
        .where(ImportRun.id == run_id)
        .values(
            rows_read=ImportRun.rows_read + len(batch),
            created=ImportRun.created + outcome.created,
            updated=ImportRun.updated + outcome.updated,
            unchanged=ImportRun.unchanged + outcome.unchanged,
            rejected=ImportRun.rejected + len({p.row for p in problems}),
            progress=progress,
            heartbeat_at=utcnow(),
        )
    )
    return session.get(ImportRun, run_id), kept


def _with_code_hints(session: Session, writer: Writer, batch: list[Parsed]) -> list[Problem]:
    """The batch's problems; a row refused for an empty OKPD2 cell but holding a product name
    gets the likeliest codes in its reason, for the user to fill in."""
    fields = {c.field for c in writer.kind.columns}
    if "okpd2" not in fields or "name" not in fields:
        return [p for r in batch for p in r.problems]
    title = writer.title("okpd2")
    uncoded = [
        r
        for r in batch
        if r.values.get("name")
        and any(p.column == title for p in r.problems)
        and "okpd2" not in r.values
    ]
    if not uncoded:
        return [p for r in batch for p in r.problems]
    from promcluster.matching.classification import code_hints  # scikit-learn: only when needed

    found = code_hints(session, [r.values["name"] for r in uncoded])
    hints = {id(r): hint for r, hint in zip(uncoded, found, strict=True) if hint}
    return [
        replace(p, reason=f"{p.reason}; {hints[id(r)]}")
        if p.column == title and id(r) in hints
        else p
        for r in batch
        for p in r.problems
    ]


def _finish(factory, run_id: int, status: str, message: str | None) -> ImportRun:
    with factory() as session, session.begin():
        run = session.get(ImportRun, run_id)
        end_run(run, status, message)
        if status == "done":
            run.progress = 1.0
        return run


def rejections(session: Session, run_id: int, limit: int | None = None) -> Iterator[RejectedRow]:
    """The error report's lines in file order (the first ``limit`` of them, if given)."""
    query = (
        select(RejectedRow)
        .where(RejectedRow.run_id == run_id)
        .order_by(RejectedRow.row, RejectedRow.id)
        .limit(limit)
    )
    yield from session.scalars(query.execution_options(yield_per=1000))


def write_report(session: Session, run_id: int, out: IO[str]) -> int:
    """The error report as CSV (``;``-separated, opens in Excel): row, column, value, reason.
    Cells are written by ``sheets``: a value such as ``=HYPERLINK(…)`` stays text. A last line
    says when the report keeps only the first rejected rows."""
    run = session.get(ImportRun, run_id)
    documents = run is not None and run.kind in KINDS and KINDS[run.kind].documents
    rows = (
        (r.document if documents else r.row, r.column, r.value, r.reason)
        for r in rejections(session, run_id)
    )
    header = DOCUMENT_REPORT_HEADER if documents else REPORT_HEADER
    return sheets.write_csv_rows(out, header, chain(rows, _truncation(session, run_id)))


def _truncation(session: Session, run_id: int) -> Iterator[tuple]:
    run = session.get(ImportRun, run_id)
    if run is not None:
        shown, total = report_extent(session, run)
        if shown < total:
            yield None, None, None, truncation_note(shown, total)


def report_extent(session: Session, run: ImportRun) -> tuple[int, int]:
    """(rejected rows kept in the error report, rejected rows in all)."""
    query = select(func.count(func.distinct(RejectedRow.row))).where(RejectedRow.run_id == run.id)
    return session.scalar(query) or 0, run.rejected


def truncation_note(shown: int, total: int) -> str:
    """What the report says when it keeps only the first ``shown`` of ``total`` rows."""
    return (
        f"показаны первые {shown} из {total} отклонённых строк; исправьте эти ошибки и "
        "загрузите файл снова, чтобы увидеть остальные"
    )


def unusable_report(out: IO[str], message: str) -> None:
    """The error report of a file refused as a whole."""
    sheets.write_csv_rows(out, REPORT_HEADER, [(None, None, None, message)])
