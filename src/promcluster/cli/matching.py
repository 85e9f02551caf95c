"""Commands of matching: ``classify`` product names into OKPD2, ``search`` the platform and
rebuild its search index; merged into the ``promcluster`` command line."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress
from sqlalchemy.orm import Session

from promcluster.cli.support import (
    Database,
    console,
    err,
    refuse_database,
    refusing_input,
    session_for,
    url_of,
)
from promcluster.russian import number

app = typer.Typer()
search_app = typer.Typer(help="Поиск по платформе и его индекс.")
app.add_typer(search_app, name="search")
CLASSIFY_BATCH = 500


@app.command(
    "classify",
    help=(
        "Названия продукции свободным текстом → коды ОКПД2: в OUT столбцы "
        "row,rank,code,name,score (row — номер строки данных ФАЙЛА с нуля); учится на "
        "названиях, уже получивших код в базе данных, а без базы (или с ненастроенной) — "
        "на классификаторе ОКПД2 из пакета."
    ),
)
def classify_command(
    file: Annotated[Path, typer.Argument(help="CSV или XLSX с наименованиями продукции")],
    column: Annotated[str, typer.Option(help="заголовок столбца с наименованиями")],
    output: Annotated[Path, typer.Option("-o", "--output", help="файл .csv")],
    top: Annotated[int, typer.Option(help="сколько кодов предложить для строки (1–20)")] = 5,
    sheet: Annotated[str | None, typer.Option(help="лист книги XLSX")] = None,
    database: Database = None,
) -> None:
    """Free-text product names → OKPD2 suggestions: OUT has ``row,rank,code,name,score``
    (row = 0-based data row of FILE), learning from the names already coded in the database;
    with no database (or one never migrated) from the OKPD2 classifier shipped in the package."""
    from promcluster.matching.classification import MAX_TOP, names_in_file, suggest
    from promcluster.sheets import write_csv

    if output.suffix.lower() != ".csv":
        err.print("Укажите файл .csv")
        raise typer.Exit(2)
    if not 1 <= top <= MAX_TOP:
        err.print(f"--top должен быть от 1 до {MAX_TOP}")
        raise typer.Exit(2)
    with refusing_input():
        names = list(names_in_file(file, column, sheet))
    with _classifying_session(database) as session, Progress(console=err) as bar:
        task = bar.add_task("Подбор кодов ОКПД2", total=len(names))
        results = []
        for start in range(0, len(names), CLASSIFY_BATCH):
            results += suggest(session, names[start : start + CLASSIFY_BATCH], top)
            bar.advance(task, min(CLASSIFY_BATCH, len(names) - start))
    write_csv(
        output,
        ["row", "rank", "code", "name", "score"],
        (
            [row, rank, s.code, s.name, s.score]
            for row, found in enumerate(results)
            for rank, s in enumerate(found, start=1)
        ),
        plain=True,
    )
    console.print(f"Строк: {len(names)}, без подсказок: {sum(not r for r in results)} → {output}")


@contextmanager
def _classifying_session(database: str | None) -> Iterator[Session | None]:
    """A session of the database when it is migrated; ``None`` (the shipped classifier, said
    on stderr) when there is none or it was never migrated; any other state refused."""
    from promcluster import dbadmin
    from promcluster.dbadmin import Schema

    url = url_of(database, accept=None)
    state = dbadmin.schema_state(url)
    if state.schema in (Schema.MISSING, Schema.EMPTY):
        err.print(
            f"База данных {escape(dbadmin.shown_url(url))} не создана (или не подготовлена "
            "командой promcluster db upgrade): коды подобраны по классификатору ОКПД2 из "
            "пакета, без исправлений пользователей.",
            soft_wrap=True,
        )
        yield None
        return
    if state.schema is not Schema.CURRENT:
        refuse_database(url, state, given=database is not None)
    with session_for(url, "classify") as session:
        yield session


@search_app.command(
    "find",
    help=(
        "Поиск предприятий, продукции, потребностей и предложений; по строке на "
        "найденное, лучшие первыми."
    ),
)
def search_command(
    query: Annotated[str, typer.Argument(help="что искать")],
    kind: Annotated[
        list[str] | None,
        typer.Option(help="cluster, chain, project, enterprise, product, need или offer"),
    ] = None,
    region: Annotated[str | None, typer.Option(help="код региона")] = None,
    limit: Annotated[int, typer.Option(help="сколько результатов")] = 20,
    database: Database = None,
) -> None:
    """Search clusters, chains, projects, enterprises, product lines, needs and offers; one line
    per hit, best first."""
    from promcluster.matching.search import parse_kinds, search

    with session_for(database, "search") as session:
        found = search(session, query, parse_kinds(kind), region, limit)
    for fixed in found.corrected.items():
        err.print("исправлено: «{}» → «{}»".format(*fixed))
    if not found.every_word and found.hits:
        err.print("нет записей со всеми словами; показаны совпадения с частью слов")
    for hit in found.hits:
        typer.echo(f"{hit.kind}\t{hit.ref_id}\t{hit.score:.3f}\t{hit.title}\t{hit.detail or ''}")


@search_app.command(
    "reindex",
    help=(
        "Перестроить поисковый индекс по записям (после изменений данных в обход "
        "платформы) или только добавить недостающие записи (после «import --defer-"
        "index»); с --queue перестройка идёт заданием очереди (частями, поиск работает), "
        "ход виден на странице заданий."
    ),
)
def reindex_command(
    missing: Annotated[
        bool, typer.Option("--missing", help="только записи, которых ещё нет в индексе")
    ] = False,
    queue: Annotated[
        bool,
        typer.Option(
            "--queue",
            help="поставить в очередь заданий (выполнит promcluster worker или сервер) "
            "вместо выполнения здесь",
        ),
    ] = False,
    database: Database = None,
) -> None:
    """Rebuild the search index from the records (after data was changed outside the platform),
    or only add the records it lacks (after ``import --defer-index``); with ``--queue`` the
    rebuild is a job (in batches, searches keep working) followed on the jobs page."""
    if queue:
        _queue_reindex(missing, database)
        return
    from sqlalchemy import func, select

    from promcluster.matching.documents import KINDS, MODELS, index_missing, reindex

    with session_for(database, "reindex") as session, Progress(console=err) as bar:
        tasks = {
            k: bar.add_task(
                f"Индекс: {k}",
                total=None if missing else session.scalar(select(func.count(MODELS[k].id))),
            )
            for k in KINDS
        }
        build = index_missing if missing else reindex
        counts = build(session.connection(), progress=lambda k, n: bar.advance(tasks[k], n))
    console.print("Проиндексировано: " + ", ".join(f"{k}: {n}" for k, n in counts.items()))


def _queue_reindex(missing: bool, database: str | None) -> None:
    """Record a search-reindex job owned by no user (the command line) and queue it."""
    from promcluster.app import job_runner
    from promcluster.config import get_settings
    from promcluster.db import make_engine, make_sessionmaker
    from promcluster.jobs import open_queue
    from promcluster.matching.jobs import SEARCH_REINDEX

    settings = get_settings().model_copy(update={"database_url": url_of(database)})
    engine = make_engine(settings.database_url)
    try:
        runner = job_runner(open_queue(settings), make_sessionmaker(engine), settings)
        job_id = runner.enqueue(SEARCH_REINDEX, None, {"missing": missing})
    finally:
        engine.dispose()
    console.print(
        f"Задание №{job_id} поставлено в очередь; его выполнит promcluster worker или сервер "
        f"(страница /jobs, GET /api/v1/jobs/{job_id})"
    )


@app.command(
    "match",
    help=(
        "Возможные поставщики для потребности (или покупатели для предложения) по "
        "убыванию оценки, с причинами — тот же рейтинг, что на странице публикации: по "
        "блоку на кандидата."
    ),
)
def match_command(
    side: Annotated[str, typer.Argument(help="need (поставщики для потребности) или offer")],
    posting: Annotated[int, typer.Argument(help="номер потребности или предложения")],
    limit: Annotated[int, typer.Option(help="сколько кандидатов")] = 20,
    database: Database = None,
) -> None:
    """Ranked candidate suppliers of a need (or buyers of an offer) with their reasons, the
    same ranking as the posting's page: one block per candidate."""
    from promcluster.errors import NotFound
    from promcluster.labels import MATCH_TIERS
    from promcluster.matching.candidates import buyer_candidates, supplier_candidates
    from promcluster.matching.models import Need, Offer

    if side not in ("need", "offer") or not 1 <= limit <= 100:
        err.print("Укажите need или offer и --limit от 1 до 100")
        raise typer.Exit(2)
    with session_for(database, "match") as session:
        model, rank = (Need, supplier_candidates) if side == "need" else (Offer, buyer_candidates)
        record = session.get(model, posting)
        if record is None:
            raise NotFound(f"нет {'потребности' if side == 'need' else 'предложения'} №{posting}")
        found = rank(session, record, limit)
    console.print(f"{record.product_name} ({record.okpd2_code or 'без кода ОКПД2'}): {len(found)}")
    for place, c in enumerate(found, start=1):
        score = number(c.score, 3)
        typer.echo(f"{place}. {c.name} — {c.region_name}, {MATCH_TIERS[c.tier]}, {score}")
        for reason in c.reasons:
            typer.echo(f"   · {reason}")
