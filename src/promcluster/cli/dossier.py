"""The ``application`` command: the application package of a cluster for the Ministry's
registry, written as a ZIP or into a directory and kept as the cluster's next version (as the
system); merged into the ``promcluster`` command line."""

import os
import shutil
import zipfile
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from promcluster import labels
from promcluster.cli.support import Database, cluster_id_of, console, err, session_for
from promcluster.russian import number, plural

app = typer.Typer()


def _target(output: Path) -> Path:
    """Refuse an output the command cannot write before anything is assembled (a directory is
    created only once the package is)."""
    if output.suffix.lower() == ".zip":
        folder = output.parent
        if output.is_dir():
            _refuse(f"{output} — это папка; укажите файл .zip или папку без .zip")
    else:
        if output.exists() and not output.is_dir():
            _refuse(f"{output} — существующий файл, а не папка; укажите папку или файл .zip")
        folder = next(p for p in (output, *output.parents) if p.exists())  # created later
    if not folder.is_dir():
        _refuse(f"папки {folder} нет")
    if not os.access(folder, os.W_OK):
        _refuse(f"нет прав на запись в папку {folder}")
    return output


def _refuse(message: str) -> None:
    err.print(f"[red]Ошибка:[/red] -o: {message}", soft_wrap=True)
    raise typer.Exit(2)


@app.command(
    "application",
    help=(
        "Пакет документов кластера для реестра Минпромторга России (постановление № 779): "
        "заявление и разделы в DOCX, таблицы в XLSX, файлы документов; -o ФАЙЛ.zip — архив, "
        "иначе папка с файлами. Пакет сохраняется как очередная версия кластера."
    ),
)
def application_command(
    cluster: Annotated[str, typer.Argument(help="id кластера или его точное название")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="файл .zip или папка для файлов пакета")
    ],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="дата пакета ГГГГ-ММ-ДД (по умолчанию сегодня)")
    ] = None,
    database: Database = None,
) -> None:
    """The application package of one cluster as a ZIP or a directory, kept as a version."""
    from promcluster.documents import store
    from promcluster.dossier.packages import generate

    try:
        day = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError:
        err.print(f"--as-of: дата в виде ГГГГ-ММ-ДД, получено «{as_of}»")
        raise typer.Exit(2) from None
    target = _target(output)
    with session_for(database, "application") as session:
        cluster_id = cluster_id_of(session, cluster)
        console.print(f"Собираю пакет кластера (id {cluster_id}) на {day:%d.%m.%Y}…")
        row, package = generate(session, None, cluster_id, day)
        kept = store.path_of(row.sha256)
        try:
            if target.suffix.lower() == ".zip":
                shutil.copyfile(kept, target)
            else:
                target.mkdir(parents=True, exist_ok=True)
                with zipfile.ZipFile(kept) as archive:
                    archive.extractall(target)
        except OSError as exc:
            err.print(f"[red]Ошибка:[/red] -o: не удалось записать {target}: {exc.strerror}")
            raise typer.Exit(2) from exc
    verdict = labels.COMPLIANCE_VERDICTS[package.compliance.verdict]
    lacking = plural(len(package.missing), "пункт") if package.missing else "ничего"
    console.print(
        f"«{package.cluster_name}»: пакет № {row.number} на {day:%d.%m.%Y}, "
        f"{number(row.size / 1024, 1)} КБ; итог проверки: {verdict}; "
        f"для полного пакета не хватает: {lacking} → {target}",
        soft_wrap=True,
    )
