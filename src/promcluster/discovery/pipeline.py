"""The membership pipeline of a cluster: adding chosen prospects as *potential* participants in
one action, and the funnel potential → applicant → member counted from the membership events.

The funnel counts by calendar month (the events' ``on`` dates): how many memberships entered
each stage in the month (a membership counts once per stage, at its first entry). Conversion is
read on the cohort that entered *potential*: the share that later (on or after that date) reached
the applicant stage or further, and the share that became members; the median days between the
stages are taken over the memberships that made each step."""

from dataclasses import dataclass
from datetime import date
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promcluster import records
from promcluster.auth import permissions
from promcluster.auth.models import User
from promcluster.errors import InvalidField
from promcluster.labels import MEMBERSHIP_ROLES, MEMBERSHIP_STATUSES
from promcluster.registry import service
from promcluster.registry.events import MembershipEvent
from promcluster.registry.models import Cluster, Enterprise, Membership

STAGES = ("potential", "applicant", "member")
MAX_ADDED = 500
NAMES_SHOWN = 5


def add_prospects(
    session: Session,
    user: User | None,
    cluster_id: int,
    enterprise_ids: list[int],
    role: str = "participant",
) -> list[Membership]:
    """Add the enterprises to the cluster as potential participants, all or none: an unknown id
    or a firm already in the cluster refuses the whole action, naming them."""
    records.get(session, Cluster, cluster_id)
    permissions.require_cluster(user, cluster_id)
    if role not in MEMBERSHIP_ROLES:
        raise InvalidField("role", f"неизвестная роль «{role}»")
    ids = list(dict.fromkeys(enterprise_ids))
    if not ids:
        raise InvalidField("enterprise_ids", "выберите хотя бы одно предприятие")
    if len(ids) > MAX_ADDED:
        raise InvalidField("enterprise_ids", f"за один раз можно добавить не более {MAX_ADDED}")
    names = dict(
        session.execute(select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids))).all()
    )
    unknown = [str(i) for i in ids if i not in names]
    if unknown:
        raise InvalidField(
            "enterprise_ids", f"нет предприятий с идентификаторами {', '.join(unknown)}"
        )
    present = session.execute(
        select(Membership.enterprise_id, Membership.status).where(
            Membership.cluster_id == cluster_id, Membership.enterprise_id.in_(ids)
        )
    ).all()
    if present:
        listed = "; ".join(
            f"«{names[e]}» ({MEMBERSHIP_STATUSES.get(s, s)})" for e, s in present[:NAMES_SHOWN]
        )
        more = f" и ещё {len(present) - NAMES_SHOWN}" if len(present) > NAMES_SHOWN else ""
        raise InvalidField("enterprise_ids", f"уже в кластере: {listed}{more}; ничего не добавлено")
    return [
        service.create_record(
            session,
            user,
            Membership,
            {"cluster_id": cluster_id, "enterprise_id": e, "status": "potential", "role": role},
        )
        for e in ids
    ]


@dataclass(frozen=True)
class FunnelPeriod:
    """One month: how many memberships entered each stage."""

    period: str  # "YYYY-MM"
    entered: dict[str, int]


@dataclass(frozen=True)
class Funnel:
    """The pipeline of one cluster over time and its conversion."""

    cluster_id: int
    periods: list[FunnelPeriod]
    current: dict[str, int]  # memberships by status now
    potential: int  # the cohort: memberships that entered potential
    reached_applicant: int  # of the cohort, reached applicant or member later
    reached_member: int  # of the cohort, became members later
    days_to_applicant: float | None  # medians over those that made the step
    days_to_member: float | None
    days_applicant_to_member: float | None

    @property
    def applicant_share(self) -> float | None:
        return self.reached_applicant / self.potential if self.potential else None

    @property
    def member_share(self) -> float | None:
        return self.reached_member / self.potential if self.potential else None


def funnel(session: Session, cluster_id: int) -> Funnel:
    """The funnel of ``cluster_id`` from its membership events (see the module)."""
    records.get(session, Cluster, cluster_id)
    first: dict[int, dict[str, date]] = {}
    for membership, status, on in session.execute(
        select(MembershipEvent.membership_id, MembershipEvent.status, MembershipEvent.on)
        .where(MembershipEvent.cluster_id == cluster_id)
        .order_by(MembershipEvent.on, MembershipEvent.id)
    ):
        first.setdefault(membership, {}).setdefault(status, on)
    by_month: dict[str, dict[str, int]] = {}
    for stages in first.values():
        for status, on in stages.items():
            if status in STAGES:
                month = by_month.setdefault(on.strftime("%Y-%m"), dict.fromkeys(STAGES, 0))
                month[status] += 1
    current = dict.fromkeys(MEMBERSHIP_STATUSES, 0)
    for status, count in session.execute(
        select(Membership.status, func.count())
        .where(Membership.cluster_id == cluster_id)
        .group_by(Membership.status)
    ):
        current[status] = count
    to_applicant, to_member, applicant_to_member = [], [], []
    cohort = [s for s in first.values() if "potential" in s]
    for s in cohort:
        start = s["potential"]
        later = [s[k] for k in ("applicant", "member") if k in s and s[k] >= start]
        if later:
            to_applicant.append((min(later) - start).days)
        if "member" in s and s["member"] >= start:
            to_member.append((s["member"] - start).days)
    for s in first.values():
        if "applicant" in s and "member" in s and s["member"] >= s["applicant"]:
            applicant_to_member.append((s["member"] - s["applicant"]).days)
    return Funnel(
        cluster_id=cluster_id,
        periods=[FunnelPeriod(k, v) for k, v in sorted(by_month.items())],
        current=current,
        potential=len(cohort),
        reached_applicant=len(to_applicant),
        reached_member=len(to_member),
        days_to_applicant=_median(to_applicant),
        days_to_member=_median(to_member),
        days_applicant_to_member=_median(applicant_to_member),
    )


def _median(values: list[int]) -> float | None:
    return float(median(values)) if values else None
