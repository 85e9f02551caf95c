"""One evaluator per rule code: reads the facts of a cluster and the rule edition's ``params``
(never a number of its own, so that an administrator's change of a parameter changes the
result) and returns an ``Outcome``. Definitions: docs/COMPLIANCE.md."""

from collections import Counter
from collections.abc import Callable
from datetime import date

from promcluster.chains.graph import Node, cooperation
from promcluster.compliance.facts import Facts, Offender, Outcome, add_years
from promcluster.compliance.messages import MESSAGES as M
from promcluster.compliance.models import Rule
from promcluster.russian import number, percent

EPSILON = 1e-9  # shares compared with thresholds: 0.2 read back from JSON is 0.2 exactly


def _rub(value: int) -> str:
    return number(value) + " ₽"


def _day(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def _member(node: Node, reason: str) -> Offender:
    return Offender("enterprise", node.enterprise_id, node.name, reason)


def by_ticks(f: Facts, rule: Rule, notes: list[str] | None = None) -> Outcome:
    """A rule decided by documents: pass when every checklist item is ticked with a reference."""
    items = rule.checklist or []
    if not items:
        return Outcome("unknown", M["no_checklist"], notes=notes or [])
    done = sum(f.ticked(rule.code, i["key"]) is not None for i in items)
    status, key = ("pass", "ticks_done") if done == len(items) else ("checklist", "ticks_waiting")
    return Outcome(
        status,
        M[key].format(done=done, total=len(items)),
        done,
        len(items),
        ">=",
        "пунктов",
        notes=notes or [],
    )


def _organising(f: Facts, node: Node) -> date | bool | None:
    """For a participant without output while C4 is in force: the last day of its window to
    contract (None when its start is unknown); False when C4 does not cover it."""
    c4 = f.rules.get("C4")
    if c4 is None or not node.without_output:
        return False
    if node.since is None:
        return None
    until = add_years(node.since, c4.params["years_to_contract"])
    return until if f.as_of < until else False


def c1(f: Facts, rule: Rule) -> Outcome:
    """Every participant has at least ``min_contracts`` supplies with other participants."""
    members = f.participants(rule)
    if not members:
        return Outcome("unknown", M["no_participants"], 0, 0, "<=", "участников")
    edges = f.graph.participant_edges()
    if not edges:
        return Outcome("unknown", M["no_supplies"], None, 0, "<=", "участников")
    contracts = Counter(x for e in edges for x in (e.supplier_id, e.buyer_id))
    need, year = rule.params["min_contracts"], f.graph.year
    isolated, notes = [], []
    for node in members.values():
        if contracts[node.enterprise_id] >= need:
            continue
        window = _organising(f, node)
        if window is False:
            isolated.append(node)
        elif window is None:
            notes.append(M["c1_organising_undated"].format(name=node.name))
        else:
            notes.append(M["c1_organising"].format(name=node.name, until=_day(window)))
    outcome = Outcome("pass", "", len(isolated), 0, "<=", "участников без договоров", notes=notes)
    if not isolated:
        outcome.explanation = M["c1_pass"].format(total=len(members), year=year)
    elif spic := f.ticked(rule.code, "spic"):
        outcome.explanation = M["c1_spic"].format(count=len(isolated), reference=f.evidence(spic))
        outcome.notes += [n.name for n in isolated]
    else:
        outcome.status = "fail"
        outcome.explanation = M["c1_fail"].format(
            count=len(isolated), total=len(members), year=year
        )
        reason = M["c1_reason"]
        outcome.offenders = [
            _member(n, reason.format(year=year, found=contracts[n.enterprise_id], need=need))
            for n in isolated
        ]
    return outcome


def c2(f: Facts, rule: Rule) -> Outcome:
    """At least ``min_participants`` participants with a main activity in an industrial section."""
    members = f.participants(rule)
    sections, need = rule.params["industrial_sections"], rule.params["min_participants"]
    if not members and f.declared_members is None:
        return Outcome("unknown", M["no_participants"], 0, need, ">=", "участников")
    industrial, unknown, other = [], [], []
    for node in members.values():
        section = f.sections.get(node.okved_main or "")
        if node.okved_main is None or section is None:
            unknown.append(_member(node, M["c2_no_okved"]))
        elif section in sections:
            industrial.append(node)
        else:
            text = M["c2_not_industrial"].format(code=node.okved_main, section=section)
            other.append(_member(node, text))
    declared = int(f.declared_members.value) if f.declared_members else 0
    unrecorded = max(0, declared - len(members))
    upper = len(industrial) + len(unknown) + unrecorded
    outcome = Outcome("pass", "", len(industrial), need, ">=", "участников")
    if len(industrial) >= need:
        outcome.explanation = M["c2_pass"].format(
            sections=", ".join(sections), count=len(industrial), need=need
        )
    elif upper < need:
        outcome.status = "fail"
        outcome.explanation = M["c2_fail"].format(count=len(industrial), upper=upper, need=need)
        outcome.offenders = other + unknown
    else:
        missing = []
        if unknown:
            missing.append(M["c2_missing_okved"].format(count=len(unknown)))
        if unrecorded:
            missing.append(
                M["c2_missing_declared"].format(declared=declared, recorded=len(members))
            )
        outcome.status = "unknown"
        outcome.explanation = M["c2_unknown"].format(
            count=len(industrial), need=need, missing="; ".join(missing)
        )
        outcome.offenders = unknown
    return outcome


def c3(f: Facts, rule: Rule) -> Outcome:
    """Supplies between participants against their purchases: at least ``min_share``, or
    ``min_share_priority`` when the priority-territories item is ticked."""
    coop = cooperation(f.graph)
    priority = f.ticked(rule.code, "priority_territories")
    threshold = rule.params["min_share_priority" if priority else "min_share"]
    if coop.share is None:
        return Outcome("unknown", M["c3_no_data"], None, threshold, ">=", "доля")
    share = coop.share
    explanation = M["c3_result"].format(
        inside=_rub(coop.inside),
        purchases=_rub(coop.purchases),
        year=coop.year,
        share=percent(share),
        threshold=percent(threshold),
        priority=M["c3_priority"].format(reference=f.evidence(priority)) if priority else "",
    )
    outcome = Outcome("pass", explanation, round(share, 6), threshold, ">=", "доля")
    if share + EPSILON < threshold:
        outcome.status = "fail"
        bought_inside = {e.buyer_id for e in f.graph.participant_edges() if e.value}
        outcome.offenders = [
            _member(n, M["c3_reason"].format(purchases=_rub(f.graph.purchases[k])))
            for k, n in f.graph.participants.items()
            if f.graph.purchases.get(k) and k not in bought_inside
        ]
    return outcome


def c4(f: Facts, rule: Rule) -> Outcome:
    """At most ``max_without_output`` participants without output; each has supplies with other
    participants within ``years_to_contract`` years of joining."""
    limit, years = rule.params["max_without_output"], rule.params["years_to_contract"]
    without = [n for n in f.graph.participants.values() if n.without_output]
    linked = f.graph.linked()
    late, notes = [], []
    for node in without:
        if node.since is None:
            notes.append(M["c4_undated"].format(name=node.name, years=years))
        elif f.as_of >= add_years(node.since, years) and node.enterprise_id not in linked:
            late.append(node)
    outcome = Outcome(
        "pass",
        M["c4_result"].format(count=len(without), limit=limit),
        len(without),
        limit,
        "<=",
        "участников",
        notes=notes,
    )
    if len(without) > limit:
        outcome.status = "fail"
        outcome.offenders = [_member(n, M["c4_reason"]) for n in without if n not in late]
    if late:
        outcome.status = "fail"
        outcome.explanation += " " + M["c4_late"].format(count=len(late), years=years)
        outcome.offenders += [
            _member(n, M["c4_late_reason"].format(years=years, since=_day(n.since))) for n in late
        ]
    return outcome


def c6(f: Facts, rule: Rule) -> Outcome:
    """The development programme: the ticks decide; the card and the platform's chains and
    projects are shown beside them."""
    c = f.cluster
    what = ", ".join(x for x in (c.strategy_period, c.strategy_url) if x)
    notes = [M["c6_programme"].format(what=what) if what else M["c6_no_programme"]]
    notes.append(M["c6_map"].format(**f.platform))
    return by_ticks(f, rule, notes)


def c7(f: Facts, rule: Rule) -> Outcome:
    """An interregional cluster: its regions recorded, then the agreements ticked."""
    regions = f.cluster.regions
    if f.cluster.kind != "interregional" and len(regions) <= 1:
        return Outcome(
            "not_applicable", M["c7_not_applicable"], len(regions), None, None, "регионов"
        )
    if len(regions) <= 1:
        offender = Offender("cluster", f.cluster.id, f.cluster.name, M["c7_one_region"])
        return Outcome("unknown", M["c7_one_region"], len(regions), 2, ">=", "регионов", [offender])
    outcome = by_ticks(
        f, rule, [M["c7_regions"].format(regions=", ".join(r.name for r in regions))]
    )
    return outcome


def s1(f: Facts, rule: Rule) -> Outcome:
    """A specialised organisation is recorded; its documents are ticked. Without one on the
    cluster's card the data cannot decide (a registry cluster has one, the card may lack it)."""
    org = f.cluster.specialised_org
    if org is None:
        offender = Offender("cluster", f.cluster.id, f.cluster.name, M["s1_reason"])
        return Outcome("unknown", M["s1_missing"], offenders=[offender])
    return by_ticks(f, rule, [M["s1_set"].format(name=org.name)])


def v1(f: Facts, rule: Rule) -> Outcome:
    """A registry decision taken before ``amendment_date`` is valid ``years`` years: the term
    starts the day after the decision and ends on the same date ``years`` later (Civil Code,
    arts. 191–192), so on that date it is still valid."""
    c = f.cluster
    if c.status != "federal_registry":
        return Outcome("not_applicable", M["v1_not_registry"])
    if c.registry_date is None:
        offender = Offender("cluster", c.id, c.name, M["v1_no_date"])
        return Outcome("unknown", M["v1_no_date"], offenders=[offender])
    amendment = date.fromisoformat(rule.params["amendment_date"])
    years = rule.params["years"]
    decided = _day(c.registry_date)
    if c.registry_date >= amendment:
        text = M["v1_after"].format(decided=decided, amendment=_day(amendment))
        return Outcome("not_applicable", text)
    until = add_years(c.registry_date, years)
    shown = dict(decided=decided, years=years, until=_day(until))
    outcome = Outcome("pass", M["v1_valid"].format(**shown), until.isoformat(), None, None, "дата")
    if f.as_of > until:
        outcome.status = "fail"
        outcome.explanation = M["v1_expired"].format(**shown)
        outcome.offenders = [Offender("cluster", c.id, c.name, M["v1_reason"].format(**shown))]
    return outcome


EVALUATORS: dict[str, Callable[[Facts, Rule], Outcome]] = {
    "C1": c1,
    "C2": c2,
    "C3": c3,
    "C4": c4,
    "C5": by_ticks,
    "C6": c6,
    "C7": c7,
    "S1": s1,
    "V1": v1,
}


def evaluate(f: Facts, rule: Rule) -> Outcome:
    """The outcome of ``rule`` for the facts; a code without an evaluator (a region's own
    document rule) is decided by its checklist."""
    return EVALUATORS.get(rule.code, by_ticks)(f, rule)
