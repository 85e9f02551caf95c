"""Commands of the analytics: ``complexity``, ``predict`` and ``backtest`` on long tables (no
database), and ``niches`` of a region; merged into the ``promcluster`` command line."""

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from promcluster.cli.support import Database, console, err, refusing_input, session_for

app = typer.Typer()

Orientation = Annotated[
    str,
    typer.Option(
        help="знак ECI: diversity (как ecomplexity: ECI растёт с диверсификацией) или ubiquity "
        "(сложные продукты — редкие; устойчиво для регионов)"
    ),
]
Duplicates = Annotated[
    str, typer.Option(help="повторы строк: error (ошибка), sum (сложить) или first (первая)")
]


@app.command(
    "complexity",
    help=(
        "RCA, Mcp, плотность, ECI, PCI, диверсификация, повсеместность, COI и COG по "
        "каждой паре территория × продукт (× год), по определениям пакета ecomplexity."
    ),
)
def complexity_command(
    file: Annotated[
        Path, typer.Argument(help="CSV, XLSX или Parquet: location, product, value[, year]")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="файл .csv, .xlsx или .parquet")],
    threshold: Annotated[float, typer.Option(help="порог RCA для специализации")] = 1.0,
    orientation: Orientation = "diversity",
    duplicates: Duplicates = "error",
    sheet: Annotated[str | None, typer.Option(help="лист книги XLSX")] = None,
) -> None:
    """RCA, Mcp, density, ECI, PCI, diversity, ubiquity, COI and COG per location × product
    (× year), with the definitions of the ecomplexity package."""
    from promcluster.analytics.complexity import of_panel
    from promcluster.imports.panels import complexity_frame, write_table

    panel = _read_panel(file, sheet, duplicates)
    with refusing_input(), Progress(console=err, transient=True) as bar:
        bar.add_task("Расчёт сложности", total=None)
        results = of_panel(panel, threshold, orientation)  # type: ignore[arg-type]
    for result in results:
        when = f"{result.year}: " if result.year is not None else ""
        for name, reason in (result.dropped | result.outside).items():
            err.print(f"[yellow]{when}«{name}» — {reason}[/yellow]")
    frame = complexity_frame(results, with_year=panel.years != [None])
    count = write_table(output, frame, "Сложность")
    console.print(
        f"Регионов: {len(panel.locations)}, продуктов: {len(panel.products)}, "
        f"лет: {len(panel.years)}; строк: {count} → {output}"
    )


@app.command(
    "predict",
    help=(
        "Оценить каждую пару территория × продукт без специализации в год T (RCA < 1): "
        "чем выше оценка, тем вероятнее RCA ≥ 1 в следующем периоде; модель учится на "
        "более ранних годах ФАЙЛА."
    ),
)
def predict_command(
    file: Annotated[
        Path, typer.Argument(help="CSV, XLSX или Parquet: location, product, value, year")
    ],
    year: Annotated[int, typer.Option(help="год T, на котором оцениваются пары с RCA < 1")],
    output: Annotated[Path, typer.Option("-o", "--output", help="файл .csv, .xlsx или .parquet")],
    duplicates: Duplicates = "error",
    sheet: Annotated[str | None, typer.Option(help="лист книги XLSX")] = None,
) -> None:
    """Score every location × product not specialised at T (RCA < 1): higher means likelier to
    reach RCA ≥ 1 by the next period; the model learns from the earlier years of FILE."""
    import polars as pl

    from promcluster.analytics.predict import predict
    from promcluster.imports.panels import write_table

    panel = _read_panel(file, sheet, duplicates)
    with refusing_input(), Progress(console=err, transient=True) as bar:
        bar.add_task("Обучение модели и оценка пар", total=None)
        scores = predict(panel, year)
    frame = pl.DataFrame(
        {
            "location": pl.Series(scores.locations, dtype=pl.String),
            "product": pl.Series(scores.products, dtype=pl.String),
            "score": pl.Series(scores.score, dtype=pl.Float64),
        }
    )
    count = write_table(output, frame, "Прогноз")
    console.print(f"Пар без специализации в {year} году: {count} → {output}")


@app.command(
    "backtest",
    help=(
        "ROC AUC, AUC-PR и средняя точность на 10 лучших по территории для модели, "
        "плотности и RCA прошлого периода на кандидатах с RCA < 1 и < 0,5: обучение на "
        "одном переходе, проверка на более позднем."
    ),
)
def backtest_command(
    file: Annotated[
        Path, typer.Argument(help="CSV, XLSX или Parquet: location, product, value, year")
    ],
    train: Annotated[str, typer.Option(help="переход для обучения, ГОД:ГОД")] = "2011:2016",
    test: Annotated[str, typer.Option(help="переход для проверки, ГОД:ГОД")] = "2016:2021",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="таблица метрик .csv, .xlsx или .parquet")
    ] = None,
    duplicates: Duplicates = "error",
    sheet: Annotated[str | None, typer.Option(help="лист книги XLSX")] = None,
) -> None:
    """ROC AUC, AUC-PR and mean precision at 10 per location of the model, density and last
    period's RCA on candidates with RCA < 1 and < 0.5, trained on one transition, tested on
    a later one."""
    import polars as pl

    from promcluster.analytics.backtest import backtest, table
    from promcluster.imports.panels import write_table

    periods = [_period(train, "--train"), _period(test, "--test")]
    panel = _read_panel(file, sheet, duplicates)
    with refusing_input(), Progress(console=err, transient=True) as bar:
        bar.add_task("Обучение и проверка", total=None)
        rows = backtest(panel, *periods)
    typer.echo(table(rows))  # Markdown, not wrapped to the terminal's width
    if output is not None:
        headers = ["candidates", "scorer", "pairs", "positives", "roc_auc", "auc_pr", "p_at_10"]
        values = [
            [f"rca<{r.cut:g}", r.scorer, r.candidates, r.positives, r.roc_auc,
             r.average_precision, r.precision_at_10]
            for r in rows
        ]  # fmt: skip
        frame = pl.DataFrame(values, schema=headers, orient="row")
        write_table(output, frame, "Проверка прогноза")


def _period(text: str, option: str) -> tuple[int, int]:
    start, _, end = text.partition(":")
    if not (start.isdigit() and end.isdigit() and int(start) < int(end)):
        err.print(f"{option}: ожидается ГОД:ГОД, например 2011:2016, а не «{text}»")
        raise typer.Exit(2)
    return int(start), int(end)


@app.command(
    "niches",
    help=(
        "Ниши региона по убыванию оценки: спрос вне региона, покупатели, покрытие, "
        "осуществимость, плотность, PCI и COG, каждая составляющая и итоговая оценка (тот"
        " же рейтинг, что на веб-странице)."
    ),
)
def niches_command(
    region: Annotated[str, typer.Argument(help="код региона, например 72")],
    output: Annotated[Path, typer.Option("-o", "--output", help="файл .csv, .xlsx или .json")],
    cluster: Annotated[
        int | None, typer.Option(help="только спрос участников кластера (id)")
    ] = None,
    top: Annotated[int | None, typer.Option(help="сколько ниш вывести (по умолчанию все)")] = None,
    demand: Annotated[float | None, typer.Option(help="вес спроса (0–10)")] = None,
    feasibility: Annotated[float | None, typer.Option(help="вес осуществимости (0–10)")] = None,
    attractiveness: Annotated[
        float | None, typer.Option(help="вес привлекательности (0–10)")
    ] = None,
    database: Database = None,
) -> None:
    """Ranked niches of a region: demand from outside, buyers, coverage, feasibility, density,
    PCI and COG, each component and the combined score (the same ranking as the web page)."""
    from promcluster.niches import exports
    from promcluster.niches.service import parse_weights, rank_niches

    if output.suffix.lower() not in (".csv", ".xlsx", ".json"):
        err.print("Укажите файл .csv, .xlsx или .json")
        raise typer.Exit(2)
    with (
        session_for(database, f"niches-{region}") as session,
        Progress(console=err, transient=True) as bar,
    ):
        bar.add_task("Расчёт ниш", total=None)
        weights = parse_weights(
            {"demand": demand, "feasibility": feasibility, "attractiveness": attractiveness}
        )
        ranking = rank_niches(session, region, cluster, weights)
        count = exports.write_ranking(ranking, output, top)
    console.print(f"Ниш: {count} → {output}")


def _read_panel(file: Path, sheet: str | None, duplicates: str):
    from promcluster.imports.panels import read_panel

    if duplicates not in ("error", "sum", "first"):
        err.print("--duplicates: error, sum или first")
        raise typer.Exit(2)
    with refusing_input(), Progress(console=err, transient=True) as bar:
        task = bar.add_task(f"Чтение «{file.name}»", total=1.0)
        return read_panel(
            file,
            sheet,
            duplicates,
            lambda done: bar.update(task, completed=done),  # type: ignore[arg-type]
        )
