"""The application a uvicorn worker serves (``promcluster serve``): ``create_app`` with the
models warmed up in a background thread. Outside ``cli/``, so that a worker process imports the
application without the command line."""

import logging
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi import FastAPI
from sqlalchemy import Engine

from promcluster.config import get_settings

if TYPE_CHECKING:
    from promcluster.background import Computations

logger = logging.getLogger(__name__)
FACTORY = "promcluster.served:served_app"
WARM_UP = "warm-up"
WARMED = "процесс {}: модель ниш, классификатор ОКПД2 и словарь поиска загружены"


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
    served.state.computations.background = True
    threading.Thread(
        target=start_up,
        args=(served, urls, settings.jobs_stale_minutes, settings.warm_up_regions),
        daemon=True,
    ).start()
    return served


def start_up(app: FastAPI, urls: list[str], stale_minutes: int, regions: int) -> None:
    """The warm-up (``/readyz`` answers 200 once it is done), then the pages of the busiest
    regions (``warm_pages``), which readiness does not wait for."""
    warm_up(urls, app.state.warmed_up, stale_minutes)
    warm_pages(app.state.computations, urls, regions)


def warm_pages(computations: "Computations", urls: list[str], regions: int) -> list[str]:
    """Compute the niche ranking (``/niches/{region}``, ``/api/v1/niches``) and the discovery
    (``/discover/{region}``) of ``regions`` regions, those with clusters first, then those with
    the most firms, one after the other in this thread; a page asked for meanwhile answers «идёт
    расчёт…» and starts its own job (each job runs once: one the warm-up finds running or done
    is skipped). Returns the regions warmed (of the first database)."""
    from promcluster.db import make_engine
    from promcluster.discovery.service import discovery_job
    from promcluster.niches.service import ranking_job

    warmed: list[str] = []
    for url in urls:
        engine = make_engine(url)
        try:
            codes = busiest_regions(engine, regions)
            for code in codes:
                for job in (ranking_job(code), discovery_job(code)):
                    computations.run(engine, job)
            warmed = warmed or codes
        except Exception:
            logger.exception("pages' warm-up failed; they are computed at first view")
        finally:
            engine.dispose()
    return warmed


def busiest_regions(engine: Engine, limit: int) -> list[str]:
    """Up to ``limit`` region codes: those with clusters, then the others, by number of firms."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from promcluster.registry.models import Enterprise, cluster_region

    if limit <= 0:
        return []
    firms = func.count(Enterprise.id)
    clustered = Enterprise.region_code.in_(select(cluster_region.c.region_code))
    query = (
        select(Enterprise.region_code)
        .group_by(Enterprise.region_code)
        .order_by(clustered.desc(), firms.desc(), Enterprise.region_code)
        .limit(limit)
    )
    with Session(engine) as session:
        return list(session.scalars(query))


def warm_up(
    urls: list[str],
    done: threading.Event,
    stale_minutes: int = 5,
    warm: Callable[[Engine], None] | None = None,
) -> None:
    """Load the niche pages' feasibility model, the OKPD2 classifier, the search's spelling
    vocabulary (of the database, and of its read replica if there is one) and the maps'
    simplified region outlines at once (the first
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
    from promcluster.reference.outlines import DETAIL, outlines

    transfer_model()
    for _, tolerance in DETAIL:  # the maps' simplified region outlines (about 1 s in all)
        outlines(tolerance)
    with make_sessionmaker(engine)() as session:
        known_words.get(session.connection())
        classifier_for(session)
    gc.freeze()
