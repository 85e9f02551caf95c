"""Reading and checking a file in batches, optionally in a second process.

Reading, parsing and checking rows is half of an import's work and writing the other half; on a
machine with two cores the CLI reads in a forked child while the parent writes, which nearly
halves the time of a large import. The queue between them is short, so memory stays flat.
"""

import multiprocessing
import queue as queues
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

from promcluster.imports.columns import KINDS, Lookups
from promcluster.imports.readers import UnusableFile, open_table
from promcluster.imports.rows import Header, Parsed, locate_header, parse_row
from promcluster.imports.writers import WRITERS

Batch = tuple[list[Parsed], float]
QUEUE_LENGTH = 3


def batches(
    path: Path, sheet: str | None, kind: str, lookups: Lookups, batch_size: int
) -> Iterator[Header | Batch]:
    """First the header, then (rows, share of the file read) per batch. Empty rows are skipped;
    a row repeating an earlier row's record is refused naming that row."""
    table = open_table(path, sheet)
    try:
        header, first_rows = locate_header(KINDS[kind], table.rows)
        yield header
        file_key, prepare = WRITERS[kind].file_key, WRITERS[kind].prepare
        plan = header.plan(KINDS[kind])
        seen: dict[int, int] = {}
        batch: list[Parsed] = []
        for number, cells in chain(first_rows, table.rows):
            row = parse_row(KINDS[kind], header, plan, lookups, number, cells)
            if row is None:
                continue
            if not row.problems:
                key = file_key(row.values)
                first = seen.setdefault(hash(key), number)
                if first != number:
                    shown = " ".join(str(v) for v in key if v)
                    row.refuse(
                        KINDS[kind].key, shown, f"повтор: эта запись уже была в строке {first}"
                    )
                else:
                    prepare(row.values, lookups)
            batch.append(row)
            if len(batch) >= batch_size:
                yield batch, table.progress()
                batch = []
        yield batch, 1.0
    finally:
        table.close()


def _produce(queue, *args) -> None:
    try:
        for item in batches(*args):
            if isinstance(item, tuple):
                rows, progress = item
                item = ([(r.number, r.values, r.problems) for r in rows], progress)
            queue.put(item)
        queue.put(None)
    except KeyboardInterrupt:
        pass
    except BaseException as exc:  # handed to the parent, which decides
        queue.put(exc if isinstance(exc, UnusableFile) else RuntimeError(repr(exc)))


def batches_in_child(
    path: Path, sheet: str | None, kind: str, lookups: Lookups, batch_size: int
) -> Iterator[Header | Batch]:
    """``batches`` computed in a forked process (for the CLI; a web server keeps to one)."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=QUEUE_LENGTH)
    child = context.Process(
        target=_produce, args=(queue, path, sheet, kind, lookups, batch_size), daemon=True
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
