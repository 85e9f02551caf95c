"""Indicators of clusters and regions as of a date, computed from records with aggregate SQL, each
with its date, its basis and the figures documents declare for the same indicator.

One function per formula; each reads many clusters (or regions) at once, keyed by cluster id or
region code, so that a rating costs the same few queries as one cluster's page."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster import labels
from promcluster.chains.graph import purchases
from promcluster.chains.models import Chain
from promcluster.errors import NotFound
from promcluster.indicators import aggregates
from promcluster.indicators.scope import Level
from promcluster.records import get
from promcluster.reference.models import Region
from promcluster.registry.models import Cluster, DeclaredFigure, cluster_region
from promcluster.russian import number, plural

INVESTMENT_STAGES = {  # indicator → project statuses it sums
    "investment_planned": ("idea", "planned"),
    "investment_in_progress": ("in_progress",),
    "investment_done": ("done",),
}
UNITS = {  # indicator → unit (``share`` is a fraction 0…1)
    "members": "count",
    "applicants": "count",
    "potential": "count",
    "employees": "persons",
    "revenue": "rub",
    "sme_share": "share",
    "projects": "count",
    "project_amount": "rub",
    **dict.fromkeys(INVESTMENT_STAGES, "rub"),
    "cooperation_share": "share",
    "outside_share": "share",
    "import_share": "share",
    "clusters": "count",
}
CLUSTER_KEYS = tuple(k for k in UNITS if k != "clusters")
REGION_KEYS = ("clusters", *CLUSTER_KEYS)


@dataclass(frozen=True)
class Declared:
    """A figure a document states for an indicator, with where it comes from."""

    indicator: str
    value: float
    qualifier: str | None
    unit: str
    as_of: date | None
    period_end: int | None
    quote: str | None
    source_key: str
    source_title: str
    source_publisher: str | None
    source_url: str | None
    source_date: str | None  # the publication date, or the source's note about it
    scope: str | None = None  # the chain or cluster it is declared for, when not the page's own


@dataclass
class Indicator:
    """One computed indicator: value, unit, date or year, basis and the declared figures."""

    key: str
    value: float | None
    unit: str
    as_of: date | None
    year: int | None
    basis: str  # a key of ``labels.INDICATOR_BASES``
    known: int | None = None
    total: int | None = None
    parts: dict[str, float] = field(default_factory=dict)
    declared: list[Declared] = field(default_factory=list)

    @property
    def label(self) -> str:
        return labels.INDICATOR_NAMES.get(self.key) or labels.INDICATORS.get(self.key, self.key)

    @property
    def basis_text(self) -> str:
        total = self.total or 0
        return labels.INDICATOR_BASES[self.basis].format(
            known=number(self.known),
            total=number(self.total),
            participants=plural(total, "участник", "gent"),
            projects=plural(total, "проект", "gent"),
            year=self.year or "—",
        )


@dataclass
class Indicators:
    """All indicators of one cluster or region on ``as_of``."""

    level: Level
    key: int | str
    name: str
    as_of: date
    items: dict[str, Indicator]
    roles: dict[str, int]
    project_statuses: dict[str, int]
    cluster_statuses: dict[str, int] = field(default_factory=dict)
    other_declared: list[Declared] = field(default_factory=list)

    def __getitem__(self, key: str) -> Indicator:
        return self.items[key]

    @property
    def declared(self) -> list[Declared]:
        """Every declared figure shown with these indicators."""
        return [d for i in self.items.values() for d in i.declared] + self.other_declared


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def compute(session: Session, level: Level, keys: list, as_of: date) -> dict[object, dict]:
    """Every indicator of every key: ``{key: {indicator: Indicator}}`` (no declared figures)."""
    counts = aggregates.counts(session, level, keys, as_of)
    firms = aggregates.firms(session, level, keys, as_of)
    projects = aggregates.projects(session, level, keys)
    coop = aggregates.cooperation_figures(session, level, keys, as_of)
    ids = aggregates.participant_ids(session, level, keys, as_of)
    statuses = aggregates.cluster_statuses(session, level, keys) if level == "region" else {}
    today = date.today()
    found = {}
    for key in keys:
        items: dict[str, Indicator] = {}
        c = counts.get(key, {})
        n, emp, emp_known, rev, rev_known, sme, sme_known = firms.get(key, (0,) * 7)
        for k in ("members", "applicants", "potential"):
            items[k] = Indicator(k, c.get(k, 0), "count", as_of, None, "memberships")
        items["employees"] = Indicator(
            "employees", emp if emp_known else None, "persons", as_of, None,
            "participants_known", emp_known, n,
        )  # fmt: skip
        items["revenue"] = Indicator(
            "revenue", rev if rev_known else None, "rub", as_of, None, "participants_known",
            rev_known, n,
        )  # fmt: skip
        items["sme_share"] = Indicator(
            "sme_share", _share(sme, sme_known), "share", as_of, None, "sme_known", sme_known, n,
            parts={"sme": sme},
        )  # fmt: skip
        items.update(_project_items(projects.get(key, {}), today))
        items.update(_supply_items(session, coop.get(key), ids.get(key, []), as_of))
        if level == "region":
            total = sum(statuses.get(key, {}).values())
            items["clusters"] = Indicator("clusters", total, "count", today, None, "clusters")
        found[key] = items
    return found


def _project_items(by_status: dict, today: date) -> dict[str, Indicator]:
    def total(statuses) -> tuple[int, int, int]:
        rows = [by_status[s] for s in statuses if s in by_status]
        return tuple(sum(r[i] for r in rows) for i in range(3))  # type: ignore[return-value]

    n, known, amount = total(labels.PROJECT_STATUSES)
    items = {
        "projects": Indicator("projects", n, "count", today, None, "projects"),
        "project_amount": Indicator(
            "project_amount", amount if known else None, "rub", today, None, "amounts_known",
            known, n,
        ),
    }  # fmt: skip
    for key, statuses in INVESTMENT_STAGES.items():
        n, known, amount = total(statuses)
        items[key] = Indicator(
            key, amount if known else None, "rub", today, None, "amounts_known", known, n
        )
    return items


def _supply_items(
    session: Session, coop: tuple | None, ids: list[int], as_of: date
) -> dict[str, Indicator]:
    year, inside, bought, n = coop or (None, 0, 0, len(ids))
    items = {
        "cooperation_share": Indicator(
            "cooperation_share", _share(inside, bought), "share", as_of, year,
            "cooperation" if year else "no_supplies",
            None, n, parts={"inside": inside, "purchases": bought},
        )
    }  # fmt: skip
    p = purchases(session, ids)
    year = aggregates.line_year(session, ids) if p.lines else None
    for key, value in (("outside_share", p.outside_share), ("import_share", p.import_share)):
        items[key] = Indicator(
            key, value, "share", as_of, year, "consumption_lines", p.lines - p.unknown_shares,
            p.lines, parts={"total": p.total, "outside": p.outside, "imported": p.imported},
        )  # fmt: skip
    return items


def _declared(figure: DeclaredFigure, scope_name: str | None = None) -> Declared:
    s = figure.source
    when = s.published_on.strftime("%d.%m.%Y") if s.published_on else s.date_note
    return Declared(
        figure.indicator, figure.value, figure.qualifier, figure.unit, figure.as_of,
        figure.period_end, figure.quote, s.key, s.title, s.publisher, s.url, when, scope_name,
    )  # fmt: skip


def _attach(result: Indicators, figures: list[Declared]) -> Indicators:
    for d in figures:
        if d.indicator in result.items:
            result.items[d.indicator].declared.append(d)
        else:
            result.other_declared.append(d)
    return result


def _indicators(session: Session, level: Level, key, name: str, as_of: date) -> Indicators:
    by_status = aggregates.projects(session, level, [key]).get(key, {})
    return Indicators(
        level,
        key,
        name,
        as_of,
        compute(session, level, [key], as_of)[key],
        roles=aggregates.roles(session, level, [key], as_of).get(key, {}),
        project_statuses={s: v[0] for s, v in by_status.items()},
        cluster_statuses=(
            aggregates.cluster_statuses(session, level, [key]).get(key, {})
            if level == "region"
            else {}
        ),
    )


def declared_for(session: Session, level: Level, key) -> list[Declared]:
    """Declared figures of a cluster (its own, then its chains', named by the chain) or of a
    region (its own, then its clusters', named by the cluster)."""
    if level == "cluster":
        rows = session.execute(
            select(DeclaredFigure, Chain.name)
            .outerjoin(Chain, Chain.id == DeclaredFigure.chain_id)
            .where(DeclaredFigure.cluster_id == key)
            .order_by(DeclaredFigure.chain_id.is_not(None), DeclaredFigure.id)
        )
        return [_declared(f, chain) for f, chain in rows]
    r = cluster_region.c
    rows = session.execute(
        select(DeclaredFigure, Cluster.name)
        .outerjoin(Cluster, Cluster.id == DeclaredFigure.cluster_id)
        .where(
            (DeclaredFigure.region_code == key)
            | DeclaredFigure.cluster_id.in_(select(r.cluster_id).where(r.region_code == key))
        )
        .where(DeclaredFigure.chain_id.is_(None))
        .order_by(DeclaredFigure.cluster_id.is_not(None), DeclaredFigure.id)
    )
    return [_declared(f, cluster) for f, cluster in rows]


def cluster_indicators(session: Session, cluster_id: int, as_of: date | None = None) -> Indicators:
    """The indicators of one cluster on ``as_of`` (today by default) with declared figures."""
    cluster = get(session, Cluster, cluster_id)
    result = _indicators(session, "cluster", cluster_id, cluster.name, as_of or date.today())
    return _attach(result, declared_for(session, "cluster", cluster_id))


def region(session: Session, code: str) -> Region:
    """The region ``code`` or NotFound."""
    found = session.get(Region, code)
    if found is None:
        raise NotFound(f"регион с кодом {code} не найден")
    return found


def region_indicators(session: Session, code: str, as_of: date | None = None) -> Indicators:
    """The indicators of a region summed over its clusters (each enterprise counted once),
    with the region's declared figures and its clusters'."""
    name = region(session, code).name
    result = _indicators(session, "region", code, name, as_of or date.today())
    return _attach(result, declared_for(session, "region", code))
