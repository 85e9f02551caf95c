"""Location quotients of official statistics as a file: CSV (machine column names) or XLSX
(Russian headers, a notes sheet naming the source)."""

from pathlib import Path
from typing import Any

import numpy as np

from promcluster.sheets import write_csv, write_xlsx
from promcluster.statistics.service import Quotients

COLUMNS = {  # record key → XLSX header
    "region_code": "Код региона",
    "region": "Регион",
    "okved": "Раздел ОКВЭД2",
    "activity": "Вид деятельности",
    "year": "Год",
    "value": "Значение",
    "region_total": "Всего по региону",
    "share": "Доля в регионе",
    "lq": "Коэффициент локализации",
    "growth": "Прирост значения",
    "lq_change": "Изменение коэффициента",
}


def _plain(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def records(
    q: Quotients,
    regions: dict[str, str],
    sections: dict[str, str],
    change: tuple[np.ndarray, np.ndarray] | None,
    only: str | None = None,
) -> list[dict[str, Any]]:
    """One record per region × section (of region ``only`` when given)."""
    out = []
    for i, code in enumerate(q.regions):
        if only is not None and code != only:
            continue
        for j, s in enumerate(q.sections):
            total = q.totals[i]
            out.append({
                "region_code": code, "region": regions.get(code, code), "okved": s,
                "activity": sections.get(s, s), "year": q.year, "value": _plain(q.values[i, j]),
                "region_total": _plain(total),
                "share": _plain(q.values[i, j] / total) if total > 0 else None,
                "lq": _plain(q.lq[i, j]),
                "growth": _plain(change[0][i, j]) if change else None,
                "lq_change": _plain(change[1][i, j]) if change else None,
            })  # fmt: skip
    return out


def write_quotients(path: Path, rows: list[dict[str, Any]], notes: list[list[Any]]) -> int:
    """``rows`` in the format of ``path``'s suffix (.xlsx or .csv)."""
    if path.suffix.lower() == ".xlsx":
        values = ([r[k] for k in COLUMNS] for r in rows)
        return write_xlsx(path, list(COLUMNS.values()), values, "Локализация", notes=notes)
    return write_csv(path, list(COLUMNS), ([r[k] for k in COLUMNS] for r in rows), plain=True)
