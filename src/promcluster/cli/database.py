"""Commands that prepare the database: ``db upgrade`` and ``load reference`` / ``load demo``;
merged into the ``promcluster`` command line."""

import typer
from rich.progress import Progress

from promcluster import dbadmin
from promcluster.cli.support import Database, console, err, session_for, url_of

app = typer.Typer()
db_app = typer.Typer(help="База данных.", no_args_is_help=True)
load_app = typer.Typer(
    help="Загрузка справочников и демонстрационных данных.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(load_app, name="load")


@db_app.command("upgrade")
def db_upgrade(database: Database = None) -> None:
    """Create the database or migrate it to the latest schema."""
    dbadmin.upgrade(url_of(database))
    console.print("База данных в актуальном состоянии.")


@load_app.command("reference")
def load_reference(database: Database = None) -> None:
    """Load OKVED2, OKPD2, regions and cities and the federal cluster requirements shipped
    with the package."""
    from promcluster.compliance.rules import load_rules
    from promcluster.reference.service import load_reference as load

    with session_for(database, "load-reference") as session, Progress(console=console) as bar:
        task = bar.add_task("Справочники", total=None)
        reports = [*load(session), load_rules(session)]
        bar.update(task, total=1, completed=1)
    for r in reports:
        console.print(f"{r.table}: добавлено {r.added}, обновлено {r.updated}")


@load_app.command("demo")
def load_demo(database: Database = None) -> None:
    """Load the demo clusters, enterprises, chains, projects and figures from the seed articles,
    then the synthetic supplement (enterprises of all regions, products, supplies, needs)."""
    from promcluster.demo.loader import load_demo as load
    from promcluster.demo.synthetic import load_synthetic_demo
    from promcluster.reference.service import reference_loaded

    with session_for(database, "load-demo") as session:
        if not reference_loaded(session):
            err.print("Сначала загрузите справочники: promcluster load reference")
            raise typer.Exit(2)
        report = load(session)
        synthetic = load_synthetic_demo(session)
    added = ", ".join(f"{k}: {v}" for k, v in report.added.items()) or "ничего нового"
    console.print(f"Демонстрационные данные: {added}")
    added = ", ".join(f"{k}: {v}" for k, v in synthetic.added.items()) or "уже загружено"
    console.print(f"Синтетическое дополнение (помечено как синтетика): {added}")
