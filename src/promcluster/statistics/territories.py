"""Territory labels of official statistics → codes: subjects by their official names as Rosstat
writes them («Город Москва столица Российской Федерации город федерального значения»,
«Республика Татарстан (Татарстан)», «Ненецкий автономный округ (Архангельская область)»,
«Тюменская область (кроме …)»), federal districts, and «Российская Федерация». A label that
matches no name exactly (after case, «ё», spaces and hyphens are evened out) is not guessed."""

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster.reference.models import Region
from promcluster.statistics.models import COUNTRY

# The complex subjects of Rosstat: the plain name means the subject with its autonomous okrugs;
# the subject without them is written «… (кроме …)».
COMPOSITES = {"29": ("83",), "72": ("86", "89")}
DISTRICT_PREFIX = "FD:"
_CITY_WORDS = re.compile(
    r"^(г\.|город)\s+|\s+(столица российской федерации|город федерального значения)\b"
)
_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)$")


def label_key(text: str) -> str:
    """A label as compared: lower case, «ё» as «е», single spaces, no spaces around hyphens."""
    key = str(text).casefold().replace("ё", "е").replace("—", "-").replace("–", "-")
    key = " ".join(key.split())
    return re.sub(r"\s*-\s*", "-", key)


def composite_code(code: str) -> str:
    """The code of a complex subject with its autonomous okrugs: ``72`` → ``72+86+89``."""
    return "+".join((code, *COMPOSITES[code]))


class Territories:
    """Every subject's official name, and the federal districts, read from the reference."""

    def __init__(self, session: Session) -> None:
        self.by_name: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.districts: set[str] = set()
        for r in session.scalars(select(Region)):
            self.by_name[label_key(r.name)] = r.code
            self.names[r.code] = r.name
            self.districts.add(r.federal_district)

    def _subject(self, key: str) -> str | None:
        key = label_key(_CITY_WORDS.sub(" ", key))
        while _CITY_WORDS.search(key):
            key = label_key(_CITY_WORDS.sub(" ", key))
        return self.by_name.get(key)

    def resolve(self, written: str) -> str:
        """The code of the territory labelled ``written``; ValueError saying why not."""
        key = label_key(written)
        if key in ("российская федерация", "россия"):
            return COUNTRY
        district = re.fullmatch(r"([\w-]+) федеральный округ", key)
        if district:
            name = district.group(1).capitalize()
            if name in self.districts:
                return DISTRICT_PREFIX + name
            raise ValueError(f"нет федерального округа «{written.strip()}»")
        code = self._subject(key)
        if code is not None:
            return composite_code(code) if code in COMPOSITES else code
        inside = _PARENTHESIS.search(key)
        if inside:
            outer, note = key[: inside.start()], inside.group(1)
            code = self._subject(outer)
            if code is not None and note.startswith("кроме "):
                return code  # «Тюменская область (кроме …)»: the subject without its okrugs
            if code is not None and (
                self._subject(note) is not None or label_key(self.names[code]).endswith(note)
                or note in outer
            ):  # fmt: skip
                # «Ненецкий автономный округ (Архангельская область)», «… (Татарстан)»
                return code
        raise ValueError(f"не удалось узнать регион «{written.strip()}»")

    def name(self, code: str) -> str:
        """The name of a territory code as shown on pages."""
        if code == COUNTRY:
            return "Российская Федерация"
        if code.startswith(DISTRICT_PREFIX):
            return f"{code[len(DISTRICT_PREFIX) :]} федеральный округ"
        if "+" in code:
            return f"{self.names[code.split('+')[0]]} (с автономными округами)"
        return self.names.get(code, code)
