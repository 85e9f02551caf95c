"""The ``serve`` command: the web platform and the REST API in uvicorn worker processes, each
warmed up in the background from the fitted models on disk; the ``worker`` command: the job
queue's consumer as a service of its own; merged into the ``promcluster`` command line."""

import logging
import os
from typing import Annotated

import typer
from rich.markup import escape

from promcluster.cli.support import Database, err, url_of
from promcluster.config import get_settings, prometheus_multiproc_dir

app = typer.Typer()


@app.command(
    help="Запустить веб-платформу и REST API в рабочих процессах.",
)
def serve(
    host: Annotated[str | None, typer.Option(help="адрес (по умолчанию 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="порт (по умолчанию 8000)")] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="число рабочих процессов (по умолчанию — число ядер)"),
    ] = None,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="адреса прокси, чьим заголовкам X-Forwarded-* верить, через запятую, или «*» "
            "(по умолчанию 127.0.0.1)"
        ),
    ] = None,
    database: Database = None,
) -> None:
    """Serve the web platform and the REST API in worker processes."""
    url = url_of(database)  # a database not migrated ends the command here
    clear_multiproc_dir()  # before any metric exists (importing the app creates some)

    import uvicorn

    from promcluster import served
    from promcluster.auth.keys import InsecureKey, signing_key
    from promcluster.web.requestlog import log_config

    if database:
        # Each worker reads its settings from the environment: a new Python process, or this
        # one with one worker (whose cached settings would still name the default database).
        os.environ["PROMCLUSTER_DATABASE_URL"] = url
        get_settings.cache_clear()
    settings = get_settings()
    try:
        signing_key(settings)
    except InsecureKey as exc:
        err.print("[red]Сервер не запущен / not started:[/red]", escape(str(exc)))
        raise typer.Exit(2) from exc
    uvicorn.run(
        served.FACTORY,
        factory=True,
        workers=workers or settings.workers or os.cpu_count() or 1,
        host=host or settings.host,
        port=port or settings.port,
        forwarded_allow_ips=forwarded_allow_ips or settings.forwarded_allow_ips,
        log_config=log_config(settings.log_json),
        access_log=False,  # replaced by the request log line (web/requestlog.py)
    )


@app.command(
    help=(
        "Выполнять задания очереди (загрузки, переиндексацию поиска, файлы выгрузок) до "
        "остановки: по SIGINT начатые задания завершаются, по SIGTERM остановка сразу "
        "(прерванная загрузка продолжится, прерванная переиндексация начнётся заново). "
        "Запускайте как отдельную службу, а веб-серверу задайте "
        "PROMCLUSTER_JOBS_EMBEDDED=false."
    ),
)
def worker(
    workers: Annotated[
        int | None, typer.Option(help="сколько заданий выполнять одновременно")
    ] = None,
    processes: Annotated[bool, typer.Option("--processes", help="процессы вместо потоков")] = False,
    database: Database = None,
) -> None:
    """Run queued jobs (imports, search reindexing, generated files) until stopped: SIGINT
    lets running jobs finish, SIGTERM stops at once (an interrupted import is resumed, an
    interrupted reindex rerun). Run it as its own service with
    PROMCLUSTER_JOBS_EMBEDDED=false for the web server."""
    from promcluster.app import job_runner
    from promcluster.db import make_engine, make_sessionmaker
    from promcluster.imports.jobs import ImportJobs
    from promcluster.jobs import open_queue, run_worker

    settings = get_settings().model_copy(update={"database_url": url_of(database)})
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    engine = make_engine(settings.database_url)
    queue = open_queue(settings)
    # A forked worker process must not reuse the parent's database connections.
    queue.on_startup()(lambda: engine.dispose(close=False))
    factory = make_sessionmaker(engine)
    ImportJobs(queue, factory, settings)
    job_runner(queue, factory, settings)
    run_worker(queue, workers or settings.jobs_workers, processes, settings.jobs_poll_seconds)


def clear_multiproc_dir() -> None:
    """Empty ``PROMETHEUS_MULTIPROC_DIR``, if set: figures of the processes of an earlier run
    would otherwise be added to this one's (docs/OPERATIONS.md)."""
    directory = prometheus_multiproc_dir()
    if directory is None:
        return
    directory.mkdir(parents=True, exist_ok=True)
    for path in directory.glob("*.db"):
        path.unlink()
