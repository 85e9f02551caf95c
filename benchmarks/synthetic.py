"""SYNTHETIC enterprise registers for benchmarks: valid INN/OGRN check digits, real OKVED2 codes,
real regions and cities, skewed sizes. Every row says it is synthetic (name and the
"Синтетические данные" column); none of the identifiers belongs to a real company on purpose, but
a generated INN may by chance coincide with one, so these files never go into a real database.

    python benchmarks/synthetic.py enterprises 100000 -o /tmp/enterprises-100k.csv
    python benchmarks/synthetic.py products 5000 --enterprises 100000 -o /tmp/products-72.csv
"""

import argparse
import csv
import random
from collections.abc import Iterator
from pathlib import Path

from promcluster.reference.service import data_path

HEADER = (
    "ИНН", "ОГРН", "Наименование", "Регион", "Город", "ОКВЭД", "Численность", "Выручка, руб.",
    "Категория МСП", "Синтетические данные",
)  # fmt: skip
_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)


def inn10(body: str) -> str:
    """A 10-digit INN with its check digit for a 9-digit ``body``."""
    return body + str(sum(int(d) * w for d, w in zip(body, _INN10, strict=True)) % 11 % 10)


def ogrn13(body: str) -> str:
    """A 13-digit OGRN with its check digit for a 12-digit ``body``."""
    return body + str(int(body) % 11 % 10)


def _reference() -> tuple[list[str], list[str], dict[str, list[str]]]:
    with data_path("regions.csv").open(encoding="utf-8") as f:
        regions = [r["code"] for r in csv.DictReader(f)]
    with data_path("okved2.csv").open(encoding="utf-8") as f:
        activities = [r["code"] for r in csv.DictReader(f) if int(r["level"]) >= 3]
    cities: dict[str, list[str]] = {}
    with data_path("cities.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            cities.setdefault(r["region_code"], []).append(r["name"])
    return regions, activities, cities


def enterprise_rows(count: int, seed: int = 1) -> Iterator[tuple]:
    """``count`` synthetic enterprises; unique INNs and OGRNs (sequence numbers in the body)."""
    rng = random.Random(seed)
    regions, activities, cities = _reference()
    # Skew: a few big regions and common activities hold most firms, as in real registers.
    region_weights = [1 / (i + 1) ** 0.8 for i in range(len(regions))]
    rng.shuffle(region_weights)
    activity_weights = [1 / (i + 1) ** 0.9 for i in range(len(activities))]
    rng.shuffle(activity_weights)
    picked_regions = rng.choices(regions, region_weights, k=count)
    picked_activities = rng.choices(activities, activity_weights, k=count)
    for n in range(count):
        region = picked_regions[n]
        employees = min(int(rng.lognormvariate(2.0, 1.5)), 50000)
        category = "микро" if employees < 15 else "малое" if employees < 100 else "среднее"
        category = category if employees < 250 else "крупное"
        yield (
            inn10(f"{region}{n:07d}"),
            ogrn13(f"102{region}{n:07d}"),
            f"Синтетическое предприятие №{n + 1}",
            region,
            rng.choice(cities.get(region, [""])),
            picked_activities[n],
            employees,
            round(employees * rng.uniform(1.5e6, 4e6)),
            {"микро": "микропредприятие", "малое": "малое", "среднее": "среднее"}.get(
                category, "крупное"
            ),
            "да",
        )


def write_enterprises(path: Path, count: int, seed: int = 1) -> Path:
    """A CSV (UTF-8, ``;``) or XLSX register of ``count`` synthetic enterprises."""
    rows = enterprise_rows(count, seed)
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("Предприятия (синтетика)")
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
        book.save(path)
        return path
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def complexity_panel(
    locations: int, products: int, years: int = 1, seed: int = 1
) -> tuple[list[str], list[str], list[float], list[int]]:
    """A SYNTHETIC long table ``location, product, value, year`` (names say so): regions of
    log-normal size hold latent capabilities, products need some of them (a nested structure
    like real regional data), so the specialisation network is neither random nor trivial."""
    import numpy as np

    rng = np.random.default_rng(seed)
    capabilities = 12
    has = rng.random((locations, capabilities)) < rng.uniform(0.2, 0.9, (locations, 1))
    needs = rng.random((products, capabilities)) < rng.uniform(0.05, 0.4, (products, 1))
    size = rng.lognormal(0, 1.2, (locations, 1)) * rng.lognormal(0, 1.5, (1, products))
    loc_names = [f"Синтетический регион {i + 1}" for i in range(locations)]
    prod_names = [f"Синтетический продукт {j + 1}" for j in range(products)]
    names_l, names_p, values, year_list = [], [], [], []
    for t in range(years):
        able = (has.astype(int) @ needs.T.astype(int)) >= needs.sum(axis=1)[None, :]
        value = size * (0.05 + able) * rng.lognormal(0, 0.5, (locations, products))
        value[value < 0.02] = 0
        value[:, value.sum(axis=0) == 0] += 0.1
        i, j = np.nonzero(np.ones_like(value))
        names_l += [loc_names[k] for k in i]
        names_p += [prod_names[k] for k in j]
        values += value[i, j].tolist()
        year_list += [2020 + t] * i.size
        has |= rng.random(has.shape) < 0.03  # capabilities spread slowly
    return names_l, names_p, values, year_list


PRODUCT_HEADER = (
    "ИНН", "ОКПД2", "Направление", "Наименование продукции", "Объём в год", "Единица измерения",
    "Стоимость в год, руб.", "Доля закупок вне региона", "Доля импорта", "Год",
)  # fmt: skip


def product_rows(
    lines: int, enterprises: int = 100_000, region: str = "72", seed: int = 1
) -> Iterator[tuple]:
    """``lines`` SYNTHETIC consumption lines and ``lines // 10`` produces lines for the firms of
    ``region`` among the first ``enterprises`` of ``enterprise_rows`` (matched by INN, so pass
    the count that was imported). Codes are real OKPD2 subclasses (``XX.XX.XX``) of mining and
    manufacturing, skewed so a few groups hold most demand; every name says it is synthetic (the
    products kind has no note column). No two rows share INN + OKPD2 + direction."""
    rng = random.Random(seed)
    inns = [row[0] for row in enterprise_rows(enterprises) if row[3] == region]
    if not inns:
        raise ValueError(f"no synthetic enterprises of region {region} among {enterprises}")
    with data_path("okpd2.csv").open(encoding="utf-8") as f:
        codes = [
            (r["code"], r["name"])
            for r in csv.DictReader(f)
            if r["section"] in ("B", "C")
            and int(r["level"]) == 5
            and not r["name"].startswith("Услуги")  # goods only: they are bought in tonnes
        ]
    rng.shuffle(codes)
    weights = [1 / (i + 1) ** 0.7 for i in range(len(codes))]
    capacity = len(inns) * len(codes)
    for direction, count in (("потребляет", lines), ("производит", lines // 10)):
        if count > capacity:
            raise ValueError(f"{count} lines do not fit {len(inns)} firms × {len(codes)} codes")
        seen: set[tuple[str, str]] = set()
        while len(seen) < count:
            inn = rng.choice(inns)
            code, name = rng.choices(codes, weights)[0]
            if (inn, code) in seen:
                continue
            seen.add((inn, code))
            price = rng.lognormvariate(10, 1.5)  # roubles per tonne
            value = round(rng.lognormvariate(15, 1.5))  # about 3 million roubles a year
            volume = f"{value / price:.1f}".replace(".", ",")
            if direction == "потребляет":
                outside = rng.choice((0, rng.uniform(0.1, 1), rng.uniform(0.5, 1)))
                imported = outside * rng.choice((0, 0, rng.uniform(0, 0.6)))
                shares = (f"{outside:.2f}".replace(".", ","), f"{imported:.2f}".replace(".", ","))
            else:
                shares = ("", "")
            yield (
                inn, code, direction, f"{name[:400]} (синтетические данные)", volume, "т",
                value, *shares, 2024,
            )  # fmt: skip


def write_products(
    path: Path, lines: int, enterprises: int = 100_000, region: str = "72", seed: int = 1
) -> Path:
    """A CSV (UTF-8, ``;``) of SYNTHETIC product lines for ``promcluster import products``."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(PRODUCT_HEADER)
        writer.writerows(product_rows(lines, enterprises, region, seed))
    return path


# Real words the SYNTHETIC firm names and product qualifiers of the search benchmark are made of.
FIRM_FORMS = ("ООО", "ООО", "ООО", "АО", "АО", "ПАО", "ЗАО", "ИП")
FULL_FORMS = {
    "ООО": "Общество с ограниченной ответственностью",
    "АО": "Акционерное общество",
    "ПАО": "Публичное акционерное общество",
    "ЗАО": "Закрытое акционерное общество",
}
FIRM_ADJECTIVES = (
    "Сибирский", "Уральский", "Северный", "Тюменский", "Волжский", "Балтийский", "Южный",
    "Восточный", "Центральный", "Промышленный", "Технический", "Новый", "Первый", "Региональный",
    "Строительный", "Механический", "Литейный", "Химический", "Металлургический",
    "Деревообрабатывающий",
)  # fmt: skip
FIRM_NOUNS = (
    "завод", "комбинат", "холдинг", "ресурс", "металл", "альянс", "профиль", "стандарт",
    "терминал", "союз", "комплекс", "трест", "цех", "двор",
)  # fmt: skip
GLUED_HEADS = ("Строй", "Техно", "Агро", "Энерго", "Пром", "Сиб", "Урал", "Волга", "Нефте", "Лес",
               "Тех", "Мет", "Электро", "Гидро", "Авто")  # fmt: skip
GLUED_TAILS = ("ресурс", "пласт", "монтаж", "снаб", "торг", "сервис", "комплекс", "инвест", "маш",
               "прибор", "строй", "профиль", "лит", "деталь")  # fmt: skip
SURNAMES = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов",
            "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Лебедев", "Козлов")  # fmt: skip
FIRST_NAMES = ("Алексей", "Сергей", "Андрей", "Дмитрий", "Иван", "Михаил", "Николай", "Олег")
PATRONYMICS = ("Петрович", "Иванович", "Сергеевич", "Александрович", "Викторович")
BRAND_WORDS = ("Сибирь", "Урал", "Север", "Кедр", "Алтай", "Байкал", "Волга", "Заря", "Маяк",
               "Титан", "Гранит", "Витязь", "Standard", "Profi", "Eco", "Expert")  # fmt: skip
STEEL_GRADES = ("09Г2С", "Ст3", "Ст20", "12Х18Н10Т", "40Х", "А500С", "AISI 304")
GRADES = ("М200", "М300", "М400", "D500", "D600", "В25", "ПЭ100", "ПНД", "ПВД", "Е1", "ХВ")
PACKING = ("в мешках по 50 кг", "на поддонах", "оптом", "в рулонах", "в бочках 200 л",
           "в коробках", "насыпью", "россыпью", "в упаковке производителя")  # fmt: skip
POSTING_KINDS = (("enterprise", 0.30), ("product", 0.50), ("need", 0.12), ("offer", 0.08))
NEED_NOTES = ("Требуется поставка до конца квартала", "Закупка по годовому договору",
              "Нужна доставка до склада", None, None, None)  # fmt: skip


def _firm(rng: random.Random) -> tuple[str, str]:
    """A SYNTHETIC firm's short and full name, made of real words (``ООО «Уральский металл»``)."""
    form = rng.choice(FIRM_FORMS)
    if form == "ИП":
        name = f"ИП {rng.choice(SURNAMES)} {rng.choice(FIRST_NAMES)} {rng.choice(PATRONYMICS)}"
        return name, name.replace("ИП", "Индивидуальный предприниматель", 1)
    style = rng.random()
    if style < 0.4:
        title = f"{rng.choice(FIRM_ADJECTIVES)} {rng.choice(FIRM_NOUNS)}"
    elif style < 0.8:
        title = rng.choice(GLUED_HEADS) + rng.choice(GLUED_TAILS)
    else:
        title = f"Торговый дом {rng.choice(GLUED_HEADS)}{rng.choice(GLUED_TAILS)}"
    return f"{form} «{title}»", f"{FULL_FORMS[form]} «{title}»"


def _short_name(name: str, rng: random.Random) -> str:
    """An OKPD2 name as people shorten it: the first clause, at most a few words."""
    for stop in (", ", " (", " прочие", " кроме", " не включенные"):
        if stop in name and rng.random() < 0.8:
            name = name.split(stop)[0]
    parts = name.split()
    return " ".join(parts[: rng.randint(1, 6)]) if len(parts) > 6 else name


def _qualifier(rng: random.Random) -> str:
    """One realistic qualifier: a size, a grade, a standard, a brand-like token, a packing."""
    kind = rng.randrange(9)
    if kind == 0:
        return f"{rng.choice((6, 8, 10, 12, 16, 20, 25, 32, 40, 57, 76, 89, 108, 159))} мм"
    if kind == 1:
        return f"{rng.choice((600, 1000, 1250, 2000))}х{rng.choice((200, 300, 500, 1200))} мм"
    if kind == 2:
        return f"ГОСТ {rng.randint(1000, 33000)}-{rng.randint(70, 99)}"
    if kind == 3:
        return f"марка {rng.choice(GRADES)}"
    if kind == 4:
        return f"сталь {rng.choice(STEEL_GRADES)}"
    if kind == 5:
        return f"ТМ «{rng.choice(BRAND_WORDS)}»"
    if kind == 6:
        return rng.choice(PACKING)
    if kind == 7:
        return f"{rng.choice(('1', '1,5', '2,2', '5,5', '7,5', '15'))} кВт"
    return f"сорт {rng.choice(('1', '2', 'высший'))}"


def _product_codes() -> list[tuple[str, str]]:
    """Real OKPD2 entries of goods (sections A–C, subclass and finer), in file order."""
    with data_path("okpd2.csv").open(encoding="utf-8") as f:
        return [
            (r["code"], r["name"])
            for r in csv.DictReader(f)
            if r["section"] in ("A", "B", "C") and int(r["level"]) >= 4
        ]


def product_titles(count: int, seed: int = 1) -> Iterator[tuple[str, str]]:
    """``count`` SYNTHETIC product-like names with the real OKPD2 code they were built from: a
    shortened real OKPD2 name plus zero to three qualifiers (``Трубы стальные 57 мм ГОСТ
    8732-78``). Codes are skewed so a few hold most names; names may repeat."""
    rng = random.Random(seed)
    codes = _product_codes()
    rng.shuffle(codes)
    weights = [1 / (i + 1) ** 0.7 for i in range(len(codes))]
    for code, name in rng.choices(codes, weights, k=count):
        extra = dict.fromkeys(_qualifier(rng) for _ in range(rng.choice((0, 1, 1, 2, 2, 3))))
        yield " ".join([_short_name(name, rng), *extra]), code


def posting_rows(count: int, seed: int = 1) -> Iterator[tuple]:
    """``count`` SYNTHETIC rows of ``search_documents`` (``documents.COLUMNS``, facet terms
    included): enterprises, product lines, needs and offers in the
    proportions of ``POSTING_KINDS``, with lemmas from ``index_terms`` as the index stores them.
    Every row's detail says «синтетические данные»; titles are shortened real OKPD2 names with
    real qualifiers, firm names are made of real words, regions and OKVED2 codes are real."""
    from promcluster.matching.documents import with_facets

    return with_facets(_postings(count, seed))


def _postings(count: int, seed: int) -> Iterator[tuple]:
    from promcluster.matching.text import expand, index_terms, lemmas

    rng = random.Random(seed)
    regions, activities, _ = _reference()
    region_weights = [1 / (i + 1) ** 0.8 for i in range(len(regions))]
    rng.shuffle(region_weights)
    kinds = rng.choices([k for k, _ in POSTING_KINDS], [w for _, w in POSTING_KINDS], k=count)
    # ``index_terms(title, note, okpd2 name)`` is ``expand`` of their lemmas in order; the
    # lemmas of each OKPD2 name are computed once.
    okpd2_lemmas = {code: lemmas(name) for code, name in _product_codes()}
    titles = product_titles(count, seed)
    firm_regions = rng.choices(regions, region_weights, k=50_000)
    firms = [(*_firm(rng), region) for region in firm_regions]
    moved = iter(rng.choices(regions, region_weights, k=count))
    serial = dict.fromkeys((k for k, _ in POSTING_KINDS), 0)
    label = "синтетические данные"
    for kind in kinds:
        serial[kind] += 1
        name, full_name, region = firm = rng.choice(firms)
        if kind == "enterprise":
            inn = inn10(f"{region}{serial[kind]:07d}")
            terms = [*index_terms(name, full_name), inn]
            okved = rng.choice(activities)
            yield (
                kind,
                serial[kind],
                None,
                name,
                f"{okved} ({label})",
                region,
                None,
                " ".join(terms),
            )
            continue
        title, code = next(titles)
        if kind == "product":
            direction = rng.choice(("производит", "потребляет", "потребляет"))
            detail = f"{direction}: {firm[0]} ({label})"
            terms = expand(lemmas(title) + okpd2_lemmas[code])
        else:
            region = next(moved) if rng.random() < 0.3 else region  # posted elsewhere
            detail = f"{name} ({label})"
            note = rng.choice(NEED_NOTES) if kind == "need" else None
            terms = expand(lemmas(title) + lemmas(note) + okpd2_lemmas[code])
        yield kind, serial[kind], None, title, detail, region, code, " ".join(terms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["enterprises", "products"])
    parser.add_argument("count", type=int, help="enterprises, or consumption lines for products")
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--enterprises", type=int, default=100_000, help="products: the imported register size"
    )
    parser.add_argument("--region", default="72", help="products: the region of the buyers")
    args = parser.parse_args()
    if args.kind == "products":
        write_products(args.output, args.count, args.enterprises, args.region, args.seed)
    else:
        write_enterprises(args.output, args.count, args.seed)


if __name__ == "__main__":
    main()
