"""The ``serve`` command: the web platform and the REST API in uvicorn worker processes, each
warmed up in the background from the fitted models on disk; merged into the ``promcluster``
command line."""

import os
from typing import Annotated

import typer
from fastapi import FastAPI
from rich.markup import escape

from promcluster.cli.support import Database, err
from promcluster.config import get_settings

app = typer.Typer()
FACTORY = "promcluster.cli.server:served_app"


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
    import uvicorn

    from promcluster.auth.keys import InsecureKey, signing_key

    settings = get_settings()
    if database:
        settings = settings.model_copy(update={"database_url": database})
        # Each worker is a new Python process reading its settings from the environment.
        os.environ["PROMCLUSTER_DATABASE_URL"] = database
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
    )


def served_app() -> FastAPI:
    """The application one worker serves (uvicorn calls this in each worker process), with
    its warm-up started in the background."""
    import threading

    from promcluster import artefacts
    from promcluster.app import create_app

    settings = get_settings()
    artefacts.use(settings.cache_dir)
    served = create_app(settings)
    threading.Thread(target=_warm_up, args=(settings.database_url,), daemon=True).start()
    return served


def _warm_up(url: str) -> None:
    """Load the niche pages' feasibility model, the OKPD2 classifier and the search's spelling
    vocabulary at once (the first worker fits them and saves them: some seconds each, not in
    the first user's request; the others load them), then move what start-up made out of the
    garbage collector's full scans: it lives as long as the process, and scanning its ~240,000
    objects put 300 ms pauses into one request in twenty (niche page p95 355 → 84 ms,
    docs/BENCHMARKS.md)."""
    import gc

    from promcluster.db import make_engine, make_sessionmaker
    from promcluster.matching.classification import classifier_for
    from promcluster.matching.vocabulary import known_words
    from promcluster.niches.transfer import transfer_model

    transfer_model()
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        known_words.get(session.connection())
        classifier_for(session)
    engine.dispose()
    gc.freeze()
