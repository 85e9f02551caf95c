"""Forgiving look-ups of codes and regions as people write them in spreadsheets.

``25.11``, ``2511``, ``25.11.0`` and ``25.11.00`` all mean OKVED2 25.11; ``1.11`` (a leading zero
eaten by Excel) means 01.11. A region is found by its code, its name, its short name, its ISO code
or a "72 - Тюменская область" style label.
"""

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster.reference.models import City, Okpd, Okved, Region

_REGION_WORDS = re.compile(
    r"\b(область|обл|край|республика|респ|автономный округ|автономная область|ао|г|город)\b\.?"
)


def _code_of_digits(digits: str) -> str:
    """The dotted form of a code given by its digits (OKVED2 XX.XX.XX, OKPD2 XX.XX.XX.XXX):
    ``251100`` → ``25.11.00``."""
    parts, start = [], 0
    for end in (2, 4, 6):
        if len(digits) <= start:
            break
        parts.append(digits[start:end])
        start = end
    if len(digits) > 6:
        parts.append(digits[6:])
    return ".".join(parts)


class CodeIndex:
    """All codes of one classifier, and the rule that reads a written code."""

    def __init__(
        self, codes: set[str], label: str, names: dict[str, list[str]] | None = None
    ) -> None:
        self.codes = codes
        self.label = label
        self.names = names or {}  # the edition's codes by their name (``_name_key``)

    @classmethod
    def of(
        cls, session: Session, model: type[Okved] | type[Okpd], named: bool = False
    ) -> "CodeIndex":
        """The codes of ``model``'s classifier; with ``named``, their names too."""
        label = "ОКВЭД2" if model is Okved else "ОКПД2"
        if not named:
            return cls(set(session.scalars(select(model.code))), label)
        names: dict[str, list[str]] = {}
        codes = set()
        for code, name in session.execute(select(model.code, model.name)):
            codes.add(code)
            names.setdefault(_name_key(name), []).append(code)
        return cls(codes, label, names)

    def renumbered(self, written: str, name: str | None) -> str | None:
        """The edition's code for a code it lacks (``written``, retired or renumbered by an
        amendment) whose official ``name`` the document states: the code bearing exactly that
        name, when the codes bearing it are one code and its parents (the deepest is taken);
        None when the name is absent, unknown or shared by unrelated codes."""
        if written in self.codes or not name:
            return None
        codes = sorted(self.names.get(_name_key(name), []), key=len)
        if codes and all(codes[-1].startswith(c) for c in codes):
            return codes[-1]
        return None

    def resolve(self, written: object) -> str:
        """The stored code for ``written``; ValueError with a Russian message when none fits."""
        raw = str(written).strip().replace(",", ".").replace(" ", "")
        if raw.upper() in self.codes:
            return raw.upper()
        groups = raw.split(".")
        if len(groups) > 1 and len(groups[0]) == 1:
            groups[0] = "0" + groups[0]
        digits = "".join(groups)
        if not digits.isdigit():
            raise ValueError(f"«{written}» не похоже на код {self.label}")
        code = _code_of_digits(digits)
        while code not in self.codes and digits.endswith("0") and len(digits) > 2:
            digits = digits[:-1]
            code = _code_of_digits(digits)
        if code in self.codes:
            return code
        raise ValueError(f"нет кода {self.label} «{written}»")


def _name_key(name: str) -> str:
    return " ".join(name.casefold().replace("ё", "е").split())


def _region_key(text: str) -> str:
    key = text.casefold().replace("ё", "е").replace("—", "-").replace("–", "-")
    key = _REGION_WORDS.sub(" ", key)
    return " ".join(re.sub(r"[^\w\s-]", " ", key).split())


class RegionIndex:
    """Regions by every name people use for them, and cities by region and name."""

    def __init__(self, session: Session) -> None:
        self.by_key: dict[str, str] = {}
        self.codes: set[str] = set()
        for r in session.scalars(select(Region)):
            self.codes.add(r.code)
            for name in (r.name, r.short_name, r.iso_code or ""):
                if name:
                    self.by_key.setdefault(_region_key(name), r.code)
                    self.by_key.setdefault(name.casefold(), r.code)
        self.cities: dict[tuple[str, str], City] = {
            (c.region_code, c.name.casefold().replace("ё", "е")): c
            for c in session.scalars(select(City))
        }

    def resolve(self, written: object) -> str:
        """The two-digit code of the region written as ``written``."""
        text = str(written).strip()
        match = re.match(r"^(\d{1,2})(?!\d)(?:\s*[-–—.,:]?\s*(.*))?$", text)
        if match:
            code = match.group(1).zfill(2)
            if code in self.codes:
                return code
            raise ValueError(f"нет субъекта РФ с кодом «{code}»")
        code = self.by_key.get(text.casefold()) or self.by_key.get(_region_key(text))
        if code is None:
            raise ValueError(f"не удалось узнать регион «{text}»")
        return code

    def city(self, region_code: str, name: object) -> City | None:
        """The city called ``name`` in the region, if the reference knows it."""
        key = re.sub(r"^(г\.?|город)\s+", "", str(name).strip().casefold()).replace("ё", "е")
        return self.cities.get((region_code, key))
