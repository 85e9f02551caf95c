"""Screenshot seed: SAMPLE documents (labelled «ОБРАЗЕЦ»), a cited checklist item, targets and a
generated package on the demo's Tyumen construction cluster (id 2). Not demo data."""

import io
from datetime import date

from sqlalchemy import select

from promcluster.compliance.marks import set_mark
from promcluster.config import get_settings
from promcluster.db import make_engine, make_sessionmaker, transaction
from promcluster.documents.service import create_document
from promcluster.dossier.packages import generate
from promcluster.dossier.targets import set_target
from promcluster.registry.models import Enterprise, Membership

CLUSTER = 2


def pdf(text: str) -> bytes:
    body = f"BT /F1 12 Tf 50 750 Td ({text}) Tj ET".encode()
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>endobj\n"
        + f"4 0 obj<</Length {len(body)}>>stream\n".encode()
        + body
        + b"\nendstream endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


sessions = make_sessionmaker(make_engine(get_settings().database_url))
with transaction(sessions) as s:
    member = s.execute(
        select(Membership.id, Enterprise.name)
        .join(Enterprise, Enterprise.id == Membership.enterprise_id)
        .where(Membership.cluster_id == CLUSTER, Membership.status == "member")
        .order_by(Membership.id)
    ).first()
    docs = [
        (
            "programme",
            "ОБРАЗЕЦ: программа развития кластера на 2024–2028 годы",
            "обр-1",
            date(2024, 3, 1),
            True,
            None,
            "programme.pdf",
        ),
        (
            "cluster_agreement",
            "ОБРАЗЕЦ: соглашение о создании кластера",
            "обр-2",
            date(2024, 2, 15),
            False,
            None,
            "Соглашение.pdf",
        ),
        (
            "statutes",
            "ОБРАЗЕЦ: устав специализированной организации",
            "обр-3",
            date(2023, 11, 20),
            False,
            None,
            "Устав.pdf",
        ),
        (
            "accession_agreement",
            f"ОБРАЗЕЦ: соглашение о вступлении ({member.name})",
            "обр-4",
            date(2024, 4, 10),
            False,
            member.id,
            "Вступление.pdf",
        ),
    ]
    made = {}
    for kind, title, number, signed, public, membership, name in docs:
        data = {
            "kind": kind,
            "title": title,
            "number": number,
            "signed_on": signed,
            "public": public,
            "membership_id": membership,
            "parties": "образец для снимка экрана",
        }
        made[kind] = create_document(
            s, None, CLUSTER, data, io.BytesIO(pdf(title.encode("ascii", "replace").decode())), name
        )
    s.flush()
    set_mark(s, None, CLUSTER, "C6", "programme", True, None, None, None, made["programme"].id)
    set_mark(
        s, None, CLUSTER, "C5", "agreements", True, None, None, None, made["cluster_agreement"].id
    )
with transaction(sessions) as s:
    year = 2025
    for key, value, why in (
        ("members", 25, "ОБРАЗЕЦ пояснения: четыре предприятия перенесли вступление на 2026 год"),
        ("applicants", 60, None),
        ("employees", 5000, None),
        ("revenue", 50e9, None),
    ):
        set_target(s, None, CLUSTER, key, year, value, why)
with transaction(sessions) as s:
    row, _ = generate(s, None, CLUSTER, date(2026, 12, 1))
    print("package", row.number, row.sha256[:12])
