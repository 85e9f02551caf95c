"""The real regional structure the synthetic supplement is shaped by: Rosstat's organisations by
region × OKVED2 section (and the divisions and groups the export breaks out), from the shipped
ЕМИСС export (indicator 58109, statistics/data/PROVENANCE.md), plus the few activities bound to a
resource found in named regions only. Nothing here is synthetic; ``synthetic.py`` draws on it."""

import csv
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster.reference.models import Okved
from promcluster.statistics.activities import Activities
from promcluster.statistics.emiss import parse
from promcluster.statistics.store import SHIPPED
from promcluster.statistics.territories import Territories

OWNERSHIP = "ВСЕГО"  # the rows of all forms of ownership
# Activities bound to a deposit, where they exist only in the regions named. Not from a shipped
# data set (Rosstat's export stops at the section): uranium ores are mined by the
# Atomredmetzoloto (Rosatom) enterprises in Zabaykalsky krai (Priargunsky, Krasnokamensk), Kurgan
# oblast (Dalur) and Buryatia (Khiagda); coal in the regions with working mines or open pits (the
# Kuzbass, Eastern Siberia, the Far East, Komi, Rostov, Novosibirsk oblast).
COAL = ("42", "24", "19", "14", "75", "03", "17", "38", "25", "27", "28", "65", "87", "49", "11",
        "61", "54")  # fmt: skip
RESOURCE_BOUND = {"07.21": ("75", "45", "03"), "05.1": COAL, "05.2": COAL}


@dataclass
class Structure:
    """Organisations by region and by OKVED2 code (section letter, or a division or group the
    export breaks out) in ``year``; ``country`` sums the subjects (not the complex ones)."""

    year: int
    counts: dict[str, dict[str, float]]  # region → code → organisations
    country: dict[str, float]  # code → organisations of all subjects
    sections: dict[str, str]  # OKVED2 division → section letter
    _known: dict[tuple[str, str], bool] = field(default_factory=dict, repr=False, compare=False)
    _zeros: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    def total(self, region: str) -> float:
        """The region's organisations in all sections (0 when the export lacks the region)."""
        return sum(v for k, v in self.counts.get(region, {}).items() if k in SECTIONS)

    def share(self, region: str, section: str) -> float:
        """The region's share of the country's organisations in ``section`` (a letter)."""
        national = self.country.get(section, 0)
        return self.counts.get(region, {}).get(section, 0) / national if national else 0.0

    def present(self, region: str, okved: str) -> bool:
        """False where the real data says the region has no such activity: a zero count of the
        section or of a division or group containing ``okved``, or a resource found elsewhere.
        A region the export lacks (Crimea, Sevastopol) is judged by the resources only."""
        key = region, okved
        if key not in self._known:
            bound = next((r for c, r in RESOURCE_BOUND.items() if okved.startswith(c)), None)
            if region not in self._zeros:
                counts = self.counts.get(region, {})
                self._zeros[region] = tuple(c for c, v in counts.items() if not v)
            self._known[key] = (bound is None or region in bound) and not (
                self.sections[okved[:2]] in self._zeros[region]
                or any(okved.startswith(z) for z in self._zeros[region])
            )
        return self._known[key]


SECTIONS = frozenset("ABCDEFGHIJKLMNOPQRSTU")


def read_structure(session: Session) -> Structure:
    """The shipped export's latest year with sections, for the subjects of the reference."""
    with SHIPPED.open(encoding="utf-8", newline="") as f:
        rows = list(enumerate(csv.reader(f), start=1))
    export = parse(rows, Territories(session), Activities(session))
    figures = [
        f
        for f in export.figures
        if f.ownership.startswith(OWNERSHIP) and f.region_code.isdigit() and f.okved_code != "TOTAL"
    ]
    year = max(f.year for f in figures if f.okved_code in SECTIONS)
    counts: dict[str, dict[str, float]] = {}
    country: dict[str, float] = {}
    for f in figures:
        if f.year == year:
            counts.setdefault(f.region_code, {})[f.okved_code] = f.value
            country[f.okved_code] = country.get(f.okved_code, 0) + f.value
    sections = dict(
        session.execute(select(Okved.code, Okved.section).where(Okved.level == 1)).all()
    )
    return Structure(year, counts, country, sections)
