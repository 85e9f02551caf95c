"""Registry dossier benchmark (issue 20): a SYNTHETIC cluster of 500 participants with 3,000
supplies between them (every firm named «Синтетическое предприятие №…» and flagged synthetic),
then, in this process and through the services the pages and commands call:

- a 49 MiB PDF uploaded as a document (streamed to the store, type read, kept under its hash);
- a 300 MiB DOCX bomb (a 300 KB file) refused;
- the application package assembled and written (DOCX, workbooks, ZIP) and kept as a version;
- the yearly report computed and written as DOCX.

Wall time of each step (best of ``--repeat`` runs) and the process's peak memory are printed
with the load average (the machine is shared). The database and the file store live in a
temporary directory removed at the end.

    .venv/bin/python benchmarks/bench_dossier.py [--participants 500] [--supplies 3000]
"""

import argparse
import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

from sqlalchemy import insert, select

# synthetic.py and timing.py are sibling modules, not part of a package.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import enterprise_rows
from timing import best

CLI = [sys.executable, "-m", "promcluster.cli"]
MIB = 1024 * 1024


def build(url: str, participants: int, supplies: int) -> int:
    """The schema, the reference data and the SYNTHETIC cluster; returns the cluster's id."""
    env = {**os.environ, "PROMCLUSTER_DATABASE_URL": url}
    for command in (["db", "upgrade"], ["load", "reference"]):
        subprocess.run([*CLI, *command], env=env, check=True, capture_output=True)
    from promcluster.db import make_engine
    from promcluster.models import Cluster, Enterprise, Membership, Okpd, Supply

    engine = make_engine(url)
    rng = random.Random(20)
    with engine.begin() as connection:
        codes = list(connection.scalars(select(Okpd.code).where(Okpd.code.like("23.%")).limit(200)))
        rows = [
            {
                "inn": inn, "ogrn": ogrn, "name": name, "search_text": name.lower(),
                "region_code": region, "address": f"ул. Синтетическая, д. {n % 200 + 1}",
                "okved_main": okved, "employees": employees, "revenue": revenue,
                "is_synthetic": True, "version": 1,
            }
            for n, (inn, ogrn, name, region, _c, okved, employees, revenue, _s, _) in enumerate(
                enterprise_rows(participants, seed=20)
            )
        ]  # fmt: skip
        connection.execute(insert(Enterprise), rows)
        ids = list(connection.scalars(select(Enterprise.id).order_by(Enterprise.id)))
        cluster = connection.execute(
            insert(Cluster).values(
                name="Синтетический кластер (бенчмарк)", search_text="", kind="industrial",
                specialised_org_id=ids[0], version=1,
            )
        ).inserted_primary_key[0]  # fmt: skip
        connection.execute(
            insert(Membership),
            [
                {"cluster_id": cluster, "enterprise_id": i, "status": "member",
                 "role": "specialised_org" if i == ids[0] else "participant",
                 "since": date(2024, 1, 1), "version": 1}
                for i in ids
            ],
        )  # fmt: skip
        connection.execute(
            insert(Supply),
            [
                {"supplier_id": a, "buyer_id": b, "okpd2_code": rng.choice(codes),
                 "year": 2025, "value": rng.randint(10**5, 10**8), "version": 1}
                for a, b in (rng.sample(ids, 2) for _ in range(supplies))
            ],
        )  # fmt: skip
    engine.dispose()
    return cluster


def pdf(size: int) -> bytes:
    """A PDF of about ``size`` bytes (the header, a large stream, the trailer)."""
    return b"%PDF-1.4\n1 0 obj<</Length 0>>stream\n" + b"0" * size + b"\nendstream\n%%EOF\n"


def bomb() -> bytes:
    """A DOCX whose one part unpacks to 300 MiB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (300 * MIB))
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=500)
    parser.add_argument("--supplies", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="promcluster-bench-dossier-") as tmp:
        os.environ["PROMCLUSTER_FILES_DIR"] = str(Path(tmp) / "files")
        url = f"sqlite:///{tmp}/dossier.db"
        started = time.perf_counter()
        cluster = build(url, args.participants, args.supplies)
        print(f"SYNTHETIC cluster: {args.participants} participants, {args.supplies} supplies, "
              f"built in {time.perf_counter() - started:.1f} s")  # fmt: skip

        from promcluster.db import make_engine, make_sessionmaker, transaction
        from promcluster.documents.service import create_document
        from promcluster.dossier.packages import generate
        from promcluster.dossier.report import yearly_report
        from promcluster.dossier.report_files import write_docx
        from promcluster.errors import InvalidField

        sessions = make_sessionmaker(make_engine(url))
        big, docx_bomb = pdf(49 * MIB), bomb()
        meta = {"kind": "programme", "title": "Синтетический документ (бенчмарк)"}

        def upload(content: bytes, name: str):
            with transaction(sessions) as session:
                return create_document(session, None, cluster, meta, io.BytesIO(content), name)

        def refused() -> str:
            try:
                upload(docx_bomb, "bomb.docx")
            except InvalidField as exc:
                return exc.field
            raise AssertionError("the bomb was accepted")

        def package():
            with transaction(sessions) as session:
                return generate(session, None, cluster, date.today())[0].size

        def report() -> int:
            with transaction(sessions) as session:
                buffer = io.BytesIO()
                write_docx(yearly_report(session, cluster, 2025), buffer)
                return len(buffer.getvalue())

        steps = [
            ("upload of a 49 MiB PDF", lambda: upload(big, "programme.pdf") and "kept"),
            (f"refusal of a {len(docx_bomb) // 1024} KB DOCX bomb", refused),
            ("application package (ZIP bytes)", package),
            ("yearly report DOCX (bytes)", report),
        ]
        for label, step in steps:
            seconds, result = best(step, args.repeat)
            print(f"{label:40} {seconds:8.2f} s   → {result}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MiB; load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
