"""Compliance REST API: the check of a cluster as of a date, checklist marks, and the
administration of the rule editions and regional rule sets."""

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from promcluster.auth.models import User
from promcluster.compliance import admin, marks
from promcluster.compliance.rules import FEDERAL
from promcluster.compliance.schemas import (
    EditionIn,
    MarkIn,
    MarkOut,
    RuleOut,
    RulePatch,
    RuleSetIn,
    report_json,
)
from promcluster.compliance.service import check
from promcluster.web.deps import current_user, db_session, login_required
from promcluster.web.limits import Code, Id

router = APIRouter(prefix="/api/v1", tags=["compliance"])
NULLABLE = {"valid_to", "note"}  # may be cleared by sending null


@router.get("/clusters/{cluster_id}/compliance")
def cluster_compliance(
    cluster_id: Id,
    as_of: date | None = None,
    rule_set: Code = FEDERAL,
    session: Session = db_session,
    user: User | None = Depends(current_user),
) -> dict[str, Any]:
    """Criterion by criterion: status (pass, fail, unknown, checklist, not_applicable), value,
    threshold, explanation, offending records, checklist marks with the documents of the
    dossier they cite (for anonymous callers a document that is not public shows only its id)
    and the rule edition; the verdict is fail, incomplete or pass."""
    report = check(session, cluster_id, as_of or date.today(), rule_set, for_public=user is None)
    return report_json(report)


@router.put("/clusters/{cluster_id}/compliance/marks", response_model=MarkOut)
def put_mark(
    cluster_id: Id,
    body: MarkIn,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    """Tick (with a reference to the document, a document of the cluster's dossier, or both) or
    untick a checklist item of a rule."""
    return marks.set_mark(
        session, user, cluster_id, body.rule, body.item, body.done, body.reference, body.note,
        body.version, body.document_id,
    )  # fmt: skip


@router.get("/compliance/rules", response_model=list[RuleOut])
def rules(rule_set: Code | None = None, session: Session = db_session):
    """Every edition of the requirements (of one rule set when given)."""
    return admin.list_rules(session, rule_set)


@router.patch("/compliance/rules/{rule_id}", response_model=RuleOut)
def patch_rule(
    rule_id: Id,
    body: RulePatch,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    """Change an edition's parameters, switch it on or off, close it (administrators)."""
    data = {
        k: v
        for k, v in body.model_dump(exclude_unset=True).items()
        if v is not None or k in NULLABLE
    }
    return admin.update_rule(session, user, rule_id, data)


@router.post("/compliance/rules", response_model=RuleOut, status_code=201)
def post_edition(
    body: EditionIn, session: Session = db_session, user: User = Depends(login_required)
):
    """A new edition of a rule from ``valid_from`` (administrators)."""
    return admin.add_edition(session, user, body.model_dump())


@router.post("/compliance/rule-sets", response_model=list[RuleOut], status_code=201)
def post_rule_set(
    body: RuleSetIn, session: Session = db_session, user: User = Depends(login_required)
):
    """Copy the federal editions into the region's own set ``region:NN`` (administrators)."""
    return admin.copy_rule_set(session, user, body.region_code)
