"""Exports as jobs of the queue (``POST /api/v1/export/{kind}.{fmt}``): a whole register is
written by a worker, not by the request, with progress and cancel; its owner downloads the file
at ``GET /api/v1/jobs/{id}/file`` until the job expires (``PROMCLUSTER_JOBS_KEEP_HOURS``)."""

from pathlib import Path
from typing import Any

from promcluster.imports import exports
from promcluster.jobs.runner import JobHandle, JobKind

EXPORT = "export"


def params(kind: str, fmt: str, filters: dict[str, Any]) -> dict[str, Any]:
    """The job's parameters (checked here, so that a bad kind or format is refused at once)."""
    exports.format_of(Path(f"x.{fmt}"))  # refuses an unknown format
    exports.filter_names(kind)  # refuses an unknown kind
    return {"kind": kind, "fmt": fmt, "filters": filters}


def export_job(handle: JobHandle) -> str:
    """The body of an export job: count, then write the file with progress reports."""
    kind, fmt, filters = handle.params["kind"], handle.params["fmt"], handle.params["filters"]
    path = handle.output(f".{fmt}", f"{kind}.{fmt}")
    with handle.factory() as session:
        total = exports.count(session, kind, filters)
        handle.progress(0, total)
        written = exports.export(session, kind, path, filters, handle.progress)
    handle.progress(total)
    return f"Выгружено записей: {written}"


JOB_KINDS = (JobKind(EXPORT, export_job, rerun=True),)
