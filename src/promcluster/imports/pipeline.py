"""Reading and checking a file in batches, optionally in a second process.

Reading, parsing and checking rows is half of an import's work and writing the other half; on a
machine with two cores the CLI reads in a forked child while the parent writes, which nearly
halves the time of a large import. The queue between them is short and the keys met so far are
kept on disk, so memory stays flat.
"""

import gc
import multiprocessing
import queue as queues
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain
from pathlib import Path

from promcluster.imports import sources
from promcluster.imports.columns import KINDS, Kind, Lookups
from promcluster.imports.limits import ImportLimits
from promcluster.imports.readers import UnusableFile, open_table
from promcluster.imports.rows import Header, Parsed, Reading, locate_header, parse_row

Batch = tuple[list[Parsed], float]
QUEUE_LENGTH = 3
# Allocations between two collections of the youngest generation while a file streams through
# (Python's default is 700): see ``bulk_collection``.
BULK_GC_THRESHOLD = 50_000


class SeenKeys:
    """The records already met in the file, kept on disk (a temporary SQLite table) so that the
    memory of an import does not grow with the file: key hash → first row number."""

    def __init__(self) -> None:
        self.db = sqlite3.connect("")  # "" is a private temporary database on disk
        self.db.execute("CREATE TABLE seen (key INTEGER PRIMARY KEY, row INTEGER) WITHOUT ROWID")

    def first_rows(self, keys: list[tuple[int, int]]) -> dict[int, int]:
        """For (key hash, row) pairs in file order: the first row of each key, this batch's
        own rows included; the new keys are remembered. Keys are inserted first, in file order,
        keeping the row stored for a key already met: when every pair was new (the usual case)
        no query is needed."""
        before = self.db.total_changes
        self.db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", keys)
        if self.db.total_changes - before == len(keys):
            return dict(keys)
        unique = list({k for k, _ in keys})
        found: dict[int, int] = {}
        for start in range(0, len(unique), 900):
            chunk = unique[start : start + 900]
            marks = ",".join("?" * len(chunk))
            found.update(
                self.db.execute(f"SELECT key, row FROM seen WHERE key IN ({marks})", chunk)
            )
        return found

    def close(self) -> None:
        self.db.close()


def batches(
    path: Path,
    sheet: str | None,
    kind: str,
    lookups: Lookups,
    batch_size: int,
    limits: ImportLimits,
) -> Iterator[Header | Batch]:
    """First the header, then (rows, share of the file read) per batch. Empty rows are skipped;
    a row repeating an earlier row's record is refused naming that row."""
    if kind in sources.SOURCES:
        if sheet is not None:
            raise UnusableFile("лист можно указать только для файла XLSX")
        reading = sources.SOURCES[kind].read(path, lookups, limits)
    else:
        reading = _table(path, sheet, KINDS[kind], lookups, limits)
    seen = SeenKeys()
    try:
        yield reading.header
        batch: list[Parsed] = []
        for row in reading.rows:
            batch.append(row)
            if len(batch) >= batch_size:
                yield _checked(batch, kind, lookups, seen), reading.progress()
                batch = []
        yield _checked(batch, kind, lookups, seen), 1.0
    finally:
        seen.close()
        reading.close()


def _table(
    path: Path, sheet: str | None, kind: Kind, lookups: Lookups, limits: ImportLimits
) -> Reading:
    """A CSV or XLSX file's header and its non-empty data rows, parsed by ``kind``'s columns."""
    table = open_table(path, sheet, limits)
    try:
        header, first_rows = locate_header(kind, table.rows)
    except BaseException:
        table.close()
        raise
    plan = header.plan(kind)

    def rows() -> Iterator[Parsed]:
        for number, cells in chain(first_rows, table.rows):
            row = parse_row(kind, header, plan, lookups, number, cells, limits.max_cell_chars)
            if row is not None:
                yield row

    return Reading(header, rows(), table.progress, table.close)


def _checked(batch: list[Parsed], kind: str, lookups: Lookups, seen: SeenKeys) -> list[Parsed]:
    """Refuse the rows that repeat an earlier record; prepare the others for writing."""
    writer = sources.writer_of(kind)
    good = [r for r in batch if not r.problems]
    keys = [writer.file_key(r.values) for r in good]
    first = seen.first_rows([(hash(k), r.number) for k, r in zip(keys, good, strict=True)])
    for key, row in zip(keys, good, strict=True):
        earlier = first[hash(key)]
        if earlier != row.number:
            shown = " ".join(str(v) for v in key if v)
            where = "в документе №" if row.document else "в строке "
            reason = f"повтор: эта запись уже была {where}{earlier}"
            row.refuse(KINDS[kind].key, shown, reason)
        else:
            writer.prepare(row.values, lookups)
    return batch


def _produce(queue, *args) -> None:
    try:
        for item in batches(*args):
            if isinstance(item, tuple):
                rows, progress = item
                item = ([(r.number, r.values, r.problems, r.document) for r in rows], progress)
            queue.put(item)
        queue.put(None)
    except KeyboardInterrupt:
        pass
    except BaseException as exc:  # handed to the parent, which decides
        queue.put(exc if isinstance(exc, UnusableFile) else RuntimeError(repr(exc)))


@contextmanager
def bulk_collection() -> Iterator[None]:
    """Fewer and cheaper garbage collections while a large file streams through the process.

    An import allocates millions of short-lived containers (parsed values, pickled batches), so
    the collector runs thousands of times; each full pass scans every object alive — modules,
    SQLAlchemy's metadata, the reference lookups: a quarter of the reader's time and two thirds
    of the writer's unpickling for a 200,000-document register (docs/BENCHMARKS.md). What exists
    now is long-lived: it is frozen out of the scans (before the fork, so the reader child
    shares it unscanned too), and the youngest generation is collected less often."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(BULK_GC_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def batches_in_child(
    path: Path,
    sheet: str | None,
    kind: str,
    lookups: Lookups,
    batch_size: int,
    limits: ImportLimits,
) -> Iterator[Header | Batch]:
    """``batches`` computed in a forked process (for the CLI; a web server keeps to one), with
    the garbage collector of ``bulk_collection``."""
    with bulk_collection():
        context = multiprocessing.get_context("fork")
        queue = context.Queue(maxsize=QUEUE_LENGTH)
        child = context.Process(
            target=_produce,
            args=(queue, path, sheet, kind, lookups, batch_size, limits),
            daemon=True,
        )
        child.start()
        try:
            while True:
                try:
                    item = queue.get(timeout=0.5)
                except queues.Empty:
                    if not child.is_alive():
                        raise RuntimeError("процесс чтения файла неожиданно завершился") from None
                    continue
                if item is None:
                    return
                if isinstance(item, BaseException):
                    raise item
                if isinstance(item, tuple):
                    rows, progress = item
                    item = ([Parsed(*r) for r in rows], progress)
                yield item
        finally:
            if child.is_alive():
                child.terminate()
            child.join()
            queue.close()
