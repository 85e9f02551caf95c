"""What the statistics page and its downloads show: one section's LQ in every region for a year,
with its growth since the first year with sections, the map classes and the file's notes."""

from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from promcluster.errors import InvalidField
from promcluster.indicators.ratings import MapClass, class_breaks, colour, rank
from promcluster.statistics import exports, service
from promcluster.statistics.service import Indicator, Quotients
from promcluster.statistics.store import source_date_text

DEFAULT_SECTION = "C"  # manufacturing: what cluster offices look at first


@dataclass
class Overview:
    indicator: Indicator
    year: int
    since: int | None
    years: list[int]
    section: str
    sections: dict[str, str]
    quotients: Quotients
    rows: list[dict[str, Any]]  # one per region, ranked by LQ
    colours: dict[str, str]
    legend: list[MapClass]
    change: tuple[np.ndarray, np.ndarray] | None


def overview(
    session: Session, name: str | None, year: int | None, section: str | None
) -> Overview | None:
    """The page's content (None when no official statistics are loaded)."""
    if service.indicator(session, name) is None:
        return None
    t = service.year_table(session, name, year)
    ind, q, years, since, change = t.indicator, t.quotients, t.years, t.since, t.change
    year = q.year
    section = section or (DEFAULT_SECTION if DEFAULT_SECTION in q.sections else q.sections[0])
    if section not in q.sections:
        raise InvalidField(
            "section", f"нет раздела ОКВЭД2 «{section}»; есть: {', '.join(q.sections)}"
        )
    names = service.section_names(session, q.sections)
    regions = service.region_names(session)
    records = [r for r in exports.records(q, regions, names, change) if r["okved"] == section]
    places = dict(rank([(r["region_code"], r["lq"]) for r in records]))
    for r in records:
        r["rank"] = places[r["region_code"]]
    records.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["region"]))
    lqs = {r["region_code"]: r["lq"] for r in records}
    breaks = class_breaks([v for v in lqs.values() if v is not None])
    legend = [
        MapClass(breaks[i - 1] if i else None, b, colour(b, breaks)) for i, b in enumerate(breaks)
    ]
    colours = {k: colour(v, breaks) for k, v in lqs.items()}
    return Overview(ind, year, since, years, section, names, q, records, colours, legend, change)


def notes(ind: Indicator, q: Quotients) -> list[list[Any]]:
    """The download's notes sheet: the indicator, its source and how the LQ was computed."""
    country = (
        "строка «Российская Федерация» файла"
        if q.country_source == "file"
        else f"сумма {len(q.regions)} субъектов файла (строки «Российская Федерация» в нём нет)"
    )
    return [
        ["Показатель", ind.name],
        ["Единица", ind.unit],
        ["Форма собственности", ind.ownership],
        ["Год", f"{q.year} ({ind.notes.get(q.year) or 'без примечания'})"],
        ["Источник", ind.source],
        ["Дата данных", source_date_text(ind.source_date)],
        [
            "Коэффициент локализации",
            "(значение региона / всего по региону) / (значение страны / всего по стране)",
        ],
        ["Страна", country],
        ["Доли и приросты", "в долях единицы (0,25 = 25 %)"],
    ]
