"""A SYNTHETIC supplement to the demo data: the seed articles name about fifteen organisations and
no figures per firm, which is too little for niches (RCA, proximity, density need a regions ×
activities structure) and for the Tyumen (72) and Leningrad (47) chains.

Everything written here is invented and labelled so: each enterprise has ``is_synthetic=True``, a
name "Синтетическое предприятие №N (демо)", a description starting "Синтетические
демонстрационные данные", and no INN or OGRN (identifiers are never invented); product lines,
supplies and needs belong only to such enterprises. What is real: the 85 regions, their cities
(the number of firms of a region is proportional to its urban population, the sum of
``cities.population``, with a floor of ``MIN_PER_REGION``) and the OKVED2 / OKPD2 codes.

Regions differ by a latent model: each region holds some "capabilities" (families of related
divisions), so related activities co-locate; a few divisions are common everywhere. The same seed
gives the same rows; they are written with Core bulk inserts (a few seconds on either database).
"""

import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster.auth.audit import SYSTEM, record_bulk
from promcluster.chains import service as chains
from promcluster.chains.models import Chain
from promcluster.db import insert_rows
from promcluster.demo.loader import DemoReport, demo_data
from promcluster.demo.structure import Structure, read_structure
from promcluster.matching import documents
from promcluster.reference.models import City, Okpd, Okved, Region
from promcluster.registry import service as registry
from promcluster.registry.models import Enterprise, InvestmentProject, ProductLine, search_key
from promcluster.registry.models import cluster_region as regions

FIRMS, MIN_PER_REGION, YEAR = 15_000, 30, 2024
KM_PER_DEGREE = 111.2
# The demo's two cluster regions get a registry large enough for candidate producers to show
# (oversampled: the share limits below allow for it).
FOCUS_REGIONS = {"72": 1_000, "47": 1_000}
NAME = "Синтетическое предприятие №{} (демо)"
DESCRIPTION = (
    "Синтетические демонстрационные данные: предприятие придумано для показа платформы, ИНН и "
    "ОГРН нет; вид деятельности, город, координаты, численность и выручка по годам, продукция и "
    "поставки сгенерированы."
)
NEED_NOTE = "Синтетические демонстрационные данные: потребность сгенерирована для показа платформы."
# Sections weighed by Rosstat's organisations per region; industry (B–E) INDUSTRY times, in every
# region alike (so location quotients between regions stay Rosstat's); O, T, U not drawn.
INDUSTRY, SKIPPED_SECTIONS = 6.0, {"O", "T", "U"}
SKIPPED_DIVISIONS = {"84", "94", "97", "98", "99"}  # administration, associations, households
# A region's share of the country's synthetic firms (and headcount) in an OKVED2 class is at most
# SPECIALISATION × its real share of the class's section × its oversampling, and SHARE_LIMIT;
# a class with fewer than MIN_CLASS_FIRMS firms in the country is not kept.
SPECIALISATION, SHARE_LIMIT, MIN_CLASS_FIRMS = 3.0, 0.5, 10
FIT, FIT_ROUNDS = 0.6, 12  # the expected firms aim below the limit (random draws scatter)
FAMILIES = (  # divisions sharing capabilities
    ("01", "02", "03", "10", "11", "12"),
    ("05", "06", "07", "08", "09", "19"),
    ("19", "20", "21", "22"),
    ("08", "16", "23", "25", "41", "42"),
    ("24", "25", "28", "29", "30", "33"),
    ("26", "27", "28", "61", "62", "63", "72"),
    ("13", "14", "15"),
    ("02", "16", "17", "18", "31"),
)
# Industries named for a region beyond the seed clusters' specialisations and chain products
# (read from seeds.json): the Tyumen oil and gas cluster the seed article names (oil and gas
# services, refining), Tobolsk's polymer site (SIBUR ZapSibNeftekhim: plastics in primary forms),
# and the country's main oil (Khanty-Mansi) and gas (Yamalo-Nenets) producing okrugs.
NAMED = {
    "72": ("09.10", "19.20", "20.16", "08.12", "25.11"),
    "86": ("06.10", "09.10"),
    "89": ("06.20", "09.10"),
}
NAMED_BOOST = 6.0
SITES = {("72", "20.1"): "Тобольск"}  # region, OKVED2 prefix → the town its firms are in
ABSENT = {"72": ("20.30", "22.21", "28.29"), "47": ("20.14", "20.59", "20.13")}
SUPPLIER_REGIONS = ("77", "50", "78", "66", "74", "16", "02", "55", "63", "52")
PRODUCING = {f"{d:02d}" for d in range(5, 34)}  # mining (sand, gravel) and manufacturing
# Inputs of each cluster's chains: OKPD2 code, name, unit, price per unit (roubles), typical import
# share, divisions of the firms that buy it.
CHAIN_INPUTS = {
    "72": (
        ("23.51.12", "Цемент общестроительный", "т", 7_000, 0.0, ("23", "41", "42", "43")),
        ("08.12.11", "Песок строительный", "т", 600, 0.0, ("23", "41", "42")),
        ("08.12.12", "Щебень и гравий", "т", 1_500, 0.0, ("23", "41", "42")),
        ("23.99.19", "Керамзит и минеральные заполнители", "м3", 3_500, 0.0, ("23",)),
        ("20.16.20", "Полистирол в первичных формах", "т", 180_000, 0.35, ("22", "20")),
        ("20.16.10", "Полиэтилен в первичных формах", "т", 150_000, 0.25, ("22",)),
        ("20.12.24", "Пигменты железооксидные", "т", 250_000, 0.6, ("23", "20")),
        ("20.30.11", "Краски акриловые фасадные", "т", 300_000, 0.3, ("41", "43", "25", "23")),
        ("22.21.30", "Плёнки и геомембраны полимерные", "т", 200_000, 0.3, ("42", "43", "22")),
        ("24.10.62", "Прокат арматурный", "т", 70_000, 0.05, ("23", "25", "41", "42")),
        ("25.11.23", "Металлоконструкции строительные", "т", 150_000, 0.0, ("41", "42", "43")),
        ("28.29.12", "Оборудование для очистки жидкостей", "шт", 1_500_000, 0.5, ("22", "28")),
        ("25.29.11", "Резервуары и ёмкости металлические", "шт", 400_000, 0.1, ("22", "28", "42")),
    ),
    "47": (
        ("20.14.12", "Углеводороды ароматические", "т", 70_000, 0.2, ("20", "22", "19")),
        ("20.14.23", "Гликоли и многоатомные спирты", "т", 90_000, 0.3, ("20", "22")),
        ("20.13.25", "Гидроксиды и оксиды неорганические", "т", 40_000, 0.15, ("20", "17")),
        ("20.13.24", "Кислоты неорганические", "т", 25_000, 0.1, ("20", "23")),
        ("20.16.10", "Полиэтилен в первичных формах", "т", 150_000, 0.25, ("22",)),
        ("20.16.40", "Смолы эпоксидные и полиэфиры", "т", 300_000, 0.5, ("20", "22")),
        ("20.59.59", "Присадки и химические продукты прочие", "т", 250_000, 0.55, ("20", "22")),
        ("20.11.11", "Азот, кислород и аргон технические", "т", 15_000, 0.0, ("20", "22", "23")),
        ("22.19.73", "Изделия резинотехнические", "т", 300_000, 0.3, ("20", "22", "29")),
        ("17.21.13", "Ящики из гофрокартона", "тыс. шт", 40_000, 0.0, ("20", "22", "10")),
        ("22.22.19", "Упаковка пластмассовая", "т", 200_000, 0.1, ("20", "10")),
        ("28.29.12", "Оборудование для фильтрования", "шт", 1_500_000, 0.5, ("20", "22")),
    ),
}
NEEDS = {  # product name, OKPD2 code, volume, unit, value (roubles)
    "72": (
        ("Пигменты железооксидные для тротуарной плитки", "20.12.24", 40, "т", 10_000_000),
        ("Геомембрана HDPE 1,5 мм", "22.21.30", 60_000, "м2", 18_000_000),
        ("Полистирол для экструзионных плит (XPS)", "20.16.20", 300, "т", 54_000_000),
        ("Краска фасадная акриловая", "20.30.11", 80, "т", 24_000_000),
        ("Плёнка полиэтиленовая строительная 200 мкм", "22.21.30", 120, "т", 22_000_000),
        ("Установка очистки ливневых стоков", "28.29.12", 4, "шт", 12_000_000),
        ("Арматура А500С диаметром 12 мм", "24.10.62", 600, "т", 42_000_000),
        ("Цемент ЦЕМ I 42,5Н", "23.51.12", 5_000, "т", 35_000_000),
        ("Керамзит фракции 10–20 мм", "23.99.19", 8_000, "м3", 28_000_000),
        ("Резервуар стальной подземный 25 м³", "25.29.11", 10, "шт", 6_000_000),
    ),
    "47": (
        ("Толуол нефтяной", "20.14.12", 200, "т", 16_000_000),
        ("Моноэтиленгликоль", "20.14.23", 150, "т", 13_500_000),
        ("Натр едкий (сода каустическая) чешуированный", "20.13.25", 300, "т", 12_000_000),
        ("Кислота серная техническая", "20.13.24", 500, "т", 5_000_000),
        ("Полиэтилен низкого давления ПЭ2НТ", "20.16.10", 400, "т", 60_000_000),
        ("Смола эпоксидная ЭД-20", "20.16.40", 60, "т", 21_000_000),
        ("Модификаторы и присадки для полимеров", "20.59.59", 40, "т", 12_000_000),
        ("Азот газообразный технический", "20.11.11", 500, "т", 7_500_000),
        ("Уплотнители резиновые для реакторов", "22.19.73", 2_000, "шт", 3_000_000),
        ("Ящики из гофрокартона для фасовки", "17.21.13", 300, "тыс. шт", 9_000_000),
        ("Фильтры патронные для очистки растворов", "28.29.12", 50, "шт", 6_000_000),
    ),
}
INPUTS = {i[0]: i for inputs in CHAIN_INPUTS.values() for i in inputs}
INPUT_CLASSES = sorted({code[:5] for code in INPUTS})
SME = ((15, "micro"), (100, "small"), (250, "medium"))  # employees below the limit


@dataclass
class Firm:
    """A synthetic enterprise before it is written (``number`` is in its name)."""

    number: int
    region: str
    city_id: int
    okved: str
    employees: int
    revenue: int

    @property
    def division(self) -> str:
        return self.okved[:2]


class Line(NamedTuple):
    """A product line of a synthetic firm: what it makes or buys in ``YEAR``."""

    firm: Firm
    code: str
    direction: str
    name: str | None
    volume: float | None
    unit: str | None
    value: int
    outside_share: float | None = None
    import_share: float | None = None


class Supplement(NamedTuple):
    """The generated records, before they are written."""

    firms: list[Firm]
    lines: list[Line]
    supplies: list[tuple[Firm, Line, int]]  # supplier, the buyer's consumption line, value
    needs: list[tuple[Firm, str, tuple]]  # customer, region, the fields of ``NEEDS`` + deadline


@dataclass
class Reference:
    """The real reference data the generator draws on."""

    cities: dict[str, list[tuple[int, int]]]  # region → (city id, population)
    points: dict[int, tuple[float, float, int]]  # city id → latitude, longitude, population
    classes: dict[str, dict[str, list[str]]]  # division → class → the class and its subclasses
    products: dict[str, list[str]]  # OKVED2 class → OKPD2 codes XX.XX.XX (else the class code)
    structure: Structure  # Rosstat's organisations by region and section
    named: dict[str, tuple[str, ...]]  # region → OKVED2 codes of its named industries
    towns: dict[tuple[str, str], int]  # region and town name → city id


def read_reference(session: Session) -> Reference:
    """Regions' cities, OKVED2 classes, OKPD2 products, the real regional structure and the
    industries the seeds name per region."""
    cities: dict[str, list[tuple[int, int]]] = {r: [] for r in session.scalars(select(Region.code))}
    points: dict[int, tuple[float, float, int]] = {}
    towns: dict[tuple[str, str], int] = {}
    for id_, name, region, population, lat, lon in session.execute(
        select(City.id, City.name, City.region_code, City.population, City.lat, City.lon).order_by(
            City.kladr_id
        )
    ):
        cities[region].append((id_, population or 0))
        points[id_] = (lat, lon, population or 0)
        towns.setdefault((region, name), id_)
    classes: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for code in session.scalars(select(Okved.code).where(Okved.level.in_((3, 4)))):
        if code[:2] not in SKIPPED_DIVISIONS:
            classes[code[:2]].setdefault(code[:5], []).append(code)
    detailed: dict[str, list[str]] = defaultdict(list)
    for code in session.scalars(select(Okpd.code).where(Okpd.level == 5)):
        detailed[code[:5]].append(code)
    products = {
        c: sorted(detailed.get(c) or [c])
        for c in session.scalars(select(Okpd.code).where(Okpd.level == 3))
    }
    classes = {
        d: {c: sorted(s) for c, s in sorted(cs.items())} for d, cs in sorted(classes.items())
    }
    named: dict[str, tuple[str, ...]] = {r: tuple(c) for r, c in NAMED.items()}
    for cluster in demo_data()["clusters"]:
        for region in cluster["region_codes"]:
            made = [p[:5] for c in cluster.get("chains", ()) for p in c["products"]]
            named[region] = (*named.get(region, ()), *cluster["specialisation"], *made)
    structure = read_structure(session)
    return Reference(
        dict(sorted(cities.items())), points, classes, products, structure, named, towns
    )


def generate_firms(ref: Reference, rng: random.Random) -> list[Firm]:
    """Firms per region by Rosstat's organisations, activities by the region's real sections
    (and the divisions Rosstat breaks out), within them by a latent structure and the industries
    named for the region; places in the region's cities by population. Then every class's
    regional shares are bounded by the real ones (``bound_shares``)."""
    sizes = region_sizes(ref)
    spare, total = FIRMS - MIN_PER_REGION * len(sizes), sum(sizes.values())
    # A division's size in the country (Rosstat gives none inside a section): its number of
    # classes, scattered.
    base = {d: len(cs) * rng.lognormvariate(0, 0.5) for d, cs in ref.classes.items()}
    size = {c: rng.lognormvariate(0, 0.6) for cs in ref.classes.values() for c in cs}
    counts = {
        r: max(MIN_PER_REGION + round(spare * sizes[r] / total), FOCUS_REGIONS.get(r, 0))
        for r in ref.cities
    }
    weights = {r: _class_weights(ref, base, size, r, rng) for r in ref.cities}
    limits = Limits(ref, counts)
    fit_weights(weights, counts, ref, limits)
    firms: list[Firm] = []
    for region, cities in ref.cities.items():
        count, mine = counts[region], weights[region]
        chosen = rng.choices(list(mine), list(mine.values()), k=count)
        places = rng.choices([c for c, _ in cities], [max(p, 1000) for _, p in cities], k=count)
        for class_code, city_id in zip(chosen, places, strict=True):
            okved = rng.choice(ref.classes[class_code[:2]][class_code])
            mu = 2.8 if class_code[:2] in PRODUCING else 1.8
            employees = min(20_000, max(1, int(rng.lognormvariate(mu, 1.4))))
            revenue = round(employees * rng.uniform(1.5e6, 4e6))
            firms.append(Firm(len(firms) + 1, region, city_id, okved, employees, revenue))
    _ensure_outside_producers(firms, ref, rng)
    bound_shares(firms, ref, limits)
    for f in firms:  # the named sites of a region's industries
        site = next(
            (t for (r, p), t in SITES.items() if r == f.region and f.okved.startswith(p)), ""
        )
        f.city_id = ref.towns.get((f.region, site), f.city_id)
    return firms


def region_sizes(ref: Reference) -> dict[str, float]:
    """Rosstat's organisations per region; a region the export lacks (Crimea, Sevastopol) by its
    urban population at the country's organisations per urban inhabitant."""
    population = {r: sum(p for _, p in c) for r, c in ref.cities.items()}
    real = {r: ref.structure.total(r) for r in ref.cities}
    known = [r for r in real if real[r]]
    per_person = sum(real[r] for r in known) / sum(population[r] for r in known)
    return {r: real[r] or population[r] * per_person for r in ref.cities}


def _class_weights(
    ref: Reference, base: dict[str, float], size: dict[str, float], region: str, rng: random.Random
) -> dict[str, float]:
    """A region's weights over OKVED2 classes: its real sections (industry weighed INDUSTRY
    times) split over divisions (Rosstat's counts where it breaks a division out, else the latent
    capabilities: families of related divisions co-locate), then over classes by their national
    size; named industries raised NAMED_BOOST times; nothing where the real data has none."""
    structure, named = ref.structure, ref.named.get(region, ())
    counts = structure.counts.get(region) or structure.country
    reach = rng.uniform(0.2, 0.85)
    divisions = {c[:2] for c in named}
    intensity = [
        rng.uniform(1.5, 3)
        if divisions & set(f)
        else rng.lognormvariate(0, 0.7)
        if rng.random() < reach
        else 0.05
        for f in FAMILIES
    ]
    latent: dict[str, float] = {}
    for division, share in base.items():
        shared = [intensity[i] for i, f in enumerate(FAMILIES) if division in f]
        level = sum(shared) / len(shared) if shared else rng.lognormvariate(0, 0.5)
        boost = NAMED_BOOST if division in divisions else 1
        latent[division] = share * level * boost * rng.lognormvariate(0, 0.4)
    weights: dict[str, float] = {}
    by_section: dict[str, list[str]] = defaultdict(list)
    for division in ref.classes:
        by_section[structure.sections[division]].append(division)
    for section, divisions in by_section.items():
        if section in SKIPPED_SECTIONS or not counts.get(section):
            continue
        listed = {d: counts[d] for d in divisions if d in counts}
        rest = max(0.0, counts[section] - sum(listed.values()))
        others = sum(latent[d] for d in divisions if d not in listed)
        factor = INDUSTRY if section in "BCDE" else 1
        for division in divisions:
            mass = listed.get(division, rest * latent[division] / others if others else 0)
            classes = {
                c: size[c] * (NAMED_BOOST if c in named else 1)
                for c in ref.classes[division]
                if _allowed(ref, region, c)
            }
            whole = sum(classes.values())
            for c, w in classes.items():
                if mass and whole:
                    weights[c] = factor * mass * w / whole
    return weights


class Limits:
    """The largest share of the country's synthetic firms (or headcount) in an OKVED2 class a
    region may hold: SPECIALISATION × its real share of the class's section × its oversampling
    (its share of the synthetic firms over its share of Rosstat's organisations), at most
    SHARE_LIMIT; never below one firm's share of the class."""

    def __init__(self, ref: Reference, counts: dict[str, int]) -> None:
        self.ref, self.sizes = ref, region_sizes(ref)
        firms, total = sum(counts.values()), sum(self.sizes.values())
        self.oversampling = {r: (n / firms) / (self.sizes[r] / total) for r, n in counts.items()}
        self.total, self.known = total, {}  # region, section → limit

    def __call__(self, region: str, okved: str) -> float:
        return self.of(region, self.ref.structure.sections[okved[:2]])

    def of(self, region: str, section: str) -> float:
        """The limit of ``region`` in every class of ``section``."""
        key = region, section
        if key not in self.known:
            structure = self.ref.structure
            real = (
                structure.share(region, section)
                if region in structure.counts
                else self.sizes[region] / self.total
            )
            self.known[key] = min(SHARE_LIMIT, SPECIALISATION * real * self.oversampling[region])
        return self.known[key]


def fit_weights(
    weights: dict[str, dict[str, float]], counts: dict[str, int], ref: Reference, limits: "Limits"
) -> None:
    """Hold, in a few proportional rounds, every region × class to FIT × its limit of the class's
    expected firms in the country (the rest of the region's section taking up what it loses, so
    sections keep Rosstat's weights), and drop the classes expected to have fewer than
    MIN_CLASS_FIRMS firms in the country (a class named for some region is first raised to twice
    that)."""
    regions = list(weights)
    codes = sorted({c for mine in weights.values() for c in mine})
    sections = sorted({ref.structure.sections[c[:2]] for c in codes})
    of = np.array([sections.index(ref.structure.sections[c[:2]]) for c in codes])
    one_hot = np.eye(len(sections))[of]  # class × section
    w = np.array([[weights[r].get(c, 0.0) for c in codes] for r in regions])
    n = np.array([counts[r] for r in regions], dtype=float)[:, None]
    limit = np.array([[limits.of(r, x) for x in sections] for r in regions])[:, of]
    named = np.array([any(c in codes_ for codes_ in ref.named.values()) for c in codes])
    for _ in range(FIT_ROUNDS):
        whole = w.sum(axis=1, keepdims=True)
        national = (n * w / whole).sum(axis=0)
        # a named industry is raised to twice the smallest class kept
        w[:, named] *= np.maximum(1, 2 * MIN_CLASS_FIRMS / np.maximum(national[named], 1e-9))
        national = (n * w / w.sum(axis=1, keepdims=True)).sum(axis=0)
        w[:, national < MIN_CLASS_FIRMS] = 0.0
        cap = FIT * limit * national * whole / n
        over = w > cap
        if not over.any():
            break
        mass = w @ one_hot
        w = np.where(over, cap, w)
        held, free = (w * over) @ one_hot, (w * ~over) @ one_hot
        factor = np.where((free > 0) & (mass > held), (mass - held) / np.maximum(free, 1e-300), 1)
        w = np.where(over, w, w * factor[:, of])
    for i, region in enumerate(regions):
        weights[region] = {c: float(x) for c, x in zip(codes, w[i], strict=True) if x > 0}


def bound_shares(firms: list[Firm], ref: Reference, limits: "Limits") -> None:
    """Keep every region within its ``Limits`` in every class: a class with fewer than
    MIN_CLASS_FIRMS firms in the country is not kept, and a region's firms over its limit move
    (its last ones, one by one) to the classes of the same division, else section, where the
    region is furthest below its limit; then a region's headcount and revenue in a class are
    scaled down to its limit."""
    sections = ref.structure.sections
    held: dict[str, dict[str, list[Firm]]] = defaultdict(lambda: defaultdict(list))
    for f in firms:
        held[f.okved[:5]][f.region].append(f)
    national = Counter({code: sum(map(len, by.values())) for code, by in held.items()})
    allowed: dict[tuple[str, str], list[str]] = {}  # region, division or section → its classes
    dirty = set(held)
    for _ in range(10):
        todo, dirty = sorted(dirty), set()
        for code in todo:
            for region, group in sorted(held[code].items()):
                total = national[code]
                limit = max(limits(region, code), 1 / total) if group else 1
                if not group or (total >= MIN_CLASS_FIRMS and len(group) <= limit * total):
                    continue
                keep = 0 if total < MIN_CLASS_FIRMS else max(1, math.floor(limit * total))
                room = {}
                for key in ((region, code[:2]), (region, sections[code[:2]])):
                    if key not in allowed:  # the division's classes, else the section's
                        allowed[key] = [
                            c
                            for d, cs in ref.classes.items()
                            if key[1] in (d, sections[d])
                            for c in cs
                            if _allowed(ref, region, c)
                        ]
                    room = {
                        c: max(limits(region, c) * national[c], 1) - len(held[c].get(region, ()))
                        for c in allowed[key]
                        if c != code and national[c] >= MIN_CLASS_FIRMS
                    }
                    if room and sum(max(0, r) for r in room.values()) >= len(group) - keep:
                        break
                if not room:
                    continue
                moving, held[code][region] = group[keep:], group[:keep]
                for f in moving:  # one by one to the class with the most room
                    target = max(room, key=lambda c: (room[c], c))
                    room[target] -= 1
                    f.okved = target
                    held[target][region].append(f)
                    national[target] += 1
                    dirty.add(target)
                national[code] -= len(moving)
                dirty.add(code)
        if not dirty:
            break
    for code, by in sorted(held.items()):
        _bound_headcount(code, [(r, g) for r, g in sorted(by.items()) if g], limits)


def _allowed(ref: Reference, region: str, okved: str) -> bool:
    """Whether the region may hold the activity: not a chain gap, and present in the real data."""
    return okved[:5] not in ABSENT.get(region, ()) and ref.structure.present(region, okved)


def _bound_headcount(code: str, regions: list[tuple[str, list[Firm]]], limits: "Limits") -> None:
    """Scale a region's headcount (and revenue) in class ``code`` down to its limit."""
    count = sum(len(g) for _, g in regions)
    for _ in range(20):
        national, scaled = sum(f.employees for _, g in regions for f in g), False
        for region, group in regions:
            mine = sum(f.employees for f in group)
            rest, limit = national - mine, max(limits(region, code), 1 / count)
            if rest <= 0 or mine <= limit * national or mine == len(group):
                continue
            factor = limit * rest / (mine * (1 - limit))
            for f in group:
                employees = max(1, math.floor(f.employees * factor))
                f.revenue, f.employees = round(f.revenue * employees / f.employees), employees
            national, scaled = rest + sum(f.employees for f in group), True
        if not scaled:
            break


def _ensure_outside_producers(firms: list[Firm], ref: Reference, rng: random.Random) -> None:
    """At least three producers of every chain input in the supplier regions, so that the
    clusters' purchases from other regions have somewhere to come from."""
    pool = [f for f in firms if f.region in SUPPLIER_REGIONS and f.division in PRODUCING]
    spare = [f for f in pool if f.okved[:5] not in INPUT_CLASSES]
    for class_code in INPUT_CLASSES:
        missing = 3 - sum(f.okved[:5] == class_code for f in pool)
        able = [f for f in spare if ref.structure.present(f.region, class_code)]
        for firm in rng.sample(able, max(0, missing)):
            firm.okved = class_code
            spare.remove(firm)


def generate_lines(firms: list[Firm], ref: Reference, rng: random.Random) -> list[Line]:
    """``produces`` lines of every manufacturer (and quarry) of the clusters' regions, so that
    their niches show output wherever there is headcount, and of the supplier regions' makers of
    chain inputs and some of their other manufacturers (a chain input where the firm's class
    makes one); then the clusters' ``consumes`` lines."""
    lines: list[Line] = []
    for f in firms:
        supplier = f.region in SUPPLIER_REGIONS and (
            f.okved[:5] in INPUT_CLASSES or rng.random() < 0.3
        )
        own = sorted(c for c in INPUTS if c[:5] == f.okved[:5])
        others = ref.products.get(f.okved[:5]) or ref.products.get(f.okved[:4] + "0", [])
        if (
            f.division not in PRODUCING
            or not (f.region in CHAIN_INPUTS or supplier)
            or not (own or others)
        ):
            continue
        code = rng.choice(own) if own and (rng.random() < 0.8 or not others) else rng.choice(others)
        value, spec = round(f.revenue * rng.uniform(0.5, 0.9)), INPUTS.get(code)
        volume, unit = (round(value / spec[3]), spec[2]) if spec else (None, None)
        lines.append(Line(f, code, "produces", spec and spec[1], volume, unit, value))
    return lines + _consumption(firms, lines, rng)


def _consumption(firms: list[Firm], made: list[Line], rng: random.Random) -> list[Line]:
    """Chain inputs bought by the clusters' firms (each by two firms at least): mostly from
    outside the region where no firm of the region makes the product, partly imported."""
    local = {(x.firm.region, x.code) for x in made}
    own = {(x.firm.number, x.code) for x in made}
    eligible = [
        (f, spec)
        for f in firms
        for spec in CHAIN_INPUTS.get(f.region, ())
        if (f.number, spec[0]) not in own and f.division in (*spec[5], *PRODUCING, "41")
    ]
    picked = [(f, spec) for f, spec in eligible if f.division in spec[5] and rng.random() < 0.75]
    for spec in (s for inputs in CHAIN_INPUTS.values() for s in inputs):
        buyers = {f.number for f, s in picked if s is spec}
        spare = [f for f, s in eligible if s is spec and f.number not in buyers]
        picked += [(f, spec) for f in rng.sample(spare, max(0, min(len(spare), 2 - len(buyers))))]
    lines = []
    for f, (code, name, unit, price, imported, _) in picked:
        outside = rng.uniform(0.1, 0.5) if (f.region, code) in local else rng.uniform(0.8, 1.0)
        imports = min(outside, 0.6, imported * rng.uniform(0.6, 1.4))
        value = round(f.revenue * rng.uniform(0.02, 0.12))
        shares = round(outside, 2), round(imports, 2)
        lines.append(Line(f, code, "consumes", name, round(value / price, 1), unit, value, *shares))
    return lines


def generate_supplies(lines: list[Line], rng: random.Random) -> list[tuple[Firm, Line, int]]:
    """Supplier, the buyer's consumption line and the value: in-region producers cover the
    line's in-region share, producers of other regions its domestic outside share."""
    makers: dict[str, list[Firm]] = defaultdict(list)
    for line in lines:
        if line.direction == "produces":
            makers[line.code].append(line.firm)
    supplies = {}
    for line in (x for x in lines if x.direction == "consumes"):
        region = line.firm.region
        here = [p for p in makers[line.code] if p.region == region and p is not line.firm]
        away = [p for p in makers[line.code] if p.region != region]
        shares = (1 - line.outside_share, line.outside_share - line.import_share)
        for pool, share in zip((here, away), shares, strict=True):
            if pool and share >= 0.05:
                chosen = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
                for supplier in chosen:
                    value = round(line.value * share / len(chosen))
                    supplies[supplier.number, line.firm.number, line.code] = (supplier, line, value)
    return list(supplies.values())


def generate_needs(
    lines: list[Line], rng: random.Random, today: date | None = None
) -> list[tuple[Firm, str, tuple]]:
    """The open needs of each cluster region, posted by firms that buy the product, with a
    deadline one to ten months after ``today`` (the day the demo is loaded)."""
    today = today or date.today()
    needs = []
    for region, specs in NEEDS.items():
        buyers = [x for x in lines if x.direction == "consumes" and x.firm.region == region]
        for spec in specs:
            matching = [x.firm for x in buyers if x.code == spec[1]] or [x.firm for x in buyers]
            if matching:
                deadline = today + timedelta(30 + rng.randrange(270))
                needs.append((rng.choice(matching), region, (*spec, deadline)))
    return needs


def place_firms(firms: list[Firm], ref: Reference, rng: random.Random) -> list[tuple[float, float]]:
    """Each firm's point, scattered around its city's (normal, wider for larger cities: a
    s.d. of 1.5 km plus 5 km × √(population in millions))."""
    placed = []
    for f in firms:
        lat, lon, population = ref.points[f.city_id]
        spread = (1.5 + 5 * math.sqrt(population / 1e6)) / KM_PER_DEGREE
        east = spread / math.cos(math.radians(lat))
        placed.append((round(rng.gauss(lat, spread), 6), round(rng.gauss(lon, east), 6)))
    return placed


def generate_figures(firms: list[Firm], rng: random.Random) -> list[tuple[Firm, int, int, int]]:
    """Headcount and revenue of ``YEAR - 1`` and of ``YEAR`` (the current ones): a change per
    region and division (mean +3 %, s.d. 8 %) plus the firm's own (s.d. 10 %)."""
    trend: dict[tuple[str, str], float] = {}
    figures = []
    for f in firms:
        if (f.region, f.division) not in trend:
            trend[f.region, f.division] = rng.gauss(0.03, 0.08)
        change = max(-0.5, min(1.0, trend[f.region, f.division] + rng.gauss(0, 0.1)))
        earlier = max(1, round(f.employees / (1 + change)))
        figures.append((f, YEAR - 1, earlier, round(f.revenue * earlier / f.employees)))
        figures.append((f, YEAR, f.employees, f.revenue))
    return figures


def generate(ref: Reference, seed: int) -> Supplement:
    """The whole supplement for ``seed``, in memory (the same seed gives the same records)."""
    rng = random.Random(seed)
    firms = generate_firms(ref, rng)
    lines = generate_lines(firms, ref, rng)
    return Supplement(firms, lines, generate_supplies(lines, rng), generate_needs(lines, rng))


def load_synthetic_demo(session: Session, seed: int = 2024) -> DemoReport:
    """Add the synthetic supplement once: nothing is added when any synthetic enterprise exists."""
    report = DemoReport()
    if session.scalar(select(Enterprise.id).where(Enterprise.is_synthetic.is_(True)).limit(1)):
        add_chain_stages(session, report)
        return report
    ref = read_reference(session)
    firms, lines, supplies, needs = generate(ref, seed)
    names = {f.number: NAME.format(f.number) for f in firms}
    # Points and figures draw on their own generator, so the firms stay those of ``seed``.
    extra = random.Random(seed + 1)
    points = place_firms(firms, ref, extra)
    _write(session, report, "enterprises", "name search_text region_code city_id lat lon "
           "okved_main employees revenue sme_category description is_synthetic",
           [(names[f.number], search_key(names[f.number]), f.region, f.city_id, *point, f.okved,
             f.employees, f.revenue, next((c for n, c in SME if f.employees < n), "large"),
             DESCRIPTION, True) for f, point in zip(firms, points, strict=True)])  # fmt: skip
    stored = session.execute(select(Enterprise.name, Enterprise.id).where(Enterprise.is_synthetic))
    ids = dict(stored.all())
    id_of = {number: ids[name] for number, name in names.items()}
    _write(session, report, "enterprise_figures", "enterprise_id year employees revenue",
           [(id_of[f.number], *x) for f, *x in generate_figures(firms, extra)])  # fmt: skip
    _write(session, report, "product_lines", "enterprise_id okpd2_code direction name volume "
           "unit value outside_share import_share year",
           [(id_of[x.firm.number], *x[1:], YEAR) for x in lines])  # fmt: skip
    _write(session, report, "supplies", "supplier_id buyer_id okpd2_code year value volume unit",
           [(id_of[s.number], id_of[x.firm.number], x.code, YEAR, v,
             round(x.volume * v / x.value, 1), x.unit) for s, x, v in supplies])  # fmt: skip
    _write(session, report, "needs", "customer_id region_code product_name okpd2_code volume "
           "unit value deadline status description",
           [(id_of[f.number], region, *spec, "open", NEED_NOTE)
            for f, region, spec in needs])  # fmt: skip
    documents.reindex(session.connection())
    add_chain_stages(session, report)
    return report


def _write(session: Session, report: DemoReport, table: str, columns: str, rows: list) -> None:
    """Bulk insert (version 1) with one audit row for the table, counted in ``report``."""
    names = (*columns.split(), "version")
    insert_rows(session.connection(), table, names, [(*r, 1) for r in rows])
    entry = ("create", None, {"synthetic_demo": True, "rows": len(rows)})
    record_bulk(session, session.info.get("actor", SYSTEM), table, [entry])
    report.added[table] = len(rows)


# Chain stages (SYNTHETIC: the seed article names the Tyumen chains' products and projects, not
# their inputs): inputs of ``CHAIN_INPUTS["72"]`` per chain position. Each stage gets the region's
# largest synthetic producer of the input as its supplier when there is one, so the classes that
# ``ABSENT["72"]`` removes stay gaps; a seed project making a stage's product is hung on it.
CHAIN_STAGES = {
    ("72", 1): ("23.51.12", "08.12.11", "08.12.12", "23.99.19", "20.12.24", "24.10.62"),
    ("72", 2): ("20.16.20", "20.16.10", "20.30.11", "22.21.30", "25.29.11", "28.29.12"),
}
STAGE_NOTE = "Этап — синтетические демонстрационные данные (в публикации этапы не названы)"
STAGE_SUPPLIER_NOTE = (
    "Синтетические демонстрационные данные: назначен для показа как крупнейший производитель "
    "этой продукции в регионе"
)


def add_chain_stages(session: Session, report: DemoReport) -> None:
    """The synthetic stages of the demo chains, once (a chain's existing codes are kept)."""
    for (region, position), codes in CHAIN_STAGES.items():
        chain = session.scalar(
            select(Chain)
            .join(regions, regions.c.cluster_id == Chain.cluster_id)
            .where(regions.c.region_code == region, Chain.position == position)
            .order_by(Chain.id)
            .limit(1)
        )
        if chain is None:
            continue
        have = {s.okpd2_code for s in chain.stages}
        for code in (c for c in codes if c not in have):
            name = INPUTS[code][1]
            stage = chains.create_stage(
                session, None, chain.id, {"okpd2_code": code, "name": name, "note": STAGE_NOTE}
            )
            report.count("chain_stages")
            maker = session.scalar(
                select(ProductLine.enterprise_id)
                .join(Enterprise, Enterprise.id == ProductLine.enterprise_id)
                .where(
                    Enterprise.region_code == region,
                    Enterprise.is_synthetic.is_(True),
                    ProductLine.direction == "produces",
                    ProductLine.okpd2_code == code,
                )
                .order_by(ProductLine.value.desc(), ProductLine.enterprise_id)
                .limit(1)
            )
            if maker is not None:
                chains.assign_supplier(session, None, stage.id, maker, STAGE_SUPPLIER_NOTE)
                report.count("stage_suppliers")
            for project in chain.projects:
                made = [p.code for p in project.products]
                if project.stage_id is None and any(code.startswith(m) for m in made):
                    registry.update_record(
                        session, None, InvestmentProject, project.id, {"stage_id": stage.id}
                    )
