"""The requirements as data: the package's default editions, loaded into ``compliance_rules``,
and the editions in force on a date."""

import json
from datetime import date
from importlib import resources
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from promcluster.compliance.models import Rule
from promcluster.reference.service import LoadReport

FEDERAL = "federal"
DEFAULTS = resources.files("promcluster.compliance") / "data" / "federal.json"


def default_rules(path: Path | None = None) -> tuple[str, list[dict]]:
    """The rule set name and its editions, as stored (dates parsed)."""
    data = json.loads((path or DEFAULTS).read_text(encoding="utf-8"))
    rules = []
    for r in data["rules"]:
        row = dict(r)
        row["valid_from"] = date.fromisoformat(r["valid_from"])
        row["valid_to"] = date.fromisoformat(r["valid_to"]) if r.get("valid_to") else None
        rules.append(row)
    return data["rule_set"], rules


def load_rules(session: Session, path: Path | None = None) -> LoadReport:
    """Add the editions missing from the database; editions already there (and an
    administrator's changes to them) are kept."""
    rule_set, rules = default_rules(path)
    have = set(session.execute(select(Rule.code, Rule.valid_from).where(Rule.rule_set == rule_set)))
    added = 0
    for r in rules:
        if (r["code"], r["valid_from"]) not in have:
            session.add(Rule(rule_set=rule_set, **r))
            added += 1
    session.flush()
    return LoadReport(Rule.__tablename__, added, 0)


def in_force(session: Session, as_of: date, rule_set: str = FEDERAL) -> list[Rule]:
    """For each rule code of ``rule_set``, the enabled edition in force on ``as_of``."""
    rows = session.scalars(
        select(Rule)
        .where(
            Rule.rule_set == rule_set,
            Rule.enabled.is_(True),
            Rule.valid_from <= as_of,
            or_(Rule.valid_to.is_(None), Rule.valid_to > as_of),
        )
        .order_by(Rule.code, Rule.valid_from.desc())
    )
    chosen: dict[str, Rule] = {}
    for rule in rows:
        chosen.setdefault(rule.code, rule)
    return sorted(chosen.values(), key=lambda r: ORDER.index(r.code) if r.code in ORDER else 99)


ORDER = ("C1", "C2", "C3", "C4", "C5", "C6", "C7", "S1", "V1")
