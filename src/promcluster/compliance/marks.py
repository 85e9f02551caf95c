"""Checklist marks: a manager of the cluster (or an administrator) ticks an item of a rule with
the document it rests on — a reference in words, an uploaded document of the cluster's dossier,
or both — or unticks it; stale versions are refused, every change is audited."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster import records
from promcluster.auth import permissions
from promcluster.auth.models import User
from promcluster.compliance.models import Mark, Rule
from promcluster.documents.queries import cluster_document
from promcluster.errors import InvalidField
from promcluster.registry.models import Cluster

MAX_REFERENCE = 500


def checklist_item(session: Session, rule_code: str, item: str) -> dict:
    """The item ``item`` of rule ``rule_code`` (in any edition of any rule set)."""
    checklists = session.scalars(select(Rule.checklist).where(Rule.code == rule_code)).all()
    if not checklists:
        raise InvalidField("rule", f"нет правила {rule_code}")
    for checklist in checklists:
        for entry in checklist or []:
            if entry["key"] == item:
                return entry
    raise InvalidField("item", f"у правила {rule_code} нет пункта «{item}»")


def set_mark(
    session: Session,
    user: User | None,
    cluster_id: int,
    rule_code: str,
    item: str,
    done: bool,
    reference: str | None = None,
    note: str | None = None,
    version: int | None = None,
    document_id: int | None = None,
) -> Mark:
    """Tick (``done``) or untick an item; a tick needs a reference (document name, number or
    link) or a document of the cluster's dossier (``document_id``); ``version`` is the mark's
    version read (a stale one raises ``Conflict``)."""
    records.get(session, Cluster, cluster_id)
    permissions.require_cluster(user, cluster_id)
    checklist_item(session, rule_code, item)
    reference = (reference or "").strip() or None
    if document_id is not None:
        cluster_document(session, cluster_id, document_id)
    if done and reference is None and document_id is None:
        raise InvalidField(
            "reference",
            "укажите документ: выберите его из досье кластера или напишите название, номер и "
            "дату или ссылку",
        )
    if reference and len(reference) > MAX_REFERENCE:
        raise InvalidField("reference", f"не длиннее {MAX_REFERENCE} символов")
    mark = session.scalar(
        select(Mark).where(
            Mark.cluster_id == cluster_id, Mark.rule_code == rule_code, Mark.item == item
        )
    )
    if mark is None:
        mark = Mark(cluster_id=cluster_id, rule_code=rule_code, item=item)
        session.add(mark)
    else:
        records.check_version(mark, {"version": version})
    mark.done = done
    mark.reference = reference if reference is not None or done else mark.reference
    mark.document_id = document_id if document_id is not None or done else mark.document_id
    mark.note = (note or "").strip() or None
    mark.marked_on = date.today()
    mark.marked_by = user.id if user is not None else None
    records.flush(session)
    return mark
