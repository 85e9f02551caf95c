"""Niches as files: the ranking (CSV and JSON for scripts, XLSX for people) and the investment
passport of one niche (an XLSX workbook: summary, buyers, candidate producers, method)."""

import json
from pathlib import Path
from typing import Any

from promcluster import labels
from promcluster.niches.service import Buyer, Niche, NicheDetail, Ranking
from promcluster.russian import percent, plural
from promcluster.sheets import Book, write_csv, write_xlsx

COLUMNS = {  # record key → column title in XLSX
    "rank": "Место",
    "group": "Группа ОКПД2",
    "name": "Продукция",
    "score": "Итоговая оценка",
    "demand_rub": "Спрос вне региона, руб./год",
    "imported_rub": "В т. ч. импорт, руб./год",
    "procurement_rub": "В т. ч. по данным госзакупок (ЕИС), руб./год",
    "import_share": "Доля импорта",
    "buyers": "Покупателей",
    "produced_rub": "Выпуск в регионе, руб./год",
    "producers": "Производителей в регионе",
    "activity": "ОКВЭД2",
    "activity_name": "Вид деятельности",
    "feasibility": "Осуществимость (модель)",
    "density": "Плотность (density)",
    "rca": "RCA региона",
    "pci": "Сложность продукта (PCI)",
    "cog": "Выигрыш перспектив (COG)",
    "c_demand": "Компонент: спрос",
    "c_feasibility": "Компонент: осуществимость",
    "c_attractiveness": "Компонент: привлекательность",
}


def niche_record(rank: int, n: Niche) -> dict[str, Any]:
    """One niche as plain values (the CLI's rows and the API's items)."""
    return {
        "rank": rank,
        "group": n.group,
        "name": n.name,
        "score": round(n.score, 6),
        "demand_rub": round(n.demand),
        "imported_rub": round(n.imported),
        "procurement_rub": round(n.procurement),
        "import_share": None if n.import_share is None else round(n.import_share, 6),
        "buyers": n.buyers,
        "produced_rub": round(n.produced),
        "producers": n.producers,
        "activity": n.activity,
        "activity_name": n.activity_name,
        "feasibility": n.feasibility,
        "density": n.density,
        "rca": n.rca,
        "pci": n.pci,
        "cog": n.cog,
        **{f"c_{k}": round(v, 6) for k, v in n.components.items()},
    }


def write_ranking(ranking: Ranking, path: Path, top: int | None = None) -> int:
    """The ranking in the format of ``path``'s suffix; returns the number of niches written."""
    records = [niche_record(i, n) for i, n in enumerate(ranking.niches[:top], start=1)]
    suffix = path.suffix.lower()
    if suffix == ".json":
        document = {
            "region": ranking.region.code,
            "cluster": ranking.cluster.id if ranking.cluster else None,
            "weights": ranking.weights,
            "synthetic_data": ranking.synthetic,
            "niches": records,
        }
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    elif suffix == ".xlsx":
        rows = ([r[k] for k in COLUMNS] for r in records)
        write_xlsx(path, list(COLUMNS.values()), rows, "Ниши", notes=_method_notes(ranking))
    else:
        write_csv(path, list(COLUMNS), ([r[k] for k in COLUMNS] for r in records), plain=True)
    return len(records)


def _method_notes(ranking: Ranking) -> list[list[str]]:
    weights = ", ".join(f"{labels.NICHE_COMPONENTS[k]} {v:g}" for k, v in ranking.weights.items())
    notes = [
        ["Регион", f"{ranking.region.name} ({ranking.region.code})"],
        ["Веса оценки", weights],
        ["Метод", "docs/NICHES.md: спрос вне региона, осуществимость по модели, "
                  "обученной на панели занятости Австралии (ABS), плотность, PCI и COG"],
    ]  # fmt: skip
    if ranking.cluster is not None:
        notes.insert(1, ["Кластер", ranking.cluster.name])
    if ranking.synthetic:
        notes.append(["Внимание", "часть данных региона синтетическая (демонстрационная)"])
    return notes


def write_passport(detail: NicheDetail, path: Path) -> None:
    """The investment passport of a niche: one workbook, a sheet per part."""
    from openpyxl.styles import Font

    n, ranking = detail.niche, detail.ranking
    book = Book()
    summary = book.sheet("Паспорт ниши")
    [heading] = book.append(summary, [f"Инвестиционный паспорт ниши: {n.group} {n.name}"])
    heading.font = Font(bold=True, size=14)
    book.append(summary, [f"{ranking.region.name}; место {detail.rank} из {len(ranking.niches)}"])
    if ranking.synthetic:
        book.append(summary, ["Внимание: часть данных региона синтетическая (демонстрационная)."])
    book.append(summary, [])
    record = niche_record(detail.rank, n)
    for key, title in COLUMNS.items():
        book.append(summary, [title, record[key]])[0].font = Font(bold=True)
    summary.column_dimensions["A"].width = 36
    summary.column_dimensions["B"].width = 60
    book.table(
        "Покупатели",
        ["Покупатель", "Вне региона, руб./год", "Импорт, руб./год", "Всего, руб./год",
         "Откуда сведения", "Где покупает сейчас", "Закуплено по контрактам (ЕИС), руб.",
         "Контракты (ЕИС)", "Поставщики по контрактам (ЕИС)", "Синтетика"],
        [[b.name, round(b.outside), round(b.imported), round(b.total), "; ".join(b.sources),
          "; ".join(b.supplier_regions), *_contract_cells(b), "да" if b.synthetic else ""]
         for b in detail.buyers],
    )  # fmt: skip
    book.table(
        "Кто может производить",
        ["Предприятие", "Город", "ОКВЭД2", "Численность", "Почему", "Синтетика"],
        [[c.name, c.city, c.okved, c.employees, c.reason, "да" if c.synthetic else ""]
         for c in detail.candidates],
    )  # fmt: skip
    book.table(
        "Родственные виды деятельности",
        ["ОКВЭД2", "Вид деятельности", "Близость"],
        [[code, name, round(phi, 4)] for code, name, phi in detail.related],
    )
    book.save(path)


def contracts_text(count: int, numbers: list[str]) -> str:
    """«3 контракта: № 1…, № 2…, № 3…» (the numbers given; «и др.» when there are more)."""
    named = ", ".join(f"№ {n}" for n in numbers)
    more = " и др." if count > len(numbers) else ""
    return f"{plural(count, 'контракт')}: {named}{more}"


def _contract_cells(buyer: Buyer) -> list:
    """The passport's procurement cells of a buyer: value, contracts, supplier regions."""
    p = buyer.procurement
    if p is None:
        return [None, "", ""]
    regions = "; ".join(
        f"{r.name or 'регион не указан'} — {percent(r.share, 0)}" for r in p.regions
    )
    return [round(p.value), contracts_text(p.contract_count, p.contracts), regions]
