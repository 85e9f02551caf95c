"""Who may read which audit entries — the one place deciding it (docs/PERMISSIONS.md).

Administrators read every entry. Another user reads the entries of the records they may read
through the records' own API, with the same fields: the registry, postings, compliance, sources
and the development programmes' targets are readable by every logged-in user, whole; a response
(its price and message) only by the need's customer side and the responding supplier. Users,
logins and any table not named here are for administrators only, so a new audited table stays
hidden until it is placed."""

from datetime import datetime

from sqlalchemy import ColumnElement, String, cast, or_, select, true

from promcluster.auth.models import AuditLog, User
from promcluster.chains.models import Chain, ChainStage, StageSupplier
from promcluster.compliance.models import Mark, Rule
from promcluster.documents.models import Document
from promcluster.dossier.models import ProgrammeTarget
from promcluster.matching.models import Need, Offer, Response
from promcluster.matching.responses import responses_visible_to
from promcluster.pagination import where_given
from promcluster.registry.models import (
    Cluster,
    DeclaredFigure,
    Enterprise,
    EnterpriseFigure,
    InvestmentProject,
    Membership,
    ProductLine,
    Source,
    Supply,
)

READABLE_BY_USERS = frozenset(
    model.__tablename__
    for model in (
        Cluster,
        Enterprise,
        Membership,
        Chain,
        ChainStage,
        StageSupplier,
        InvestmentProject,
        ProductLine,
        EnterpriseFigure,
        Supply,
        Source,
        DeclaredFigure,
        Need,
        Offer,
        Rule,
        Mark,
        ProgrammeTarget,
    )
)
"""Tables whose records every logged-in user reads in full (pages, API, exports)."""

ADMIN_ONLY = frozenset({User.__tablename__, Document.__tablename__})
"""Users and roles (and, as for any table not named here, login entries): administrators.
Documents too: a non-public document's title, parties and note are for the cluster's insiders
(documents/access.py), which the audit log's filter does not know."""

PARTIES_ONLY = Response.__tablename__
"""Responses: the need's customer side and the responding supplier (``responses_visible_to``)."""


def visible_entries(user: User) -> ColumnElement[bool]:
    """The condition on ``audit_log`` rows that ``user`` may read."""
    if user.role == "admin":
        return true()
    responses = responses_visible_to(user).subquery()
    return or_(
        AuditLog.entity.in_(READABLE_BY_USERS),
        (AuditLog.entity == PARTIES_ONLY)
        & AuditLog.entity_id.in_(select(cast(responses.c.id, String))),
    )


def audit_query(
    user: User,
    entity: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    before: datetime | None = None,
):
    """Audit entries ``user`` may read, newest first, filtered by table, record id, actor and
    time (``since`` inclusive, ``before`` exclusive)."""
    query = select(AuditLog).where(visible_entries(user)).order_by(AuditLog.id.desc())
    if since is not None:
        query = query.where(AuditLog.at >= since)
    if before is not None:
        query = query.where(AuditLog.at < before)
    return where_given(
        query,
        (AuditLog.entity, entity),
        (AuditLog.entity_id, entity_id),
        (AuditLog.actor, actor),
    )
