"""The compliance check of a cluster as of a date: one criterion per rule in force, with its
value, threshold, status, offending records, checklist and the rule edition it applied."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster import records
from promcluster.auth.models import User
from promcluster.compliance.criteria import evaluate
from promcluster.compliance.facts import Offender, gather
from promcluster.compliance.models import Mark, Rule
from promcluster.compliance.rules import FEDERAL, ORDER, in_force
from promcluster.documents.models import Document
from promcluster.errors import InvalidField
from promcluster.registry.models import Cluster


@dataclass(frozen=True)
class ClusterRef:
    id: int
    name: str


@dataclass(frozen=True)
class Edition:
    """The rule edition a criterion was evaluated with."""

    rule_id: int
    rule_set: str
    valid_from: date
    valid_to: date | None
    source: str
    reading: str
    params: dict
    requirement: str
    note: str | None


@dataclass(frozen=True)
class CitedDocument:
    """A document of the cluster's dossier a checklist mark cites. In a report for the public
    a document the cluster has not made public shows only its id (``public`` False)."""

    id: int
    public: bool
    kind: str | None = None  # a key of labels.DOCUMENT_KINDS
    title: str | None = None
    number: str | None = None
    signed_on: date | None = None


@dataclass(frozen=True)
class ChecklistItem:
    """A checklist item of a rule and the cluster's mark on it: ``done`` when ticked with a
    reference or a document; ``document_removed`` when the tick's only document was deleted."""

    key: str
    label: str
    done: bool
    reference: str | None
    note: str | None
    marked_on: date | None
    marked_by: str | None
    version: int | None  # of the mark, for the next change (None: never marked)
    document: CitedDocument | None = None
    document_removed: bool = False


@dataclass
class Criterion:
    id: str  # the rule code, C1 … V1
    title: str
    decided_by: str
    status: str
    explanation: str
    value: float | int | str | None
    threshold: float | int | str | None
    op: str | None
    unit: str | None
    offenders: list[Offender]
    notes: list[str]
    checklist: list[ChecklistItem]
    edition: Edition


@dataclass(frozen=True)
class NotInForce:
    """A rule of the set with no enabled edition in force on the date."""

    id: str
    title: str
    editions: list[str]  # "16.11.2021 — …", with "(отключена)" for disabled ones


@dataclass
class Report:
    cluster: ClusterRef
    as_of: date
    rule_set: str
    verdict: str  # fail, incomplete, pass
    criteria: list[Criterion]
    not_in_force: list[NotInForce] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Criteria per status."""
        found: dict[str, int] = {}
        for c in self.criteria:
            found[c.status] = found.get(c.status, 0) + 1
        return found


def verdict_of(statuses: list[str]) -> str:
    """fail if any criterion fails; else incomplete if any is undecided; else pass."""
    if "fail" in statuses:
        return "fail"
    if "unknown" in statuses or "checklist" in statuses:
        return "incomplete"
    return "pass"


def require_rule_set(session: Session, rule_set: str) -> None:
    """Refuse a rule set without any edition."""
    if session.scalar(select(Rule.id).where(Rule.rule_set == rule_set).limit(1)) is None:
        raise InvalidField("rule_set", f"нет правил в наборе «{rule_set}»")


def check(
    session: Session,
    cluster_id: int,
    as_of: date,
    rule_set: str = FEDERAL,
    *,
    for_public: bool = False,
) -> Report:
    """The check of ``cluster_id`` against the editions of ``rule_set`` in force on ``as_of``;
    ``for_public``: as anonymous visitors read it (cited documents that are not public are
    named only as such)."""
    cluster = records.get(session, Cluster, cluster_id)
    require_rule_set(session, rule_set)
    rules = in_force(session, as_of, rule_set)
    facts = gather(session, cluster, as_of, rules)
    names = _marker_names(session, [m.marked_by for m in facts.marks.values() if m.marked_by])
    cited = _cited(session, [m.document_id for m in facts.marks.values()], for_public)
    criteria = []
    for rule in rules:
        outcome = evaluate(facts, rule)
        criteria.append(
            Criterion(
                id=rule.code,
                title=rule.title,
                decided_by=rule.decided_by,
                status=outcome.status,
                explanation=outcome.explanation,
                value=outcome.value,
                threshold=outcome.threshold,
                op=outcome.op,
                unit=outcome.unit,
                offenders=outcome.offenders,
                notes=outcome.notes,
                checklist=_checklist(rule, facts.marks, names, cited),
                edition=_edition(rule),
            )
        )
    return Report(
        cluster=ClusterRef(cluster.id, cluster.name),
        as_of=as_of,
        rule_set=rule_set,
        verdict=verdict_of([c.status for c in criteria]),
        criteria=criteria,
        not_in_force=_not_in_force(session, rule_set, {r.code for r in rules}),
    )


def _edition(rule: Rule) -> Edition:
    return Edition(
        rule.id, rule.rule_set, rule.valid_from, rule.valid_to, rule.source, rule.reading,
        dict(rule.params or {}), rule.requirement, rule.note,
    )  # fmt: skip


def _checklist(
    rule: Rule, marks: dict, names: dict[int, str], cited: dict[int, CitedDocument]
) -> list[ChecklistItem]:
    items = []
    for entry in rule.checklist or []:
        mark: Mark | None = marks.get((rule.code, entry["key"]))
        items.append(
            ChecklistItem(
                key=entry["key"],
                label=entry["label"],
                done=bool(mark and mark.evidenced),
                reference=mark.reference if mark else None,
                note=mark.note if mark else None,
                marked_on=mark.marked_on if mark else None,
                marked_by=names.get(mark.marked_by) if mark and mark.marked_by else None,
                version=mark.version if mark else None,
                document=cited.get(mark.document_id) if mark and mark.document_id else None,
                document_removed=bool(mark and mark.done and not mark.evidenced),
            )
        )
    return items


def _cited(session: Session, ids: list[int | None], for_public: bool) -> dict[int, CitedDocument]:
    """The documents the marks cite, by id; only the ids of private ones ``for_public``."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    found = {}
    for d in session.scalars(select(Document).where(Document.id.in_(wanted))):
        shown = d.public or not for_public
        found[d.id] = (
            CitedDocument(d.id, d.public, d.kind, d.title, d.number, d.signed_on)
            if shown
            else CitedDocument(d.id, d.public)
        )
    return found


def _marker_names(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.full_name, User.username).where(User.id.in_(ids)))
    return {i: full or username for i, full, username in rows}


def _not_in_force(session: Session, rule_set: str, applied: set[str]) -> list[NotInForce]:
    rows = session.scalars(
        select(Rule)
        .where(Rule.rule_set == rule_set, Rule.code.not_in(applied) if applied else True)
        .order_by(Rule.code, Rule.valid_from)
    )
    found: dict[str, NotInForce] = {}
    for rule in rows:
        entry = found.setdefault(rule.code, NotInForce(rule.code, rule.title, []))
        span = (
            f"{rule.valid_from:%d.%m.%Y} — {rule.valid_to:%d.%m.%Y}"
            if rule.valid_to
            else (f"с {rule.valid_from:%d.%m.%Y}")
        )
        entry.editions.append(span + ("" if rule.enabled else " (отключена)"))
    order = {code: i for i, code in enumerate(ORDER)}
    return sorted(found.values(), key=lambda n: order.get(n.id, 99))
