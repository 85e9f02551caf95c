"""Writes to the registry: validation against reference data, permissions, optimistic locking.
Every function takes a session and plain values; the audit hook records each change."""

from typing import Any

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from promcluster.auth import permissions
from promcluster.auth.models import User
from promcluster.chains.models import Chain, ChainStage
from promcluster.errors import InvalidField
from promcluster.records import check_version, flush, get
from promcluster.reference import service as reference
from promcluster.registry import events
from promcluster.registry.models import Cluster, Enterprise, InvestmentProject, Membership

MEMBER = "member"  # the one membership status that gives a cluster's managers a card
# A cluster's place in the federal registry: set and changed by administrators only.
REGISTRY_FIELDS = {
    "registry_number": "номер в реестре Минпромторга",
    "registry_date": "дата включения в реестр",
}
REGISTRY_STATUSES = {"federal_registry", "excluded"}


def _unique(session: Session, model: type, field: str, value: Any, own_id: int | None) -> None:
    if value is None:
        return
    other = session.scalar(select(model).where(getattr(model, field) == value))
    if other is not None and other.id != own_id:
        raise InvalidField(
            field, f"уже есть запись с этим значением: «{other.name}» (id {other.id})"
        )


# Enterprises


def member_clusters(enterprise: Enterprise) -> set[int]:
    """The clusters the enterprise is a *member* of (not potential, applicant or former)."""
    return {m.cluster_id for m in enterprise.memberships if m.status == MEMBER}


def require_enterprise_access(user: User | None, enterprise: Enterprise) -> None:
    """Whether ``user`` may edit this card (and act for the enterprise): admin, its
    representative, or a manager of every cluster it is a member of (docs/PERMISSIONS.md)."""
    permissions.require_enterprise(user, enterprise.id, member_clusters(enterprise))


def enterprises_acted_for(user: User) -> Select | None:
    """The ids of the enterprises ``user`` may act for, as a query (the rule of
    ``require_enterprise_access`` in SQL, for filtering lists); None for all (administrators)."""
    if user.role == "admin":
        return None
    if user.role == "enterprise_rep" and user.enterprise_id is not None:
        return select(Enterprise.id).where(Enterprise.id == user.enterprise_id)
    if user.role != "cluster_manager" or not user.cluster_ids:
        return select(Enterprise.id).where(false())
    members = select(Membership.enterprise_id).where(Membership.status == MEMBER)
    own = members.where(Membership.cluster_id.in_(user.cluster_ids))
    foreign = members.where(Membership.cluster_id.not_in(user.cluster_ids))
    return select(Enterprise.id).where(Enterprise.id.in_(own), Enterprise.id.not_in(foreign))


def _set_enterprise(session: Session, e: Enterprise, data: dict[str, Any]) -> None:
    extra = data.pop("okved_extra", None)
    if "region_code" in data:
        reference.require_region(session, data["region_code"])
    if data.get("okved_main"):
        data["okved_main"] = reference.require_okved(session, data["okved_main"], "okved_main").code
    if data.get("city_id") is not None:
        reference.require_city(session, data["city_id"], data.get("region_code", e.region_code))
    for field in ("inn", "ogrn"):
        if field in data:
            _unique(session, Enterprise, field, data[field], e.id)
    for key, value in data.items():
        setattr(e, key, value)
    if extra is not None:
        e.extra_activities = [reference.require_okved(session, c, "okved_extra") for c in extra]


def create_enterprise(session: Session, user: User | None, data: dict[str, Any]) -> Enterprise:
    """Add an enterprise card."""
    permissions.require_creator(user)
    enterprise = Enterprise()
    _set_enterprise(session, enterprise, dict(data))
    session.add(enterprise)
    flush(session)
    return enterprise


def update_enterprise(
    session: Session, user: User | None, id_: int, data: dict[str, Any]
) -> Enterprise:
    """Change an enterprise card; ``data`` holds the changed fields and the version read."""
    enterprise = get(session, Enterprise, id_)
    require_enterprise_access(user, enterprise)
    data = dict(data)
    check_version(enterprise, data)
    _set_enterprise(session, enterprise, data)
    flush(session)
    return enterprise


def delete_enterprise(session: Session, user: User | None, id_: int) -> None:
    """Remove an enterprise with its memberships."""
    enterprise = get(session, Enterprise, id_)
    permissions.require_admin(user)
    session.delete(enterprise)
    flush(session)


# Clusters


def _set_cluster(session: Session, c: Cluster, data: dict[str, Any]) -> None:
    regions = data.pop("region_codes", None)
    specialisation = data.pop("specialisation", None)
    if data.get("specialised_org_id") is not None:
        get(session, Enterprise, data["specialised_org_id"], "specialised_org_id")
    for key, value in data.items():
        setattr(c, key, value)
    if regions is not None:
        if not regions:
            raise InvalidField("region_codes", "укажите хотя бы один регион")
        c.regions = [
            reference.require_region(session, r, "region_codes") for r in dict.fromkeys(regions)
        ]
        if len(c.regions) > 1 and c.kind in (None, "industrial"):
            c.kind = "interregional"
    if specialisation is not None:
        c.specialisation = [
            reference.require_okved(session, s, "specialisation")
            for s in dict.fromkeys(specialisation)
        ]


def create_cluster(session: Session, user: User | None, data: dict[str, Any]) -> Cluster:
    """Register a cluster (administrators only)."""
    permissions.require_admin(user)
    cluster = Cluster()
    _set_cluster(session, cluster, dict(data))
    session.add(cluster)
    flush(session)
    return cluster


def _require_registry_rights(user: User | None, cluster: Cluster, data: dict[str, Any]) -> None:
    """Refuse a non-administrator's change of the cluster's place in the federal registry: its
    number, date, or a status into or out of the registry (an unchanged value passes)."""
    for field, label in REGISTRY_FIELDS.items():
        if field in data and data[field] != getattr(cluster, field):
            permissions.require_admin_field(user, field, label)
    status = data.get("status", cluster.status)
    if status != cluster.status and {status, cluster.status} & REGISTRY_STATUSES:
        permissions.require_admin_field(user, "status", "статус в реестре Минпромторга")


def update_cluster(session: Session, user: User | None, id_: int, data: dict[str, Any]) -> Cluster:
    """Change a cluster's card; its place in the federal registry only by an administrator."""
    cluster = get(session, Cluster, id_)
    permissions.require_cluster(user, id_)
    data = dict(data)
    check_version(cluster, data)
    _require_registry_rights(user, cluster, data)
    _set_cluster(session, cluster, data)
    flush(session)
    return cluster


def delete_cluster(session: Session, user: User | None, id_: int) -> None:
    """Remove a cluster with its memberships, chains and projects (administrators only)."""
    cluster = get(session, Cluster, id_)
    permissions.require_admin(user)
    session.delete(cluster)
    flush(session)


# Memberships, chains and projects: records that belong to one cluster


def _set_cluster_record(session: Session, obj: Any, data: dict[str, Any]) -> None:
    if "products" in data:
        codes = data.pop("products") or []
        obj.products = [
            reference.require_okpd(session, c, "products") for c in dict.fromkeys(codes)
        ]
    if "cluster_id" in data:
        get(session, Cluster, data["cluster_id"], "cluster_id")
    if data.get("enterprise_id") is not None:
        get(session, Enterprise, data["enterprise_id"], "enterprise_id")
    if data.get("initiator_id") is not None:
        get(session, Enterprise, data["initiator_id"], "initiator_id")
    cluster_id = data.get("cluster_id", getattr(obj, "cluster_id", None))
    chain_id = data.get("chain_id", getattr(obj, "chain_id", None))
    if chain_id is not None and ("chain_id" in data or "cluster_id" in data):
        chain = get(session, Chain, chain_id, "chain_id")
        if chain.cluster_id != cluster_id:
            raise InvalidField("chain_id", "цепочка относится к другому кластеру")
    stage_id = data.get("stage_id", getattr(obj, "stage_id", None))
    if stage_id is not None and ("stage_id" in data or "chain_id" in data):
        stage = get(session, ChainStage, stage_id, "stage_id")
        if stage.chain_id != chain_id:
            raise InvalidField("stage_id", "этап относится к другой цепочке")
    for key, value in data.items():
        setattr(obj, key, value)
    if (
        isinstance(obj, InvestmentProject)
        and obj.start_year
        and obj.end_year
        and obj.end_year < obj.start_year
    ):
        raise InvalidField("end_year", "год окончания раньше года начала")
    if isinstance(obj, Membership):
        if obj.since and obj.until and obj.until < obj.since:
            raise InvalidField("until", "дата выхода раньше даты начала участия")
        with session.no_autoflush:
            duplicate = session.scalar(
                select(Membership).where(
                    Membership.cluster_id == obj.cluster_id,
                    Membership.enterprise_id == obj.enterprise_id,
                )
            )
        if duplicate is not None and duplicate is not obj:
            raise InvalidField("enterprise_id", "предприятие уже есть в этом кластере")


def create_record(session: Session, user: User | None, model: type, data: dict[str, Any]):
    """Add a membership, chain or investment project to a cluster."""
    data = dict(data)
    get(session, Cluster, data["cluster_id"], "cluster_id")
    permissions.require_cluster(user, data["cluster_id"])
    obj = model()
    _set_cluster_record(session, obj, data)
    session.add(obj)
    flush(session)
    if isinstance(obj, Membership):
        events.created(session, obj)
        flush(session)
    return obj


def update_record(session: Session, user: User | None, model: type, id_: int, data: dict[str, Any]):
    """Change a membership, chain or project; moving it to another cluster needs both scopes."""
    obj = get(session, model, id_)
    permissions.require_cluster(user, obj.cluster_id)
    data = dict(data)
    check_version(obj, data)
    if data.get("cluster_id") not in (None, obj.cluster_id):
        permissions.require_cluster(user, data["cluster_id"])
    before = getattr(obj, "status", None)
    _set_cluster_record(session, obj, data)
    flush(session)
    if isinstance(obj, Membership):
        events.changed(session, obj, before)
        flush(session)
    return obj


def delete_record(session: Session, user: User | None, model: type, id_: int) -> None:
    """Remove a membership, chain or project."""
    obj = get(session, model, id_)
    permissions.require_cluster(user, obj.cluster_id)
    session.delete(obj)
    flush(session)
