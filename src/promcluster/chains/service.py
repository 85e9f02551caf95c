"""Writes of the chain designer: stages of a chain and the suppliers assigned to them.

Each function takes a session, the acting user and plain values; only an administrator or a
manager of the chain's cluster may write; optimistic locking and audit as for the registry."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promcluster.auth import permissions
from promcluster.auth.models import User
from promcluster.chains.models import Chain, ChainStage, StageSupplier
from promcluster.errors import InvalidField
from promcluster.records import check_version, flush, get
from promcluster.reference import service as reference
from promcluster.registry.models import Enterprise


def _unique_code(session: Session, chain_id: int, code: str, own_id: int | None) -> None:
    with session.no_autoflush:
        other = session.scalar(
            select(ChainStage).where(ChainStage.chain_id == chain_id, ChainStage.okpd2_code == code)
        )
    if other is not None and other.id != own_id:
        raise InvalidField(
            "okpd2_code", f"в цепочке уже есть этап с кодом ОКПД2 {code} (этап {other.position})"
        )


def _set_stage(session: Session, stage: ChainStage, data: dict[str, Any]) -> None:
    if "okpd2_code" in data:
        product = reference.require_okpd(session, data["okpd2_code"], "okpd2_code")
        _unique_code(session, stage.chain_id, product.code, stage.id)
        data["okpd2_code"] = product.code
        if not data.get("name") and not stage.name:
            data["name"] = product.name
    for key, value in data.items():
        setattr(stage, key, value)


def create_stage(
    session: Session, user: User | None, chain_id: int, data: dict[str, Any]
) -> ChainStage:
    """Add a stage (an input product, OKPD2) to a chain; by default after its last stage."""
    chain = get(session, Chain, chain_id)
    permissions.require_cluster(user, chain.cluster_id)
    data = dict(data)
    if data.get("position") is None:
        last = session.scalar(
            select(func.max(ChainStage.position)).where(ChainStage.chain_id == chain_id)
        )
        data["position"] = (last or 0) + 1
    stage = ChainStage(chain_id=chain_id)
    _set_stage(session, stage, data)
    session.add(stage)
    flush(session)
    return stage


def update_stage(
    session: Session, user: User | None, stage_id: int, data: dict[str, Any]
) -> ChainStage:
    """Change a stage; ``data`` holds the changed fields and the version read."""
    stage = get(session, ChainStage, stage_id)
    permissions.require_cluster(user, stage.chain.cluster_id)
    data = dict(data)
    check_version(stage, data)
    _set_stage(session, stage, data)
    flush(session)
    return stage


def delete_stage(
    session: Session, user: User | None, stage_id: int, version: int | None = None
) -> None:
    """Remove a stage with its assigned suppliers (its projects stay, without a stage)."""
    stage = get(session, ChainStage, stage_id)
    permissions.require_cluster(user, stage.chain.cluster_id)
    check_version(stage, {"version": version})
    for project in stage.projects:
        project.stage_id = None
    session.delete(stage)
    flush(session)


def assign_supplier(
    session: Session, user: User | None, stage_id: int, enterprise_id: int, note: str | None = None
) -> StageSupplier:
    """Assign an enterprise to supply a stage."""
    stage = get(session, ChainStage, stage_id)
    permissions.require_cluster(user, stage.chain.cluster_id)
    enterprise = get(session, Enterprise, enterprise_id, "enterprise_id")
    if any(s.enterprise_id == enterprise.id for s in stage.suppliers):
        raise InvalidField("enterprise_id", f"«{enterprise.name}» уже назначен на этот этап")
    supplier = StageSupplier(enterprise_id=enterprise.id, note=note)
    stage.suppliers.append(supplier)
    flush(session)
    return supplier


def remove_supplier(
    session: Session, user: User | None, supplier_id: int, version: int | None = None
) -> ChainStage:
    """Take an assigned supplier off its stage; returns the stage."""
    supplier = get(session, StageSupplier, supplier_id)
    stage = supplier.stage
    permissions.require_cluster(user, stage.chain.cluster_id)
    check_version(supplier, {"version": version})
    session.delete(supplier)  # not as an orphan: the audit log records explicit deletes
    flush(session)
    session.expire(stage, ["suppliers"])
    return stage
