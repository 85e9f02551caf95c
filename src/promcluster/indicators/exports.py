"""A rating as a file: CSV (machine column names) or XLSX (Russian headers, a notes sheet)."""

from pathlib import Path
from typing import Any

from promcluster import labels
from promcluster.indicators.ratings import Rating, RatingRow
from promcluster.sheets import write_csv, write_xlsx

COLUMNS = {  # record key → XLSX header
    "rank": "Место",
    "key": "Код",
    "name": "Наименование",
    "value": "Значение",
    "unit": "Единица",
    "as_of": "Дата",
    "year": "Год данных",
    "known": "Известно у",
    "total": "Из",
    "basis": "Основание",
}


def rating_record(row: RatingRow) -> dict[str, Any]:
    """One row of a rating as plain values (the API's items, the files' rows)."""
    i = row.indicator
    return {
        "rank": row.rank,
        "key": str(row.key),
        "name": row.name,
        "value": i.value,
        "unit": i.unit,
        "as_of": i.as_of,
        "year": i.year,
        "known": i.known,
        "total": i.total,
        "basis": i.basis_text,
    }


def write_rating(rating: Rating, path: Path) -> int:
    """``rating`` in the format of ``path``'s suffix (.xlsx or .csv); returns rows written."""
    records = [rating_record(r) for r in rating.rows]
    if path.suffix.lower() == ".xlsx":
        rows = ([r[k] for k in COLUMNS] for r in records)
        notes = [
            ["Показатель", labels.INDICATOR_NAMES.get(rating.indicator, rating.indicator)],
            ["Уровень", labels.INDICATOR_LEVELS[rating.level]],
            ["На дату", rating.as_of.strftime("%d.%m.%Y")],
            ["Пропуски", f"без значения — в конце таблицы, без места («{labels.NO_DATA}»)"],
            ["Доли", "в долях единицы (0,25 = 25\u00a0%)"],
        ]
        write_xlsx(path, list(COLUMNS.values()), rows, "Рейтинг", notes=notes)
    else:
        write_csv(path, list(COLUMNS), ([r[k] for k in COLUMNS] for r in records), plain=True)
    return len(records)
