"""Kinds read by a reader of their own rather than as a table of columns: the extension point
for open data in fixed formats (docs/IMPORT.md, «Виды со своим форматом»).

A source gives ``read(path, lookups, limits)`` → ``rows.Reading`` (a header, then rows or
documents with their values checked and problems named) and the ``Writer`` of its kind; its
``Kind`` in ``columns.KINDS`` (``documents=True``) describes the fields. The pipeline, runs,
progress, cancel, resume and the error report are then those of every kind.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from promcluster.imports import fns, fns_writers, procurement, procurement_writers
from promcluster.imports.columns import Lookups
from promcluster.imports.limits import ImportLimits
from promcluster.imports.rows import Reading
from promcluster.imports.writers import WRITERS, Writer


@dataclass(frozen=True)
class Source:
    """How a kind with its own format is read and written."""

    read: Callable[[Path, Lookups, ImportLimits], Reading]
    writer: type[Writer]


SOURCES: dict[str, Source] = {
    "fns-sme": Source(fns.read_sme, fns_writers.Register),
    "fns-headcount": Source(fns.read_headcount, fns_writers.Headcount),
    "fns-revenue": Source(fns.read_revenue, fns_writers.Revenue),
    "procurement": Source(procurement.read_procurement, procurement_writers.Procurement),
}


def writer_of(kind: str) -> type[Writer]:
    """The writer of any import kind."""
    return SOURCES[kind].writer if kind in SOURCES else WRITERS[kind]
