"""Administration of the requirements: list editions, change an edition's parameters, switch it
off or close it, add a new edition, copy the federal set into a region's own set. Parameters are
checked against the package's default edition of the rule: the same keys and types."""

import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster import records
from promcluster.auth import permissions
from promcluster.auth.models import User
from promcluster.compliance.models import Rule
from promcluster.compliance.rules import FEDERAL, ORDER, default_rules
from promcluster.errors import InvalidField
from promcluster.labels import MEMBERSHIP_ROLES
from promcluster.reference import service as reference

SHARES = {"min_share", "min_share_priority", "priority_participants_share"}
NON_NEGATIVE = {"max_without_output"}  # other whole numbers must be positive
REGION_SET = re.compile(r"region:(\d{2})")
EDITABLE = ("params", "enabled", "valid_to", "title", "requirement", "source", "reading", "note")


def list_rules(session: Session, rule_set: str | None = None) -> list[Rule]:
    """Every edition (of one rule set, or of all), by set, rule order and date."""
    query = select(Rule)
    if rule_set:
        query = query.where(Rule.rule_set == rule_set)
    order = {code: i for i, code in enumerate(ORDER)}
    rules = session.scalars(query).all()
    return sorted(rules, key=lambda r: (r.rule_set != FEDERAL, r.rule_set, order.get(r.code, 99),
                                        r.code, r.valid_from))  # fmt: skip


def rule_sets(session: Session) -> list[str]:
    """The names of the rule sets present (federal first)."""
    names = set(session.scalars(select(Rule.rule_set).distinct()))
    return sorted(names, key=lambda n: (n != FEDERAL, n))


def default_params(code: str) -> dict[str, Any]:
    """The parameters of the package's default edition of ``code`` (the shape to keep)."""
    for rule in default_rules()[1]:
        if rule["code"] == code:
            return rule["params"]
    raise InvalidField("code", f"нет правила {code} в федеральном наборе")


def validate_params(code: str, params: Any) -> dict[str, Any]:
    """``params`` when it has the default edition's keys with values of the same types and in
    range; else InvalidField naming the parameter."""
    expected = default_params(code)
    if not isinstance(params, dict):
        raise InvalidField("params", "ожидается объект «параметр: значение»")
    missing, unknown = set(expected) - set(params), set(params) - set(expected)
    if missing:
        raise InvalidField(f"params.{sorted(missing)[0]}", "параметр обязателен")
    if unknown:
        raise InvalidField(f"params.{sorted(unknown)[0]}", "неизвестный параметр")
    return {key: _checked(key, params[key], expected[key]) for key in expected}


def _checked(key: str, value: Any, default: Any) -> Any:
    field = f"params.{key}"
    if key in SHARES:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise InvalidField(field, "доля от 0 до 1 (например, 0.2 — это 20 %)")
        return float(value)
    if isinstance(default, int):
        low = 0 if key in NON_NEGATIVE else 1
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise InvalidField(field, f"целое число не меньше {low}")
        return value
    if isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidField(field, "ожидается список строк")
        allowed = MEMBERSHIP_ROLES if key == "exclude_roles" else None
        for v in value:
            if allowed is not None and v not in allowed:
                raise InvalidField(
                    field, f"неизвестная роль «{v}»; допустимы: {', '.join(allowed)}"
                )
            if key == "industrial_sections" and not re.fullmatch(r"[A-U]", v):
                raise InvalidField(field, f"«{v}» — не раздел ОКВЭД2 (буква от A до U)")
        return list(dict.fromkeys(value))
    if key.endswith("_date"):
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise InvalidField(field, "дата в виде ГГГГ-ММ-ДД") from None
    if not isinstance(value, type(default)):
        raise InvalidField(field, "неверный тип значения")
    return value


def require_rule_set_name(session: Session, rule_set: str) -> str:
    """``federal`` or ``region:NN`` of an existing region."""
    if rule_set == FEDERAL:
        return rule_set
    match = REGION_SET.fullmatch(rule_set or "")
    if match is None:
        raise InvalidField("rule_set", "набор правил: federal или region:NN (код региона)")
    reference.require_region(session, match.group(1), "rule_set")
    return rule_set


def update_rule(session: Session, user: User | None, rule_id: int, data: dict[str, Any]) -> Rule:
    """Change an edition: ``params`` (validated), ``enabled``, ``valid_to`` and the texts;
    ``data`` carries the version read."""
    permissions.require_admin(user)
    rule = records.get(session, Rule, rule_id)
    data = dict(data)
    records.check_version(rule, data)
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise InvalidField(sorted(unknown)[0], "это поле правила не изменяется")
    if "params" in data:
        data["params"] = validate_params(rule.code, data["params"])
    if data.get("valid_to") is not None and data["valid_to"] <= rule.valid_from:
        raise InvalidField("valid_to", "дата окончания должна быть позже даты начала действия")
    if "reading" in data and data["reading"] not in ("confirmed", "confirm"):
        raise InvalidField("reading", "допустимы confirmed или confirm")
    for key, value in data.items():
        setattr(rule, key, value)
    records.flush(session)
    return rule


def add_edition(session: Session, user: User | None, data: dict[str, Any]) -> Rule:
    """A new edition of a rule from ``valid_from``: the texts and checklist come from the
    edition in force just before it (its parameters too, unless given); that edition, if open,
    now ends where the new one starts."""
    permissions.require_admin(user)
    rule_set = require_rule_set_name(session, data.get("rule_set") or FEDERAL)
    code, valid_from = data["code"], data["valid_from"]
    editions = session.scalars(
        select(Rule).where(Rule.rule_set == rule_set, Rule.code == code).order_by(Rule.valid_from)
    ).all()
    if not editions:
        raise InvalidField("code", f"в наборе «{rule_set}» нет правила {code}")
    if any(e.valid_from == valid_from for e in editions):
        raise InvalidField("valid_from", "редакция с этой датой начала уже есть")
    before = [e for e in editions if e.valid_from < valid_from]
    base = before[-1] if before else editions[0]
    params = validate_params(
        code, data["params"] if data.get("params") is not None else base.params
    )
    valid_to = data.get("valid_to")
    if valid_to is not None and valid_to <= valid_from:
        raise InvalidField("valid_to", "дата окончания должна быть позже даты начала действия")
    rule = Rule(
        rule_set=rule_set, code=code, valid_from=valid_from, valid_to=valid_to, params=params,
        title=data.get("title") or base.title,
        requirement=data.get("requirement") or base.requirement,
        decided_by=base.decided_by, checklist=list(base.checklist or []), enabled=True,
        source=data.get("source") or base.source, reading=data.get("reading") or base.reading,
        note=data.get("note") if data.get("note") is not None else base.note,
    )  # fmt: skip
    if before and (base.valid_to is None or base.valid_to > valid_from):
        base.valid_to = valid_from
    session.add(rule)
    records.flush(session)
    return rule


def copy_rule_set(session: Session, user: User | None, region_code: str) -> list[Rule]:
    """Copy the federal editions into ``region:NN`` (those it lacks); returns the added ones."""
    permissions.require_admin(user)
    region = reference.require_region(session, region_code, "region_code")
    target = f"region:{region.code}"
    have = set(session.execute(select(Rule.code, Rule.valid_from).where(Rule.rule_set == target)))
    added = []
    for r in list_rules(session, FEDERAL):
        if (r.code, r.valid_from) in have:
            continue
        copy = Rule(
            rule_set=target, code=r.code, title=r.title, requirement=r.requirement,
            decided_by=r.decided_by, params=dict(r.params or {}), checklist=list(r.checklist or []),
            valid_from=r.valid_from, valid_to=r.valid_to, enabled=r.enabled, source=r.source,
            reading=r.reading, note=r.note,
        )  # fmt: skip
        session.add(copy)
        added.append(copy)
    records.flush(session)
    return added


def params_from_form(code: str, texts: dict[str, str]) -> dict[str, Any]:
    """Parameters typed into the rules page (numbers with a comma or a point, lists separated
    by commas), converted to the default edition's types and validated."""
    expected, params = default_params(code), {}
    for key, default in expected.items():
        text = (texts.get(key) or "").strip()
        if isinstance(default, list):
            params[key] = [p.strip() for p in text.split(",") if p.strip()]
        elif isinstance(default, int | float) and not isinstance(default, bool):
            try:
                number = float(text.replace(",", "."))
            except ValueError:
                raise InvalidField(f"params.{key}", "ожидается число") from None
            params[key] = (
                int(number) if isinstance(default, int) and number.is_integer() else number
            )
        else:
            params[key] = text
    return validate_params(code, params)
