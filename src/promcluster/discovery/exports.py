"""Discovery as files: one table (CSV and XLSX for people) of the region's candidate clusters,
its specialisations and, for a cluster, its ranked potential participants, told apart by the
``section`` column; JSON holds the same as the API's documents."""

import json
from pathlib import Path
from typing import Any

from promcluster.discovery import schemas
from promcluster.discovery.participants import Prospect
from promcluster.discovery.service import Discovery
from promcluster.sheets import write_csv, write_xlsx

SUFFIXES = (".csv", ".xlsx", ".json")
COLUMNS = {  # record key → column title
    "section": "Раздел",
    "rank": "Место",
    "code": "ОКВЭД2",
    "name": "Название",
    "score": "Оценка",
    "lq": "Коэффициент локализации",
    "share": "Доля региона в стране",
    "growth": "Рост за период",
    "lq_change": "Изменение коэффициента локализации",
    "firms": "Предприятий",
    "employees": "Занятых",
    "region": "Регион",
    "enterprise_id": "id предприятия",
    "existing": "Существующий кластер",
    "synthetic": "Синтетические данные",
    "reasons": "Почему",
}


def records(found: Discovery, prospects: list[Prospect] | None) -> list[dict[str, Any]]:
    """The rows of the table: candidates, specialisations, then prospects."""
    rows = [
        {
            "section": "candidate", "rank": c.number, "code": c.seed, "name": c.seed_name,
            "score": round(c.score, 6), "firms": c.firms, "employees": c.employees,
            "region": found.region.code,
            "existing": [e.mark for e in c.existing],
            "synthetic": c.synthetic_firms > 0,
            "reasons": [f"{a} — {n}" for a, _, n in c.activities[:10]],
        }
        for c in found.candidates
    ]  # fmt: skip
    rows += [
        {
            "section": "specialisation", "rank": i, "code": s.code, "name": s.name,
            "lq": round(s.lq, 6), "share": None if s.share is None else round(s.share, 6),
            "growth": _rounded(s.growth), "lq_change": _rounded(s.lq_change),
            "firms": s.firms, "employees": s.value if found.measure == "employees" else None,
            "region": found.region.code, "reasons": _basis(found),
        }
        for i, s in enumerate(found.specialisations, start=1)
    ]  # fmt: skip
    rows += [
        {
            "section": "prospect", "rank": i, "code": p.okved, "name": p.name,
            "score": p.score, "employees": p.employees, "region": p.region_code,
            "enterprise_id": p.enterprise_id, "synthetic": p.synthetic, "reasons": p.reasons,
        }
        for i, p in enumerate(prospects or [], start=1)
    ]  # fmt: skip
    return rows


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _basis(found: Discovery) -> list[str]:
    """What the specialisation is measured against and over which years."""
    base = ", ".join(r.code for r in found.reference) if found.reference else "вся страна"
    basis = [f"база сравнения: {found.reference_text}; {base}"]
    if found.growth_years:
        basis.append(f"рост за {found.growth_years[0]}–{found.growth_years[1]}")
    return basis


def write(path: Path, found: Discovery, prospects: list[Prospect] | None) -> int:
    """The file in the format of ``path``'s suffix; returns the rows (or items) written."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        document = schemas.discovery_out(found).model_dump(mode="json")
        if prospects is not None:
            document["prospects"] = [schemas.prospect_out(p).model_dump() for p in prospects]
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
        return len(found.candidates) + len(found.specialisations) + len(prospects or [])
    table = records(found, prospects)
    rows = iter([[r.get(k) for k in COLUMNS] for r in table])
    headers = list(COLUMNS.values())
    if suffix == ".xlsx":
        return write_xlsx(path, headers, rows, "Поиск кластеров")
    return write_csv(path, headers, rows, "Поиск кластеров")
