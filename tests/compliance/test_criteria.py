"""Every data rule at its boundary: exactly at the threshold passes, one step beyond fails;
the rule editions in force on the date; parameters read from the rule, not from the code."""

from datetime import date, timedelta

from compliance.kit import TRADE, Builder
from promcluster.compliance import admin
from promcluster.compliance.models import Rule


def _rule(db, code: str, rule_set: str = "federal") -> Rule:
    with db.sessions() as session:
        return session.query(Rule).filter_by(code=code, rule_set=rule_set).one()


# C2: minimum composition


def test_c2_passes_with_exactly_ten_industrial_participants(build: Builder):
    cluster = build.cluster()
    build.members(cluster, 10)
    c2 = build.criterion(cluster, "C2")
    assert (c2.status, c2.value, c2.threshold, c2.op) == ("pass", 10, 10, ">=")
    assert c2.offenders == []


def test_c2_fails_with_nine_and_does_not_count_trade_or_the_specialised_org(build: Builder):
    cluster = build.cluster()
    build.members(cluster, 9)
    trader = build.member(cluster, okved=TRADE)
    build.member(cluster, okved=None, role="specialised_org")
    build.member(cluster, status="applicant")  # not a participant yet
    c2 = build.criterion(cluster, "C2")
    assert (c2.status, c2.value) == ("fail", 9)
    assert [(o.id, o.kind) for o in c2.offenders] == [(trader, "enterprise")]
    assert "раздел G" in c2.offenders[0].reason


def test_c2_is_unknown_when_a_participant_without_activity_could_reach_the_threshold(
    build: Builder,
):
    cluster = build.cluster()
    build.members(cluster, 9)
    unknown = build.member(cluster, okved=None)
    c2 = build.criterion(cluster, "C2")
    assert c2.status == "unknown"
    assert [o.id for o in c2.offenders] == [unknown]
    assert "без указанного основного ОКВЭД2: 1" in c2.explanation


def test_c2_follows_a_changed_min_participants_parameter(build: Builder, db):
    cluster = build.cluster()
    build.members(cluster, 9)
    assert build.criterion(cluster, "C2").status == "fail"
    rule = _rule(db, "C2")
    with db.session() as session:
        params = {**rule.params, "min_participants": 9}
        admin.update_rule(session, None, rule.id, {"params": params, "version": rule.version})
    c2 = build.criterion(cluster, "C2")
    assert (c2.status, c2.threshold) == ("pass", 9)


# C3: functional dependence


def _two_members_buying(build: Builder, inside: int, purchases: int = 1000) -> int:
    cluster = build.cluster()
    buyer, seller = build.members(cluster, 2)
    build.consumes(buyer, purchases)
    build.supply(seller, buyer, inside)
    return cluster


def test_c3_passes_at_exactly_twenty_percent(build: Builder):
    c3 = build.criterion(_two_members_buying(build, 200), "C3")
    assert (c3.status, c3.value, c3.threshold) == ("pass", 0.2, 0.2)
    assert "20,0\u00a0%" in c3.explanation


def test_c3_fails_just_below_twenty_percent(build: Builder):
    c3 = build.criterion(_two_members_buying(build, 199), "C3")
    assert (c3.status, c3.value) == ("fail", 0.199)


def test_c3_takes_ten_percent_when_priority_territories_are_ticked(build: Builder):
    at_ten = _two_members_buying(build, 100)
    assert build.criterion(at_ten, "C3").status == "fail"
    build.tick(at_ten, "C3", "priority_territories", "Перечень моногородов, распоряжение № 1398-р")
    c3 = build.criterion(at_ten, "C3")
    assert (c3.status, c3.threshold) == ("pass", 0.1)
    assert "1398-р" in c3.explanation
    below = _two_members_buying(build, 99)
    build.tick(below, "C3", "priority_territories")
    assert build.criterion(below, "C3").status == "fail"


def test_c3_is_unknown_without_purchases(build: Builder):
    cluster = build.cluster()
    build.members(cluster, 2)
    c3 = build.criterion(cluster, "C3")
    assert (c3.status, c3.value) == ("unknown", None)


# C1: every participant has a contract with another


def test_c1_fails_listing_the_one_isolated_participant(build: Builder):
    cluster = build.cluster()
    a, b, isolated = build.members(cluster, 3)
    build.supply(a, b, 500)
    c1 = build.criterion(cluster, "C1")
    assert (c1.status, c1.value, c1.threshold) == ("fail", 1, 0)
    assert [o.id for o in c1.offenders] == [isolated]


def test_c1_passes_when_everyone_is_linked(build: Builder):
    cluster = build.cluster()
    a, b, c = build.members(cluster, 3)
    build.supply(a, b, 500)
    build.supply(c, a, 100)
    c1 = build.criterion(cluster, "C1")
    assert (c1.status, c1.value) == ("pass", 0)


def test_c1_is_unknown_without_any_supplies(build: Builder):
    cluster = build.cluster()
    build.members(cluster, 3)
    c1 = build.criterion(cluster, "C1")
    assert c1.status == "unknown"
    assert "не внесены" in c1.explanation


def test_c1_allows_a_participant_organising_production_within_three_years(build: Builder):
    cluster = build.cluster()
    a, b = build.members(cluster, 2)
    build.supply(a, b, 500)
    build.member(cluster, without_output=True, since=date(2022, 1, 10))
    c1 = build.criterion(cluster, "C1")
    assert c1.status == "pass"
    assert any("10.01.2025" in n for n in c1.notes)
    # after the window the same participant makes C1 fail
    late = build.criterion(cluster, "C1", as_of=date(2025, 1, 10))
    assert late.status == "fail"


def test_c1_spic_tick_with_a_reference_turns_isolated_participants_into_a_pass(build: Builder):
    cluster = build.cluster()
    a, b, _ = build.members(cluster, 3)
    build.supply(a, b, 500)
    build.tick(cluster, "C1", "spic", "СПИК № 12 от 01.02.2023")
    c1 = build.criterion(cluster, "C1")
    assert c1.status == "pass"
    assert "СПИК № 12" in c1.explanation


# C4: participants without output


def test_c4_allows_three_participants_without_output(build: Builder):
    cluster = build.cluster()
    build.members(cluster, 3, without_output=True, since=date(2023, 1, 1))
    c4 = build.criterion(cluster, "C4")
    assert (c4.status, c4.value, c4.threshold, c4.op) == ("pass", 3, 3, "<=")


def test_c4_fails_with_four_participants_without_output(build: Builder):
    cluster = build.cluster()
    ids = build.members(cluster, 4, without_output=True, since=date(2023, 1, 1))
    c4 = build.criterion(cluster, "C4")
    assert (c4.status, c4.value) == ("fail", 4)
    assert sorted(o.id for o in c4.offenders) == sorted(ids)


def test_c4_lists_a_participant_still_without_supplies_after_three_years(build: Builder):
    cluster = build.cluster()
    late = build.member(cluster, without_output=True, since=date(2021, 6, 1))
    on_time = build.member(cluster, without_output=True, since=date(2021, 6, 2))
    assert build.criterion(cluster, "C4", as_of=date(2024, 5, 31)).status == "pass"
    c4 = build.criterion(cluster, "C4", as_of=date(2024, 6, 1))
    assert c4.status == "fail"
    assert [o.id for o in c4.offenders] == [late]
    assert on_time not in [o.id for o in c4.offenders]


def test_c4_and_v1_are_not_in_force_before_the_2021_amendment(build: Builder):
    cluster = build.cluster(status="federal_registry", registry_date=date(2015, 1, 1))
    build.members(cluster, 5, without_output=True)
    before = build.report(cluster, as_of=date(2021, 11, 15))
    assert {"C4", "V1"}.isdisjoint(c.id for c in before.criteria)
    assert [n.id for n in before.not_in_force] == ["C4", "V1"]
    assert before.not_in_force[0].editions == ["с 16.11.2021"]
    on_the_day = build.report(cluster, as_of=date(2021, 11, 16))
    assert {"C4", "V1"} <= {c.id for c in on_the_day.criteria}
    assert on_the_day.not_in_force == []


# V1: validity of a registry decision


def _registered(build: Builder, decided: date) -> int:
    return build.cluster(status="federal_registry", registry_date=decided)


def test_v1_a_decision_exactly_five_years_old_is_valid_on_its_last_day(build: Builder):
    cluster = _registered(build, date(2019, 3, 27))
    v1 = build.criterion(cluster, "V1", as_of=date(2024, 3, 27))
    assert (v1.status, v1.value) == ("pass", "2024-03-27")
    assert build.criterion(cluster, "V1", as_of=date(2024, 3, 26)).status == "pass"


def test_v1_a_decision_five_years_and_one_day_old_has_expired(build: Builder):
    cluster = _registered(build, date(2019, 3, 27))
    v1 = build.criterion(cluster, "V1", as_of=date(2024, 3, 28))
    assert v1.status == "fail"
    assert [o.kind for o in v1.offenders] == ["cluster"]


def test_v1_is_unknown_without_a_date_and_not_applicable_otherwise(build: Builder):
    undated = build.cluster(status="federal_registry")
    assert build.criterion(undated, "V1").status == "unknown"
    regional = build.cluster(status="regional")
    assert build.criterion(regional, "V1").status == "not_applicable"
    after = _registered(build, date(2022, 2, 1))
    v1 = build.criterion(after, "V1", as_of=date(2030, 1, 1))
    assert v1.status == "not_applicable"


def test_v1_reads_its_term_from_the_params(build: Builder, db):
    cluster = _registered(build, date(2019, 3, 27))
    rule = _rule(db, "V1")
    with db.session() as session:
        params = {**rule.params, "years": 6}
        admin.update_rule(session, None, rule.id, {"params": params, "version": rule.version})
    assert build.criterion(cluster, "V1", as_of=date(2025, 3, 27)).status == "pass"
    assert build.criterion(cluster, "V1", as_of=date(2025, 3, 28)).status == "fail"


# C7, S1 and the document rules


def test_c7_cases(build: Builder):
    one = build.cluster()
    assert build.criterion(one, "C7").status == "not_applicable"
    lonely = build.cluster(kind="interregional")
    c7 = build.criterion(lonely, "C7")
    assert c7.status == "unknown"
    assert "другие регионы кластера не внесены" in c7.explanation
    two = build.cluster(region_codes=["72", "86"])
    c7 = build.criterion(two, "C7")
    assert c7.status == "checklist"
    build.tick(two, "C7", "agreements", "Соглашение между Тюменской областью и ХМАО № 5")
    assert build.criterion(two, "C7").status == "pass"


def test_s1_is_undecided_without_a_specialised_org_then_waits_for_ticks(build: Builder, db):
    bare = build.cluster()
    s1 = build.criterion(bare, "S1")
    assert (s1.status, s1.offenders[0].kind) == ("unknown", "cluster")
    org = db.add_enterprise(okved_main="94.11")
    with_org = build.cluster(specialised_org_id=org)
    assert build.criterion(with_org, "S1").status == "checklist"
    build.tick(with_org, "S1", "legal_entity", "Устав, ОГРН")
    assert build.criterion(with_org, "S1").status == "checklist"
    build.tick(with_org, "S1", "support_functions", "Соглашение о создании кластера")
    assert build.criterion(with_org, "S1").status == "pass"


def test_c5_is_a_checklist_and_the_verdict_follows_the_statuses(build: Builder):
    cluster = build.cluster()
    report = build.report(cluster)
    c5 = next(c for c in report.criteria if c.id == "C5")
    assert (c5.status, c5.decided_by, c5.threshold) == ("checklist", "document", 6)
    assert report.verdict == "incomplete"  # nothing fails: C1–C3 and S1 undecided, C5 waits
    assert {c.edition.valid_from for c in report.criteria} == {
        date(2015, 8, 12),
        date(2021, 11, 16),
    }


def test_an_edition_switched_off_is_listed_as_not_in_force(build: Builder, db):
    cluster = build.cluster()
    rule = _rule(db, "C6")
    with db.session() as session:
        admin.update_rule(session, None, rule.id, {"enabled": False, "version": rule.version})
    report = build.report(cluster)
    assert "C6" not in [c.id for c in report.criteria]
    assert [(n.id, n.editions) for n in report.not_in_force] == [
        ("C6", ["с 12.08.2015 (отключена)"])
    ]


def test_a_new_edition_applies_from_its_date(build: Builder, db):
    cluster = build.cluster()
    build.members(cluster, 8)
    with db.session() as session:
        c2 = session.query(Rule).filter_by(code="C2", rule_set="federal").one()
        edition = admin.add_edition(
            session,
            None,
            {
                "code": "C2",
                "valid_from": date(2025, 1, 1),
                "params": {**c2.params, "min_participants": 8},
            },
        )
        assert c2.valid_to == date(2025, 1, 1)
        edition_id = edition.id
    assert build.criterion(cluster, "C2").status == "fail"
    later = build.criterion(cluster, "C2", as_of=date(2025, 1, 1))
    assert (later.status, later.threshold, later.edition.rule_id) == ("pass", 8, edition_id)
    assert (
        build.criterion(cluster, "C2", as_of=date(2025, 1, 1) - timedelta(days=1)).threshold == 10
    )


def test_a_regional_rule_set_is_checked_on_its_own(build: Builder, db):
    cluster = build.cluster()
    build.members(cluster, 6)
    with db.session() as session:
        added = admin.copy_rule_set(session, None, "72")
        assert len(added) == 9 and {r.rule_set for r in added} == {"region:72"}
        assert admin.copy_rule_set(session, None, "72") == []  # idempotent
    regional = _rule(db, "C2", "region:72")
    with db.session() as session:
        params = {**regional.params, "min_participants": 5}
        admin.update_rule(
            session, None, regional.id, {"params": params, "version": regional.version}
        )
    assert build.criterion(cluster, "C2").status == "fail"
    local = build.report(cluster, rule_set="region:72")
    assert local.rule_set == "region:72"
    assert next(c for c in local.criteria if c.id == "C2").status == "pass"
    assert _rule(db, "C2").params["min_participants"] == 10  # the federal edition is untouched
