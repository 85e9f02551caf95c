"""Scoring a candidate partner of a posting: product closeness, distance, capacity and
membership, each with its reason in Russian; pure functions, no database.

Ranking: members of a cluster the posting's party belongs to first, then the posting's region,
then elsewhere; inside each tier by score (0…1), the weighted sum of product closeness (same
code, same OKPD2 class, neighbouring group, fitting OKVED2 activity, plus words shared by the
product names), nearness (1 / (1 + km / 250), haversine between enterprise, city or region
coordinates), declared capacity against the demanded volume, and membership."""

from dataclasses import dataclass, field
from functools import lru_cache

from promcluster.geo import haversine_km
from promcluster.labels import MATCH_PARTIES, MATCH_REASONS, MATCH_SOURCES
from promcluster.matching.text import lemmas
from promcluster.reference.levels import DEFAULT_LEVEL, PREFIX, group_of
from promcluster.russian import amount, percent

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
SOURCE_ORDER = ("offer", "need", "produces", "consumes", "activity")


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


@lru_cache(maxsize=50_000)
def terms_of(product: str | None) -> frozenset[str]:
    """The lemma set of a product name as written, without synonyms, so that the words the
    explanation says are shared are the names' own (kept: names recur across candidates)."""
    return frozenset(lemmas(product))


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
    return share, MATCH_REASONS["capacity_part"].format(share=percent(share, 0), **words)


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
        overlap, words = text_overlap(target.terms, terms_of(evidence.product))
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
