"""Finding the records a form field refers to by what people know of them, and reading what
was typed into a picker field when no script chose an item.

Five kinds: ``enterprise`` (by name through the search index, by INN or OGRN), ``cluster`` (by
name), ``region`` (by code or name), ``okved`` and ``okpd2`` (by code prefix or name). ``find``
serves the typeahead; ``resolve`` reads one typed value, refusing it with a message naming the
field when it matches nothing or several records; ``read_form`` does that for every picker field
of a posted form."""

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from promcluster.errors import FieldChecks, InvalidField
from promcluster.matching.search import search
from promcluster.reference.models import Okpd, Okved, Region
from promcluster.reference.service import normalise_code
from promcluster.registry.models import Cluster, Enterprise, search_key

KINDS = ("enterprise", "cluster", "region", "okved", "okpd2")
QUERY_CHARS = 100
LIMIT = 10
MAX_LIMIT = 20
TEXT_SUFFIX = "__text"  # the visible field of a picker is its name plus this
NOUNS = {  # (none found, several found, what to type)
    "enterprise": ("ни одного предприятия", "предприятий", "название, ИНН или ОГРН"),
    "cluster": ("ни одного кластера", "кластеров", "название кластера"),
    "region": ("ни одного региона", "регионов", "название или код региона"),
    "okved": ("ни одного кода ОКВЭД2", "кодов ОКВЭД2", "код или название вида деятельности"),
    "okpd2": ("ни одного кода ОКПД2", "кодов ОКПД2", "код или название продукции"),
}
_DIGITS = re.compile(r"^\d+$")
_CODE = re.compile(r"^[A-Za-z]?[\d.]+$")


@dataclass(frozen=True)
class Choice:
    """One item a picker offers: the value posted and what the user reads."""

    value: str
    label: str
    detail: str = ""


def check_kind(kind: str) -> str:
    """``kind`` when it is a picker kind; InvalidField naming ``kind`` otherwise."""
    if kind not in KINDS:
        raise InvalidField(
            "kind", f"неизвестный вид выбора «{kind}»; допустимы: {', '.join(KINDS)}"
        )
    return kind


def _query(text: str) -> str:
    """The typed text, trimmed and cut to ``QUERY_CHARS``."""
    return " ".join(str(text).split())[:QUERY_CHARS]


def _enterprise_choice(e: Enterprise) -> Choice:
    ids = ", ".join(x for x in (e.inn and f"ИНН {e.inn}", e.ogrn and f"ОГРН {e.ogrn}") if x)
    return Choice(str(e.id), e.name, ids)


def _like(column, text: str):
    """Case-insensitive ``contains`` that also works for Cyrillic on SQLite (whose lower() only
    folds ASCII): the lower-case and the capitalised forms of the text."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(
        column.ilike(f"%{escaped.lower()}%", escape="\\"),
        column.like(f"%{escaped[:1].upper()}{escaped[1:].lower()}%", escape="\\"),
    )


def _enterprises(session: Session, text: str, limit: int) -> list[Choice]:
    if _DIGITS.match(text):
        if len(text) < 4:
            return []
        rows = session.scalars(
            select(Enterprise)
            .where(or_(Enterprise.inn.startswith(text), Enterprise.ogrn.startswith(text)))
            .order_by(Enterprise.name)
            .limit(limit)
        )
        return [_enterprise_choice(e) for e in rows]
    hits = search(session, text, kinds=("enterprise",), limit=limit, prefix=True).hits
    by_id = {
        e.id: e
        for e in session.scalars(
            select(Enterprise).where(Enterprise.id.in_([h.ref_id for h in hits]))
        )
    }
    return [_enterprise_choice(by_id[h.ref_id]) for h in hits if h.ref_id in by_id]


def _clusters(session: Session, text: str, limit: int) -> list[Choice]:
    words = search_key(text).split()
    query = select(Cluster).order_by(Cluster.name).limit(limit)
    for word in words:
        query = query.where(Cluster.search_text.contains(word, autoescape=True))
    return [Choice(str(c.id), c.name, ", ".join(c.region_codes)) for c in session.scalars(query)]


def _regions(session: Session, text: str, limit: int) -> list[Choice]:
    key = text.casefold().replace("ё", "е")
    found = []
    for r in session.scalars(select(Region).order_by(Region.name)):
        names = (r.name.casefold().replace("ё", "е"), r.short_name.casefold().replace("ё", "е"))
        if r.code == text.zfill(2) or any(key in n for n in names):
            found.append(Choice(r.code, r.name, f"код {r.code}"))
    found.sort(key=lambda c: c.value != text.zfill(2))  # the code typed comes first
    return found[:limit]


def _codes(
    session: Session, model: type[Okved] | type[Okpd], text: str, limit: int
) -> list[Choice]:
    if _CODE.match(text):
        condition = model.code.startswith(normalise_code(text).rstrip("."))
    else:
        condition = _like(model.name, text)
    rows = session.execute(
        select(model.code, model.name).where(condition).order_by(model.code).limit(limit)
    )
    return [Choice(code, f"{code} {name}") for code, name in rows]


def find(session: Session, kind: str, text: str, limit: int = LIMIT) -> list[Choice]:
    """At most ``limit`` (1…``MAX_LIMIT``) items of ``kind`` matching ``text``."""
    check_kind(kind)
    text, limit = _query(text), max(1, min(limit, MAX_LIMIT))
    if not text:
        return []
    if kind == "enterprise":
        return _enterprises(session, text, limit)
    if kind == "cluster":
        return _clusters(session, text, limit)
    if kind == "region":
        return _regions(session, text, limit)
    return _codes(session, Okved if kind == "okved" else Okpd, text, limit)


def _exact(session: Session, kind: str, text: str) -> Choice | None:
    """The one item ``text`` names exactly: an INN or OGRN, a region's code or name, a code."""
    if kind == "enterprise":
        if _DIGITS.match(text) and len(text) in (10, 12, 13, 15):
            column = Enterprise.inn if len(text) in (10, 12) else Enterprise.ogrn
            e = session.scalar(select(Enterprise).where(column == text))
            return _enterprise_choice(e) if e else None
        same = session.scalars(select(Enterprise).where(Enterprise.name == text).limit(2)).all()
        return _enterprise_choice(same[0]) if len(same) == 1 else None
    if kind == "cluster":
        named = session.scalars(select(Cluster).where(Cluster.name == text).limit(2)).all()
        return Choice(str(named[0].id), named[0].name) if len(named) == 1 else None
    if kind == "region":
        key = text.casefold().replace("ё", "е")
        for r in session.scalars(select(Region)):
            names = (r.code, r.name.casefold().replace("ё", "е"), r.short_name.casefold())
            if text.zfill(2) == r.code or key in names:
                return Choice(r.code, r.name, f"код {r.code}")
        return None
    model = Okved if kind == "okved" else Okpd
    code = normalise_code(text.split(" ", 1)[0])
    name = session.scalar(select(model.name).where(model.code == code))
    return Choice(code, f"{code} {name}") if name is not None else None


def resolve(session: Session, kind: str, text: str, field: str, label: str) -> Choice:
    """The one item of ``kind`` that ``text`` means; InvalidField naming ``field`` (labelled
    ``label`` for the user) when it matches nothing or several."""
    check_kind(kind)
    text = _query(text)
    none, many, hint = NOUNS[kind]
    exact = _exact(session, kind, text)
    if exact is not None:
        return exact
    found = find(session, kind, text, limit=MAX_LIMIT)
    if len(found) == 1:
        return found[0]
    if not found:
        raise InvalidField(
            field, f"«{label}»: не найдено {none} по запросу «{text}»; введите {hint}"
        )
    shown = "; ".join(c.label for c in found[:3])
    more = " и другие" if len(found) > 3 else ""
    raise InvalidField(
        field,
        f"«{label}»: запросу «{text}» соответствует несколько {many} ({shown}{more}); "
        f"выберите из списка или уточните: {hint}",
    )


def chosen(session: Session, kind: str, values: list[Any]) -> list[Choice]:
    """The items stored as ``values`` (ids or codes), labelled; unknown values keep their text."""
    values = [str(v) for v in values if v is not None and str(v) != ""]
    if not values:
        return []
    if kind == "enterprise":
        ids = [int(v) for v in values if v.isdigit()]
        rows = {
            str(e.id): e for e in session.scalars(select(Enterprise).where(Enterprise.id.in_(ids)))
        }
        return [_enterprise_choice(rows[v]) if v in rows else Choice(v, v) for v in values]
    if kind == "cluster":
        ids = [int(v) for v in values if v.isdigit()]
        names = dict(
            session.execute(select(Cluster.id, Cluster.name).where(Cluster.id.in_(ids))).all()
        )
        return [
            Choice(v, names[int(v)]) if v.isdigit() and int(v) in names else Choice(v, v)
            for v in values
        ]
    if kind == "region":
        rows = {r.code: r for r in session.scalars(select(Region).where(Region.code.in_(values)))}
        return [Choice(v, rows[v].name, f"код {v}") if v in rows else Choice(v, v) for v in values]
    model = Okved if kind == "okved" else Okpd
    names = dict(
        session.execute(select(model.code, model.name).where(model.code.in_(values))).all()
    )
    return [Choice(v, f"{v} {names[v]}" if v in names else v) for v in values]


@dataclass(frozen=True)
class Picker:
    """A picker field of a form: its name (the posted id or code), kind, label, and whether it
    takes several values."""

    name: str
    kind: str
    label: str
    multiple: bool = False


@dataclass
class PickedForm:
    """A posted form with its picker fields read: ``form`` holds ids and codes only (the typed
    texts resolved), ``choices`` the items of each picker to show again, ``texts`` what could
    not be resolved (kept in the visible field), ``errors`` a message per refused field."""

    form: FormData
    choices: dict[str, list[Choice]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def read_form(session: Session, form: FormData, pickers: list[Picker]) -> PickedForm:
    """The form with each picker's typed text resolved into the id or code it means (a
    multiple picker's text is a comma-separated list). Every refused field is reported."""
    names = {p.name for p in pickers} | {p.name + TEXT_SUFFIX for p in pickers}
    items = [(k, v) for k, v in form.multi_items() if k not in names]
    picked = PickedForm(form)
    checks = FieldChecks()
    for p in pickers:
        if p.name not in form and p.name + TEXT_SUFFIX not in form:
            continue  # not on this form: left as it is
        values = [str(v).strip() for v in form.getlist(p.name) if str(v).strip()]
        typed = str(form.get(p.name + TEXT_SUFFIX) or "").strip()
        choices = chosen(session, p.kind, values)
        if p.multiple:
            parts = [t.strip() for t in typed.split(",") if t.strip()]
        elif p.name + TEXT_SUFFIX not in form or (choices and typed == choices[0].label):
            parts, choices = [], choices[:1]  # posted by id, or the chosen item's text untouched
        else:
            parts, choices = [typed], []  # typed (or emptied) by hand: the text decides
        left = []
        for part in parts:
            if not part:
                continue
            item = checks.check(resolve, session, p.kind, part, p.name, p.label)
            if item is None:
                left.append(part)
            elif item.value not in {c.value for c in choices}:
                choices.append(item)
        picked.choices[p.name] = choices
        picked.texts[p.name] = ", ".join(left)
        items += [(p.name, c.value) for c in choices] if choices else [(p.name, "")]
    picked.errors = checks.refused
    picked.form = FormData(items)
    return picked


def shown(session: Session, pickers: list[Picker], values: dict[str, Any]) -> PickedForm:
    """The pickers of a form showing stored ``values`` (an id or code, or a list of them, per
    field name), for a form opened to edit a record."""
    picked = PickedForm(FormData())
    for p in pickers:
        value = values.get(p.name)
        listed = value if isinstance(value, list | tuple) else [value]
        picked.choices[p.name] = chosen(session, p.kind, list(listed))
    return picked
