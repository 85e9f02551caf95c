"""Check digits of Russian company identifiers: INN (ИНН) and OGRN (ОГРН/ОГРНИП)."""

from operator import mul

# The first two digits of an INN or KPP are its tax office's region, except the Moscow
# inspectorates numbered 97xx since 2020 (INNs 97…). Codes of regions the reference lacks (90,
# 93–95) and 99 (interregional inspectorates of the largest taxpayers) name no region.
TAX_REGIONS = {"97": "77"}

_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check(digits: list[int], weights: tuple[int, ...]) -> int:
    return sum(map(mul, digits, weights)) % 11 % 10


def inn_error(inn: str) -> str | None:
    """Why ``inn`` is not a valid INN, in Russian, or None when it is valid."""
    if not (inn.isascii() and inn.isdigit()) or len(inn) not in (10, 12):
        return "ИНН должен состоять из 10 (организация) или 12 (ИП) цифр"
    d = list(map(int, inn))
    if len(inn) == 10:
        ok = _check(d, _INN10) == d[9]
    else:
        ok = _check(d, _INN12_11) == d[10] and _check(d, _INN12_12) == d[11]
    return None if ok else "неверная контрольная цифра ИНН"


def ogrn_error(ogrn: str) -> str | None:
    """Why ``ogrn`` is not a valid OGRN (13 digits) or OGRNIP (15 digits), or None."""
    if not (ogrn.isascii() and ogrn.isdigit()) or len(ogrn) not in (13, 15):
        return "ОГРН должен состоять из 13 цифр (ОГРНИП — из 15)"
    body, check = int(ogrn[:-1]), int(ogrn[-1])
    modulus = 11 if len(ogrn) == 13 else 13
    ok = body % modulus % 10 == check
    return None if ok else "неверная контрольная цифра ОГРН"


def tax_region(identifier: str) -> str:
    """The region code of an INN's or KPP's tax office (its first two digits, 97 → 77); the
    caller checks that the reference has it."""
    code = identifier[:2]
    return TAX_REGIONS.get(code, code)
