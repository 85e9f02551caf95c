"""Search reindexing as a job of the queue (``promcluster search reindex --queue``, the jobs page
and ``POST /api/v1/jobs/search-reindex``): the index is rebuilt in batches, each in its own
transaction, so that searches keep finding every record while it runs (each batch replaces its
documents in place), progress and cancel are seen between batches, and a rerun after a dead
worker simply starts again."""

from sqlalchemy.orm import Session, sessionmaker

from promcluster.jobs.runner import JobHandle, JobKind
from promcluster.matching.documents import (
    KINDS,
    chunks,
    drop_orphans,
    missing_ids,
    record_ids,
    refresh,
)

SEARCH_REINDEX = "search-reindex"


def rebuild_in_batches(
    factory: sessionmaker[Session], missing: bool, handle: JobHandle | None = None
) -> dict[str, int]:
    """Rebuild the index (or only add the records it lacks) one batch per transaction;
    returns the documents written per kind."""
    with factory() as session:
        plan = {
            kind: (missing_ids if missing else record_ids)(session.connection(), kind)
            for kind in KINDS
        }
    total = sum(len(ids) for ids in plan.values())
    if handle is not None:
        handle.progress(0, total)
    counts, done = dict.fromkeys(KINDS, 0), 0
    for kind, ids in plan.items():
        for chunk in chunks(ids):
            with factory() as session, session.begin():
                counts[kind] += refresh(session.connection(), kind, chunk)
            done += len(chunk)
            if handle is not None:
                handle.progress(done)
        if not missing:
            with factory() as session, session.begin():
                drop_orphans(session.connection(), kind)
    return counts


def summary(counts: dict[str, int]) -> str:
    """The job's result: documents written per kind."""
    return "Проиндексировано: " + ", ".join(f"{k}: {n}" for k, n in counts.items())


def reindex_job(handle: JobHandle) -> str:
    """The body of a search-reindex job (``params``: ``missing``)."""
    counts = rebuild_in_batches(handle.factory, bool(handle.params.get("missing")), handle)
    return summary(counts)


JOB_KINDS = (JobKind(SEARCH_REINDEX, reindex_job, rerun=True),)
