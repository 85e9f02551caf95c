"""Candidate partners of a posting: suppliers for a need, buyers for an offer, ranked with a score
and a readable explanation.

Ranking: members of a cluster the posting's party belongs to first, then the posting's region,
then elsewhere; inside each tier by score (0…1), the weighted sum of product closeness (same
code, same OKPD2 class, neighbouring group, fitting OKVED2 activity, plus words shared by the
product names), nearness (1 / (1 + km / 250), haversine between enterprise, city or region
coordinates), declared capacity against the demanded volume, and membership.

The scoring below is pure; the queries at the end collect a bounded pool per source and tier with
indexed code-range conditions (OKPD2 group ``XX.X`` of the posting, or the OKVED2 group that the
niche module maps it to), so nothing scans a whole table."""

import math
from dataclasses import dataclass, field

from sqlalchemy import Select, and_, case, select
from sqlalchemy.orm import Session

from promcluster.labels import MATCH_PARTIES, MATCH_REASONS, MATCH_SOURCES
from promcluster.matching.models import Need, Offer
from promcluster.matching.text import index_terms
from promcluster.niches.demand import group_of
from promcluster.niches.outlook import DEFAULT_LEVEL, PREFIX
from promcluster.reference.models import City, Okpd, Region
from promcluster.registry import maps
from promcluster.registry.models import Cluster, Enterprise, Membership, ProductLine

WEIGHTS = {"product": 0.5, "distance": 0.2, "capacity": 0.2, "member": 0.1}
CLOSENESS = {
    "same_code": 1.0,
    "narrower": 0.9,
    "same_group": 0.75,
    "near_group": 0.5,
    "activity": 0.45,
    "text": 0.2,
}
TEXT_BONUS = 0.25
DISTANCE_SCALE_KM = 250.0
CAPACITY_UNKNOWN, CAPACITY_OTHER_UNITS = 0.4, 0.3
TOP = 20
POOL = 150  # rows read per source and tier
EARTH_KM = 6371.0
SOURCE_ORDER = ("offer", "need", "produces", "consumes", "activity")


# --- pure scoring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """The posting being matched: what, how much, where, and who its party's co-members are."""

    side: str  # "supplier": we look for suppliers of a need; "buyer": buyers for an offer
    code: str | None
    terms: frozenset[str]
    volume: float | None
    unit: str | None
    region_code: str
    point: tuple[float, float]
    group_names: dict[str, str] = field(default_factory=dict)  # OKPD2 code → name
    members: dict[int, str] = field(default_factory=dict)  # enterprise id → shared cluster


@dataclass
class Evidence:
    """One reason to consider a party: an offer, a need, a product line, or its activity."""

    source: str
    ref_id: int | None
    code: str | None
    product: str | None = None
    volume: float | None = None
    unit: str | None = None


@dataclass
class Party:
    """A candidate partner with where it is and what speaks for it."""

    key: str
    enterprise_id: int | None
    name: str
    region_code: str
    region_name: str
    point: tuple[float, float]
    precision: str
    synthetic: bool = False
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Candidate:
    """A ranked partner: tier, score and the explanation, in Russian, of both."""

    enterprise_id: int | None
    name: str
    region_code: str
    region_name: str
    tier: int
    score: float
    distance_km: float
    closeness: float
    capacity: float | None
    unit: str | None
    member_of: str | None
    sources: list[str]
    reasons: list[str]
    offer_id: int | None = None
    need_id: int | None = None
    synthetic: bool = False


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in kilometres between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def amount(value: float) -> str:
    """``12500`` → ``12 500``, ``2.5`` → ``2,5`` (as the pages print numbers)."""
    digits = 0 if value == int(value) or abs(value) >= 100 else 1
    return f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")


UNIT_SYNONYMS = {"тонна": "т", "тонн": "т", "тн": "т", "штук": "шт", "штука": "шт", "м³": "м3"}


def same_unit(a: str | None, b: str | None) -> bool:
    """Whether two units are spelt alike (case, dots, spaces and a few synonyms ignored)."""

    def plain(u: str) -> str:
        u = u.casefold().replace(" ", "").rstrip(".")
        return UNIT_SYNONYMS.get(u, u)

    return a is not None and b is not None and plain(a) == plain(b)


def text_overlap(a: frozenset[str], b: frozenset[str]) -> tuple[float, list[str]]:
    """Jaccard similarity of two lemma sets (words of three letters or more) and the shared ones."""
    a = frozenset(w for w in a if len(w) > 2 and not w.isdigit())
    b = frozenset(w for w in b if len(w) > 2 and not w.isdigit())
    shared = sorted(a & b)
    return (len(shared) / len(a | b) if shared else 0.0), shared


def product_closeness(target: Target, evidence: Evidence) -> tuple[float, str]:
    """How close the evidence's product is to the target's, and the reason in words."""
    code, wanted = evidence.code, target.code
    if evidence.source == "activity":
        group = group_of(wanted or "")
        return CLOSENESS["activity"], MATCH_REASONS["activity"].format(
            code=code, group=group[: PREFIX[DEFAULT_LEVEL]]
        )
    if code and wanted:
        if code == wanted:
            return CLOSENESS["same_code"], MATCH_REASONS["same_code"].format(code=code)
        if code.startswith(wanted) or wanted.startswith(code):
            return CLOSENESS["narrower"], MATCH_REASONS["narrower"].format(code=code)
        group = group_of(wanted)
        if len(group) == 5 and group_of(code) == group:
            name = target.group_names.get(group, "")
            return CLOSENESS["same_group"], MATCH_REASONS["same_group"].format(
                group=group, name=name
            )
        if code[:4] == wanted[:4]:
            name = target.group_names.get(wanted[:4], "")
            return CLOSENESS["near_group"], MATCH_REASONS["near_group"].format(
                group=wanted[:4], name=name
            )
    return CLOSENESS["text"], ""


def capacity_fit(
    supply: float | None, supply_unit: str | None, demand: float | None, demand_unit: str | None
) -> tuple[float, str]:
    """How much of the demand a declared yearly volume covers (0…1) and the reason in words."""
    if supply is None or demand is None or demand <= 0:
        return CAPACITY_UNKNOWN, MATCH_REASONS["capacity_unknown"]
    if not same_unit(supply_unit, demand_unit):
        return CAPACITY_OTHER_UNITS, MATCH_REASONS["capacity_units"].format(
            supply_unit=supply_unit or "не указаны", demand_unit=demand_unit or "не указаны"
        )
    share = supply / demand
    words = {"supply": amount(supply), "demand": amount(demand), "unit": demand_unit}
    if share >= 1:
        return 1.0, MATCH_REASONS["capacity_full"].format(**words)
    return share, MATCH_REASONS["capacity_part"].format(share=round(share * 100), **words)


def _capacity_evidence(party: Party) -> Evidence | None:
    """The evidence whose volume stands for the party's capacity or demand (postings first)."""
    with_volume = [e for e in party.evidence if e.volume is not None]
    with_volume.sort(key=lambda e: SOURCE_ORDER.index(e.source))
    return with_volume[0] if with_volume else None


def distance_reason(target: Target, party: Party, km: float) -> str:
    text = (
        MATCH_REASONS["same_region"].format(km=amount(round(km)))
        if party.region_code == target.region_code
        else MATCH_REASONS["other_region"].format(region=party.region_name, km=amount(round(km)))
    )
    return text + (MATCH_REASONS["by_centre"] if party.precision == "region" else "")


def source_label(evidence: Evidence) -> str:
    return MATCH_SOURCES[evidence.source].format(id=evidence.ref_id, code=evidence.code)


def score(target: Target, party: Party) -> Candidate:
    """The candidate that ``party`` makes for ``target``: tier, score, explanation."""
    closeness, reason, best = 0.0, "", party.evidence[0]
    bonus, shared = 0.0, []
    for evidence in party.evidence:
        level, why = product_closeness(target, evidence)
        overlap, words = text_overlap(target.terms, frozenset(index_terms(evidence.product)))
        if level + TEXT_BONUS * overlap > closeness + TEXT_BONUS * bonus:
            closeness, reason, best, bonus, shared = level, why, evidence, overlap, words
    product = min(1.0, closeness + TEXT_BONUS * bonus)
    km = haversine_km(target.point, party.point)
    held = _capacity_evidence(party)
    if target.side == "supplier":  # the party supplies, the need demands
        fit, fit_reason = capacity_fit(
            held and held.volume, held and held.unit, target.volume, target.unit
        )
    else:  # the offer supplies, the party demands
        fit, fit_reason = capacity_fit(
            target.volume, target.unit, held and held.volume, held and held.unit
        )
    cluster = target.members.get(party.enterprise_id) if party.enterprise_id else None
    parts = {
        "product": product,
        "distance": 1 / (1 + km / DISTANCE_SCALE_KM),
        "capacity": fit,
        "member": 1.0 if cluster else 0.0,
    }
    reasons = [r for r in (reason,) if r]
    if shared:
        reasons.append(MATCH_REASONS["text"].format(words=", ".join(shared[:4])))
    if cluster:
        party_word = MATCH_PARTIES[target.side]
        reasons.append(MATCH_REASONS["member"].format(cluster=cluster, party=party_word))
    reasons += [distance_reason(target, party, km), fit_reason]
    tier = 0 if cluster else 1 if party.region_code == target.region_code else 2
    offers = [e.ref_id for e in party.evidence if e.source == "offer"]
    needs = [e.ref_id for e in party.evidence if e.source == "need"]
    return Candidate(
        enterprise_id=party.enterprise_id,
        name=party.name,
        region_code=party.region_code,
        region_name=party.region_name,
        tier=tier,
        score=round(sum(WEIGHTS[k] * v for k, v in parts.items()), 4),
        distance_km=round(km, 1),
        closeness=round(product, 4),
        capacity=held.volume if held else None,
        unit=held.unit if held else None,
        member_of=cluster,
        sources=[source_label(e) for e in _ordered(party.evidence, best)],
        reasons=reasons,
        offer_id=offers[0] if offers else None,
        need_id=needs[0] if needs else None,
        synthetic=party.synthetic,
    )


def _ordered(evidence: list[Evidence], best: Evidence) -> list[Evidence]:
    return [best, *(e for e in evidence if e is not best)]


def rank(target: Target, parties: list[Party], limit: int = TOP) -> list[Candidate]:
    """The best ``limit`` candidates: members, then the region, then elsewhere; by score."""
    found = [score(target, p) for p in parties if p.evidence]
    if target.code is None:  # matched by words only: keep those that share some
        found = [c for c in found if c.closeness > CLOSENESS["text"]]
    found.sort(key=lambda c: (c.tier, -c.score, c.distance_km, c.name))
    return found[:limit]


# --- queries -----------------------------------------------------------------------------------


def code_range(column, prefix: str):
    """``column`` starts with ``prefix``, written as a range that a B-tree index serves."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < upper, column.startswith(prefix, autoescape=True))


def supplier_candidates(session: Session, need: Need, limit: int = TOP) -> list[Candidate]:
    """Suppliers for ``need``: open offers, producers of the product, firms whose activity fits."""
    target = _target(session, "supplier", need, need.customer_id)
    exclude = need.customer_id
    prefix = need.okpd2_code[:4] if need.okpd2_code else None
    parties: dict[str, Party] = {}
    offers = maps.located(
        Offer.id.label("ref_id"), Offer.okpd2_code.label("code"),
        Offer.product_name.label("product"), Offer.volume, Offer.unit, Enterprise.region_code,
    ).join(Offer, Offer.supplier_id == Enterprise.id).where(Offer.status == "open")  # fmt: skip
    if prefix is None:  # no code: open offers read by their words only, the newest first
        rows = session.execute(offers.order_by(Offer.id.desc()).limit(POOL * 4))
        _collect(parties, "offer", rows, exclude)
        return rank(target, list(parties.values()), limit)
    scopes = _scopes(session, target)
    offers = offers.where(code_range(Offer.okpd2_code, prefix))
    _collect(parties, "offer", scopes(offers, Offer.okpd2_code, need.okpd2_code), exclude)
    lines = _lines("produces", prefix)
    _collect(parties, "produces", scopes(lines, ProductLine.okpd2_code, need.okpd2_code), exclude)
    activity = group_of(need.okpd2_code)[: PREFIX[DEFAULT_LEVEL]]
    firms = maps.located(
        Enterprise.okved_main.label("code"), Enterprise.region_code
    ).where(code_range(Enterprise.okved_main, activity))  # fmt: skip
    _collect(parties, "activity", scopes(firms, None, None, Enterprise.employees), exclude)
    return rank(target, list(parties.values()), limit)


def buyer_candidates(session: Session, offer: Offer, limit: int = TOP) -> list[Candidate]:
    """Buyers for ``offer``: open needs and consumption lines of the product."""
    target = _target(session, "buyer", offer, offer.supplier_id)
    parties: dict[str, Party] = {}
    need_rows = _needs(offer.okpd2_code[:4] if offer.okpd2_code else None)
    _collect_needs(parties, session.execute(need_rows), offer.supplier_id)
    if offer.okpd2_code:
        scopes = _scopes(session, target)
        lines = _lines("consumes", offer.okpd2_code[:4])
        rows = scopes(lines, ProductLine.okpd2_code, offer.okpd2_code)
        _collect(parties, "consumes", rows, offer.supplier_id)
    return rank(target, list(parties.values()), limit)


def _target(session: Session, side: str, posting: Need | Offer, party_id: int | None) -> Target:
    code = posting.okpd2_code
    names = {}
    if code:
        wanted = {group_of(code), code[:4]}
        names = dict(
            session.execute(select(Okpd.code, Okpd.name).where(Okpd.code.in_(wanted))).all()
        )
    point = (posting.region.lat, posting.region.lon)
    if party_id is not None:
        party = session.get(Enterprise, party_id)
        if party is not None and party.region_code == posting.region_code:
            p = maps.enterprise_point(party)
            point = (p["lat"], p["lon"])
    return Target(
        side=side,
        code=code,
        terms=frozenset(index_terms(posting.product_name)),
        volume=posting.volume,
        unit=posting.unit,
        region_code=posting.region_code,
        point=point,
        group_names=names,
        members=_co_members(session, party_id),
    )


def _co_members(session: Session, enterprise_id: int | None) -> dict[int, str]:
    """Members of the clusters where ``enterprise_id`` is a member, with one shared cluster."""
    if enterprise_id is None:
        return {}
    own = select(Membership.cluster_id).where(
        Membership.enterprise_id == enterprise_id, Membership.status == "member"
    )
    rows = session.execute(
        select(Membership.enterprise_id, Cluster.name)
        .join(Cluster, Cluster.id == Membership.cluster_id)
        .where(Membership.cluster_id.in_(own), Membership.status == "member")
        .order_by(Cluster.name)
    )
    found: dict[int, str] = {}
    for member, name in rows:
        found.setdefault(member, name)
    found.pop(enterprise_id, None)
    return found


def _scopes(session: Session, target: Target):
    """A reader of one source in three tiers: co-members, the region, the nearest elsewhere;
    each ordered by closeness of the code (when given) and capped at ``POOL`` rows."""
    centres = session.execute(select(Region.code, Region.lat, Region.lon)).all()
    by_distance = sorted(centres, key=lambda r: haversine_km(target.point, (r.lat, r.lon)))
    nearest = case({r.code: i for i, r in enumerate(by_distance)}, value=Enterprise.region_code)

    def read(query: Select, code_column, code: str | None, size=None) -> list:
        order = []
        if code_column is not None and code:
            order.append(case((code_column == code, 0), (code_column.startswith(code), 1), else_=2))
            order.append(case((code_column.startswith(group_of(code)), 0), else_=1))
        larger = [size.desc().nulls_last()] if size is not None else []
        rows = []
        if target.members:
            members = query.where(Enterprise.id.in_(list(target.members)))
            rows += session.execute(members.order_by(*order, *larger, Enterprise.id).limit(POOL))
        region = query.where(Enterprise.region_code == target.region_code)
        rows += session.execute(region.order_by(*order, *larger, Enterprise.id).limit(POOL))
        elsewhere = query.where(Enterprise.region_code != target.region_code)
        rows += session.execute(
            elsewhere.order_by(*order, nearest, *larger, Enterprise.id).limit(POOL)
        )
        return rows

    return read


def _lines(direction: str, prefix: str) -> Select:
    return (
        maps.located(
            ProductLine.id.label("ref_id"), ProductLine.okpd2_code.label("code"),
            ProductLine.name.label("product"), ProductLine.volume, ProductLine.unit,
            Enterprise.region_code,
        )
        .join(ProductLine, ProductLine.enterprise_id == Enterprise.id)
        .where(ProductLine.direction == direction, code_range(ProductLine.okpd2_code, prefix))
    )  # fmt: skip


def _collect(parties: dict[str, Party], source: str, rows, exclude: int | None) -> None:
    for x in rows:
        if x.id == exclude:
            continue
        key = f"e{x.id}"
        if key not in parties:
            lat, lon, precision = maps.placed(
                (x.lat, x.lon), (x.city_lat, x.city_lon), (x.region_lat, x.region_lon)
            )
            parties[key] = Party(
                key, x.id, x.name, x.region_code, x.region, (lat, lon), precision, x.is_synthetic
            )
        party = parties[key]
        ref = getattr(x, "ref_id", None)
        if any(e.source == source and e.ref_id == ref for e in party.evidence):
            continue  # the same row read in two tiers
        if source == "activity" and party.evidence:
            continue  # already there for its products
        party.evidence.append(
            Evidence(
                source,
                ref,
                x.code,
                getattr(x, "product", None),
                getattr(x, "volume", None),
                getattr(x, "unit", None),
            )
        )


def _needs(prefix: str | None) -> Select:
    """Open needs under an OKPD2 prefix (or all open needs, newest first, without one)."""
    e, c, r = Enterprise.__table__, City.__table__, Region.__table__
    query = (
        select(
            Need.id.label("ref_id"), Need.okpd2_code.label("code"),
            Need.product_name.label("product"), Need.volume, Need.unit, Need.region_code,
            Need.customer_id, Need.customer_name, e.c.name, e.c.region_code.label("home"),
            e.c.lat, e.c.lon, e.c.is_synthetic, c.c.lat.label("city_lat"),
            c.c.lon.label("city_lon"), r.c.lat.label("region_lat"), r.c.lon.label("region_lon"),
            r.c.name.label("region"),
        )
        .select_from(Need)
        .join(r, r.c.code == Need.region_code)
        .outerjoin(e, e.c.id == Need.customer_id)
        .outerjoin(c, c.c.id == e.c.city_id)
        .where(Need.status == "open")
    )  # fmt: skip
    if prefix is not None:
        return query.where(code_range(Need.okpd2_code, prefix)).limit(POOL * 4)
    return query.order_by(Need.id.desc()).limit(POOL * 4)


def _collect_needs(parties: dict[str, Party], rows, exclude: int) -> None:
    """Each need's customer is a party; a need placed away from its customer's region is placed
    at that region's centre."""
    for x in rows:
        if x.customer_id == exclude:
            continue
        at_home = x.customer_id is not None and x.home == x.region_code
        own = (x.lat, x.lon) if at_home else (None, None)
        city = (x.city_lat, x.city_lon) if at_home else (None, None)
        lat, lon, precision = maps.placed(own, city, (x.region_lat, x.region_lon))
        key = f"e{x.customer_id}" if x.customer_id is not None else f"n{x.ref_id}"
        if key not in parties:
            parties[key] = Party(
                key, x.customer_id, x.name or x.customer_name or "—", x.region_code, x.region,
                (lat, lon), precision, bool(x.is_synthetic),
            )  # fmt: skip
        parties[key].evidence.append(
            Evidence("need", x.ref_id, x.code, x.product, x.volume, x.unit)
        )
