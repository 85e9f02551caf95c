"""Adding prospects to the pipeline in one action, and the funnel counted from the events."""

from datetime import date

import pytest
from sqlalchemy import text

from promcluster.discovery.pipeline import add_prospects, funnel
from promcluster.errors import InvalidField, PermissionDenied
from promcluster.registry.events import MembershipEvent


def test_adds_all_as_potential_with_events_and_audit(db, users):
    cluster = db.add_cluster()
    a, b = db.add_enterprise(), db.add_enterprise()
    manager = users.add("m1", "cluster_manager", [cluster])
    with db.session() as session:
        from promcluster.auth.models import User

        added = add_prospects(session, session.get(User, manager.id), cluster, [a, b, a])
        assert [(m.enterprise_id, m.status) for m in added] == [(a, "potential"), (b, "potential")]
    assert db.count("memberships") == 2
    assert db.count("membership_events") == 2
    assert len(db.audit(entity="memberships", action="create")) == 2


def test_one_firm_already_in_the_cluster_refuses_all_naming_it(db):
    cluster = db.add_cluster()
    a = db.add_enterprise(name="Завод «Старый участник»")
    b = db.add_enterprise()
    db.add_membership(cluster, a, status="applicant")
    before = db.counts()
    with pytest.raises(InvalidField) as refused, db.session() as session:
        add_prospects(session, None, cluster, [b, a])
    assert refused.value.field == "enterprise_ids"
    assert "«Завод «Старый участник»» (в стадии вступления)" in refused.value.message
    assert db.counts() == before


def test_unknown_id_empty_list_and_bad_role_write_nothing(db):
    cluster, a = db.add_cluster(), db.add_enterprise()
    before = db.counts()
    cases = (
        ([a, 987654], "participant", "enterprise_ids"),
        ([], "participant", "enterprise_ids"),
        ([a], "boss", "role"),
    )
    for ids, role, field in cases:
        with pytest.raises(InvalidField) as refused, db.session() as session:
            add_prospects(session, None, cluster, ids, role)
        assert refused.value.field == field
    assert db.counts() == before


def test_a_manager_of_another_cluster_is_refused(db, users):
    cluster, other, a = db.add_cluster(), db.add_cluster(), db.add_enterprise()
    manager = users.add("m2", "cluster_manager", [other])
    from promcluster.auth.models import User

    with pytest.raises(PermissionDenied), db.session() as session:
        add_prospects(session, session.get(User, manager.id), cluster, [a])
    assert db.count("memberships") == 0


def add_events(db, cluster, rows):
    """Memberships with the given history: [(enterprise, [(status, date), ...]), ...]."""
    with db.session() as session:
        for enterprise, history in rows:
            membership = session.execute(
                text("INSERT INTO memberships (cluster_id, enterprise_id, status, role, "
                     "without_output, version) VALUES (:c, :e, :s, 'participant', false, 1) "
                     "RETURNING id"),
                {"c": cluster, "e": enterprise, "s": history[-1][0]},
            ).scalar_one()  # fmt: skip
            for status, on in history:
                event = MembershipEvent(
                    membership_id=membership, cluster_id=cluster, enterprise_id=enterprise,
                    status=status, on=on,
                )  # fmt: skip
                session.add(event)


def test_funnel_by_month_and_conversion_by_hand(db):
    cluster = db.add_cluster()
    e = [db.add_enterprise() for _ in range(5)]
    add_events(db, cluster, [
        (e[0], [("potential", date(2025, 1, 10)), ("applicant", date(2025, 2, 9)),
                ("member", date(2025, 4, 10))]),
        (e[1], [("potential", date(2025, 1, 20)), ("applicant", date(2025, 3, 1))]),
        (e[2], [("potential", date(2025, 2, 1))]),
        (e[3], [("potential", date(2025, 2, 5)), ("member", date(2025, 2, 25))]),
        (e[4], [("member", date(2024, 12, 1))]),  # joined before any prospecting
    ])  # fmt: skip

    f = funnel(db.sessions(), cluster)

    assert [(p.period, p.entered) for p in f.periods] == [
        ("2024-12", {"potential": 0, "applicant": 0, "member": 1}),
        ("2025-01", {"potential": 2, "applicant": 0, "member": 0}),
        ("2025-02", {"potential": 2, "applicant": 1, "member": 1}),
        ("2025-03", {"potential": 0, "applicant": 1, "member": 0}),
        ("2025-04", {"potential": 0, "applicant": 0, "member": 1}),
    ]
    # 4 entered potential; e0, e1 and e3 went on (3/4), e0 and e3 became members (2/4).
    assert (f.potential, f.reached_applicant, f.reached_member) == (4, 3, 2)
    assert f.applicant_share == 0.75 and f.member_share == 0.5
    # days to the applicant stage or further: e0 30, e1 40, e3 20 → median 30
    assert f.days_to_applicant == 30.0
    # days to member: e0 90, e3 20 → median 55; applicant → member: e0 60
    assert f.days_to_member == 55.0 and f.days_applicant_to_member == 60.0
    assert f.current == {"member": 3, "applicant": 1, "potential": 1, "left": 0}


def test_empty_funnel(db):
    cluster = db.add_cluster()
    f = funnel(db.sessions(), cluster)
    assert f.periods == [] and f.potential == 0 and f.applicant_share is None
