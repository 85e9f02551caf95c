"""A purchase-plan need (``Need.data_source == "procurement"``, written by the importer without
the postings service) is matched to candidate suppliers exactly like a need typed in: the
hand-made suppliers of ``tests/matching/__init__.py``, in the order the ranking must give."""

from matching import BLOCKS, FUTURE, NEED_NAME, ORDER, build_suppliers, post_need

from promcluster.matching.candidates import supplier_candidates
from promcluster.matching.models import Need


def candidates(db, need_id: int) -> list[tuple]:
    with db.sessions() as session:
        found = supplier_candidates(session, session.get(Need, need_id), 20)
        return [(c.enterprise_id, c.tier, round(c.score, 9), tuple(c.reasons)) for c in found]


def test_a_plan_need_gets_the_same_candidate_suppliers_as_a_typed_need(db):
    world = build_suppliers(db)
    typed = post_need(db, world)
    with db.session() as session:
        plan = Need(
            customer_id=world["customer"],
            region_code="72",
            product_name=NEED_NAME,
            okpd2_code=BLOCKS,
            volume=1000,
            unit="м3",
            value=5_000_000,
            deadline=FUTURE,
            status="open",
            data_source="procurement",
        )
        session.add(plan)
        session.flush()
        plan_id = plan.id
    from_plan = candidates(db, plan_id)
    assert [c[0] for c in from_plan] == [world[r] for r in ORDER]
    assert [c[1] for c in from_plan] == [0, 1, 1, 1, 2, 2]
    assert from_plan == candidates(db, typed)  # same suppliers, tiers, scores and reasons
    assert world["customer"] not in {c[0] for c in from_plan}  # never the customer itself
