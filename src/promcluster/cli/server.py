"""The ``serve`` command: the web platform and the REST API in uvicorn worker processes, each
warmed up in the background from the fitted models on disk; the ``worker`` command: the job
queue's consumer as a service of its own; merged into the ``promcluster`` command line."""

import logging
import os
import threading
from collections.abc import Callable
from typing import Annotated

import typer
from fastapi import FastAPI
from rich.markup import escape
from sqlalchemy import Engine

from promcluster.cli.support import Database, err, url_of
from promcluster.config import get_settings, prometheus_multiproc_dir

app = typer.Typer()
logger = logging.getLogger(__name__)
FACTORY = "promcluster.cli.server:served_app"
WARM_UP = "warm-up"
WARMED = "процесс {}: модель ниш, классификатор ОКПД2 и словарь поиска загружены"


@app.command()
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
        FACTORY,
        factory=True,
        workers=workers or settings.workers or os.cpu_count() or 1,
        host=host or settings.host,
        port=port or settings.port,
        forwarded_allow_ips=forwarded_allow_ips or settings.forwarded_allow_ips,
        log_config=log_config(settings.log_json),
        access_log=False,  # replaced by the request log line (web/requestlog.py)
    )


def served_app() -> FastAPI:
    """The application one worker serves (uvicorn calls this in each worker process), with
    its warm-up started in the background; /readyz answers 200 once it is done."""
    from promcluster import artefacts
    from promcluster.app import create_app

    settings = get_settings()
    artefacts.use(settings.cache_dir)
    served = create_app(settings)
    # The read replica's own copies too: in-process results are kept per database URL.
    urls = [url for url in (settings.database_url, settings.database_read_url) if url]
    threading.Thread(
        target=_warm_up,
        args=(urls, served.state.warmed_up, settings.jobs_stale_minutes),
        daemon=True,
    ).start()
    return served


@app.command()
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


def _warm_up(
    urls: list[str],
    done: threading.Event,
    stale_minutes: int = 5,
    warm: Callable[[Engine], None] | None = None,
) -> None:
    """Load the niche pages' feasibility model, the OKPD2 classifier and the search's spelling
    vocabulary (of the database, and of its read replica if there is one) at once (the first
    worker fits them and saves them: some seconds each, not in the first user's request; the
    others load them), then move what start-up made out of the
    garbage collector's full scans: it lives as long as the process, and scanning its ~240,000
    objects put 300 ms pauses into one request in twenty (niche page p95 355 → 84 ms,
    docs/BENCHMARKS.md). ``done`` is set at the end, even after a failure (what failed is then
    computed at first use), and /readyz answers 200 from then on. It runs in this process (the
    memory it fills is this worker's), recorded as a job «warm-up» for the jobs page (``warm``:
    the loading itself, ``_warm`` unless a test gives a lighter one)."""
    from promcluster.db import make_engine, make_sessionmaker
    from promcluster.jobs.runner import running

    engines = [make_engine(url) for url in urls]
    try:
        with running(make_sessionmaker(engines[0]), WARM_UP, stale_minutes=stale_minutes) as job:
            for engine in engines:
                (warm or _warm)(engine)
            if job is not None:
                job.result = WARMED.format(os.getpid())
    except Exception:
        logger.exception("warm-up failed; its parts will be computed at first use")
    finally:
        for engine in engines:
            engine.dispose()
        done.set()


def _warm(engine: Engine) -> None:
    import gc

    from promcluster.db import make_sessionmaker
    from promcluster.matching.classification import classifier_for
    from promcluster.matching.vocabulary import known_words
    from promcluster.niches.transfer import transfer_model

    transfer_model()
    with make_sessionmaker(engine)() as session:
        known_words.get(session.connection())
        classifier_for(session)
    gc.freeze()
