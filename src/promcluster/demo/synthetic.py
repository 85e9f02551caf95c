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
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster.auth.audit import SYSTEM, record_bulk
from promcluster.chains import service as chains
from promcluster.chains.models import Chain
from promcluster.db import insert_rows
from promcluster.demo.loader import DemoReport
from promcluster.matching import documents
from promcluster.reference.models import City, Okpd, Okved, Region
from promcluster.registry import service as registry
from promcluster.registry.models import Enterprise, InvestmentProject, ProductLine, search_key
from promcluster.registry.models import cluster_region as regions

FIRMS, MIN_PER_REGION, YEAR = 15_000, 30, 2024
KM_PER_DEGREE = 111.2
# The demo's two cluster regions get a registry large enough for candidate producers to show.
FOCUS_REGIONS = {"72": 1_000, "47": 1_000}
NAME = "Синтетическое предприятие №{} (демо)"
DESCRIPTION = (
    "Синтетические демонстрационные данные: предприятие придумано для показа платформы, ИНН и "
    "ОГРН нет; вид деятельности, город, координаты, численность и выручка по годам, продукция и "
    "поставки сгенерированы."
)
NEED_NOTE = "Синтетические демонстрационные данные: потребность сгенерирована для показа платформы."
# Divisions present in every region, with their weight; other divisions get a random weight.
COMMON = {"47": 12, "46": 8, "43": 3, "41": 2.5, "49": 2.5, "01": 2, "68": 2, "45": 1.5, "10": 1}
SKIPPED_DIVISIONS = {"84", "94", "97", "98", "99"}  # administration, associations, households
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
BOOSTED = {
    "72": ("23", "22", "20", "16", "25", "28", "06", "09", "19"),
    "47": ("20", "22", "23", "17", "29", "19", "10"),
}
ABSENT = {"72": ("20.30", "22.21", "28.29", "20.16"), "47": ("20.14", "20.59", "20.13")}
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


def read_reference(session: Session) -> Reference:
    """Regions' cities, OKVED2 classes and OKPD2 products from the reference tables."""
    cities: dict[str, list[tuple[int, int]]] = {r: [] for r in session.scalars(select(Region.code))}
    points: dict[int, tuple[float, float, int]] = {}
    for id_, region, population, lat, lon in session.execute(
        select(City.id, City.region_code, City.population, City.lat, City.lon).order_by(
            City.kladr_id
        )
    ):
        cities[region].append((id_, population or 0))
        points[id_] = (lat, lon, population or 0)
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
    return Reference(dict(sorted(cities.items())), points, classes, products)


def generate_firms(ref: Reference, rng: random.Random) -> list[Firm]:
    """Firms per region by urban population, activities by the region's latent structure."""
    population = {r: sum(p for _, p in c) for r, c in ref.cities.items()}
    spare, total = FIRMS - MIN_PER_REGION * len(population), sum(population.values())
    base = {d: rng.lognormvariate(-1.2, 0.8) for d in ref.classes}  # a division's size
    size = {c: rng.lognormvariate(0, 1) for cs in ref.classes.values() for c in cs}
    firms: list[Firm] = []
    for region, cities in ref.cities.items():
        count = max(
            MIN_PER_REGION + round(spare * population[region] / total),
            FOCUS_REGIONS.get(region, 0),
        )
        weights = _division_weights(base, region, rng)
        divisions = rng.choices(list(weights), list(weights.values()), k=count)
        places = rng.choices([c for c, _ in cities], [max(p, 1000) for _, p in cities], k=count)
        classes = {
            d: [c for c in ref.classes[d] if c not in ABSENT.get(region, ())] for d in weights
        }
        for division, city_id in zip(divisions, places, strict=True):
            names = classes[division]
            okved = rng.choice(
                ref.classes[division][rng.choices(names, [size[c] for c in names])[0]]
            )
            mu = 2.8 if division in PRODUCING else 1.8
            employees = min(20_000, max(1, int(rng.lognormvariate(mu, 1.4))))
            revenue = round(employees * rng.uniform(1.5e6, 4e6))
            firms.append(Firm(len(firms) + 1, region, city_id, okved, employees, revenue))
    _ensure_outside_producers(firms, rng)
    return firms


def _division_weights(base: dict[str, float], region: str, rng: random.Random) -> dict[str, float]:
    """A region's weights over divisions: capabilities it holds (families of related
    divisions) raise every division of the family; common divisions are everywhere."""
    reach, boosted = rng.uniform(0.2, 0.85), BOOSTED.get(region, ())
    intensity = [
        rng.uniform(1.5, 3)
        if set(f) & set(boosted)
        else rng.lognormvariate(0, 0.7)
        if rng.random() < reach
        else 0.03
        for f in FAMILIES
    ]
    weights = {}
    for division, size in base.items():
        if division in COMMON:
            weights[division] = COMMON[division] * rng.lognormvariate(0, 0.2)
            continue
        shared = [intensity[i] for i, f in enumerate(FAMILIES) if division in f]
        level = sum(shared) / len(shared) if shared else rng.lognormvariate(0, 0.5)
        boost = 4 if division in boosted else 1
        weights[division] = size * level * boost * rng.lognormvariate(0, 0.4)
    return weights


def _ensure_outside_producers(firms: list[Firm], rng: random.Random) -> None:
    """At least three producers of every chain input in the supplier regions, so that the
    clusters' purchases from other regions have somewhere to come from."""
    pool = [f for f in firms if f.region in SUPPLIER_REGIONS and f.division in PRODUCING]
    spare = [f for f in pool if f.okved[:5] not in INPUT_CLASSES]
    for class_code in INPUT_CLASSES:
        missing = 3 - sum(f.okved[:5] == class_code for f in pool)
        for firm in rng.sample(spare, max(0, missing)):
            firm.okved = class_code
            spare.remove(firm)


def generate_lines(firms: list[Firm], ref: Reference, rng: random.Random) -> list[Line]:
    """``produces`` lines of manufacturers in the clusters' and the supplier regions (a chain
    input where the firm's class makes one), then the clusters' ``consumes`` lines."""
    lines: list[Line] = []
    for f in firms:
        supplier = f.region in SUPPLIER_REGIONS and (
            f.okved[:5] in INPUT_CLASSES or rng.random() < 0.3
        )
        own = sorted(c for c in INPUTS if c[:5] == f.okved[:5])
        others = ref.products.get(f.okved[:5], [])
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
