"""FNS open-data benchmark (issue 19): ``promcluster import fns-sme`` and ``fns-headcount`` on a
SYNTHETIC register in the FNS XML format 4.01 (a ZIP of XML files, 1,000 documents each).

Every document is SYNTHETIC: its organisation name says «СИНТЕТИКА», its ИдДок starts with
``synthetic-``; INNs have valid check digits (``synthetic.inn10``) but belong to nobody on
purpose — never load these files into a real database. Regions, cities and OKVED2 codes are
real (from the reference), so every document is accepted.

For each size a fresh SQLite database is created (``db upgrade`` + ``load reference``), then
the register is imported (``--defer-index``), then the headcount file of the same INNs, then
``search reindex --missing`` adds the new enterprises to the search index (the work the
register's import deferred), each as a subprocess: wall time and the peak memory of the whole
process tree (CLI + reader child).

    .venv/bin/python benchmarks/bench_fns.py [--sizes 100000,1000000] [--backends PostgreSQL]

PostgreSQL too when PROMCLUSTER_BENCH_POSTGRES_URL names a database that may be wiped.
Bars: 1,000,000 register documents into SQLite < 180 s with peak < 1 GiB; 1,000,000 headcount
documents < 60 s. Exit 1 on FAIL.
"""

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import (
    PeakSampler,
    cli,
    cli_env,
    machine_cpu_seconds,
    parse_counts,
    run_cli,
)
from synthetic import inn10

from promcluster.reference.service import data_path

POSTGRES_ENV = "PROMCLUSTER_BENCH_POSTGRES_URL"
PER_FILE = 1000
BAR_DOCUMENTS = 1_000_000
BAR_SME_SECONDS, BAR_HEADCOUNT_SECONDS, BAR_MIB = 180.0, 60.0, 1024.0
REINDEX = "search reindex --missing"


def _reference() -> tuple[list[str], dict[str, list[str]], list[str]]:
    with data_path("regions.csv").open(encoding="utf-8") as f:
        regions = [r["code"] for r in csv.DictReader(f)]
    cities: dict[str, list[str]] = {}
    with data_path("cities.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            cities.setdefault(r["region_code"], []).append(r["name"].upper())
    with data_path("okved2.csv").open(encoding="utf-8") as f:
        codes = [r["code"] for r in csv.DictReader(f) if int(r["level"]) >= 3]
    return regions, cities, codes


def _inn(n: int) -> str:
    return inn10(f"{10 + n // 10_000_000:02d}{n % 10_000_000:07d}")


def _head(kind: str, count: int, n: int) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Файл ИдФайл="synthetic-{n}" ВерсФорм="4.01" '
        f'ТипИнф="{kind}" КолДок="{count}"><ИдОтпр><ФИООтв Фамилия="-" Имя="-"/></ИдОтпр>'
    )


def sme_document(n: int, rng: random.Random, reference) -> str:
    regions, cities, codes = reference
    region = rng.choice(regions)
    place = rng.choice(cities.get(region) or ["СИНТЕТИЧЕСКОЕ"])
    main, *extra = rng.sample(codes, 1 + rng.randint(0, 4))
    extras = "".join(f'<СвОКВЭДДоп КодОКВЭД="{c}" ВерсОКВЭД="2014"/>' for c in extra)
    return (
        f'<Документ ИдДок="synthetic-{n}" ДатаСост="10.06.2024" ДатаВклМСП="10.08.2016" '
        f'ВидСубМСП="1" КатСубМСП="{rng.choice("1112")}" ПризНовМСП="2">'
        f'<ОргВклМСП НаимОрг="ООО «СИНТЕТИКА {n}»" НаимОргСокр="СИНТЕТИКА {n}" '
        f'ИННЮЛ="{_inn(n)}"/><СведМН КодРегион="{region}"><Город Тип="ГОРОД" Наим="{place}"/>'
        f'</СведМН><СвОКВЭД><СвОКВЭДОсн КодОКВЭД="{main}" ВерсОКВЭД="2014"/>{extras}</СвОКВЭД>'
        "</Документ>"
    )


def headcount_document(n: int, rng: random.Random, _reference) -> str:
    return (
        f'<Документ ИдДок="synthetic-hc-{n}" ДатаДок="25.10.2024" ДатаСост="31.12.2023">'
        f'<СведНП НаимОрг="ООО «СИНТЕТИКА {n}»" ИННЮЛ="{_inn(n)}"/>'
        f'<СведССЧР КолРаб="{int(rng.lognormvariate(2, 1.5))}"/></Документ>'
    )


def write_zip(path: Path, documents: int, kind: str, document, reference) -> Path:
    """A ZIP of ``documents`` SYNTHETIC documents, ``PER_FILE`` per XML file."""
    rng = random.Random(1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for f, start in enumerate(range(0, documents, PER_FILE)):
            count = min(PER_FILE, documents - start)
            body = "".join(document(n, rng, reference) for n in range(start, start + count))
            archive.writestr(f"synthetic-{f:05d}.xml", _head(kind, count, f) + body + "</Файл>")
    return path


def measure(kind: str, path: Path, url: str, *extra: str) -> tuple[float, float, float, dict]:
    command = [*cli(), "import", kind, str(path), "--database", url, *extra]
    return timed(command, f"import {kind}")


def timed(command: list[str], what: str) -> tuple[float, float, float, dict]:
    """Wall seconds, CPU seconds (user + system) and peak MiB of the process tree (the reader
    child is joined, so its time counts), and the counts it printed."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=cli_env())
        with PeakSampler(process.pid) as sampler:
            _, status, usage = os.wait4(process.pid, 0)
            code = process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0)
        text = out.read()
    if code != 0:
        sys.exit(f"{what} failed ({code}):\n{text}")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, sampler.peak_kib / 1024, parse_counts(text) if what != REINDEX else {}


def fresh(url: str) -> None:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        import sqlalchemy

        engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        engine.dispose()
    run_cli("db", "upgrade", "--database", url)
    run_cli("load", "reference", "--database", url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--backends", default="SQLite,PostgreSQL", help="which of the two to run")
    args = parser.parse_args()
    reference = _reference()
    work = Path(tempfile.mkdtemp(prefix="bench-fns-"))
    backends = {"SQLite": f"sqlite:///{work / 'bench.db'}"}
    if os.environ.get(POSTGRES_ENV):
        backends["PostgreSQL"] = os.environ[POSTGRES_ENV]
    backends = {k: v for k, v in backends.items() if k in args.backends.split(",")}
    failed = False
    print(
        "| documents | backend | kind | seconds | documents/s | CPU s | peak MiB | machine busy |"
    )
    print("|---:|---|---|---:|---:|---:|---:|---:|")
    for size in (int(s) for s in args.sizes.split(",")):
        sme = write_zip(work / f"sme-{size}.zip", size, "РЕЕСТРМСП", sme_document, reference)
        hc = work / f"hc-{size}.zip"
        write_zip(hc, size, "ОТКРДАННЫЕ3", headcount_document, reference)
        for backend, url in backends.items():
            fresh(url)
            for kind, path, extra in (
                ("fns-sme", sme, ("--defer-index",)),
                ("fns-headcount", hc, ()),
            ):
                busy = machine_cpu_seconds()
                seconds, cpu, peak, counts = measure(kind, path, url, *extra)
                busy = (machine_cpu_seconds() - busy) / seconds
                assert counts["rejected"] == 0 and counts["created"] == size, counts
                print(
                    f"| {size:,} | {backend} | {kind} | {seconds:.1f} | {size / seconds:,.0f} "
                    f"| {cpu:.0f} | {peak:.0f} | {busy:.2f} cores |",
                    flush=True,
                )
                if size >= BAR_DOCUMENTS and backend == "SQLite":
                    bar = BAR_SME_SECONDS if kind == "fns-sme" else BAR_HEADCOUNT_SECONDS
                    failed |= seconds > bar or peak > BAR_MIB
            busy = machine_cpu_seconds()
            command = [*cli(), *REINDEX.split(), "--database", url]
            seconds, cpu, peak, _ = timed(command, REINDEX)
            busy = (machine_cpu_seconds() - busy) / seconds
            print(
                f"| {size:,} | {backend} | {REINDEX} (no bar) | {seconds:.1f} "
                f"| {size / seconds:,.0f} | {cpu:.0f} | {peak:.0f} | {busy:.2f} cores |",
                flush=True,
            )
    for path in work.iterdir():
        path.unlink()
    work.rmdir()
    print("Bars:", "FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
