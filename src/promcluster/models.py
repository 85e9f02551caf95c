"""Every table, imported in one place so that Alembic and the app see the whole schema."""

from promcluster.auth.models import AuditLog, LoginFailure, User, UserSession
from promcluster.chains.models import Chain, ChainStage, StageSupplier
from promcluster.compliance.models import Mark, Rule
from promcluster.db import Base
from promcluster.documents.models import Document, DocumentFile
from promcluster.dossier.models import ApplicationPackage, ProgrammeTarget
from promcluster.imports.models import ImportRun, RejectedRow
from promcluster.jobs.models import Job
from promcluster.matching.models import (
    FULL_TEXT_OBJECTS,
    Correction,
    Need,
    Notification,
    Offer,
    Response,
    SearchDocument,
)
from promcluster.procurement.models import ProcurementDocument, ProcurementItem
from promcluster.reference.models import City, Okpd, Okved, Region
from promcluster.registry.events import MembershipEvent
from promcluster.registry.models import (
    Cluster,
    DeclaredFigure,
    Enterprise,
    InvestmentProject,
    Membership,
    ProductLine,
    Source,
    Supply,
)
from promcluster.statistics.models import OfficialFigure

__all__ = [
    "ApplicationPackage",
    "AuditLog",
    "Base",
    "Chain",
    "ChainStage",
    "City",
    "Cluster",
    "Correction",
    "DeclaredFigure",
    "Document",
    "DocumentFile",
    "Enterprise",
    "ImportRun",
    "InvestmentProject",
    "Job",
    "LoginFailure",
    "Mark",
    "Membership",
    "MembershipEvent",
    "Need",
    "Notification",
    "Offer",
    "OfficialFigure",
    "Okpd",
    "Okved",
    "ProcurementDocument",
    "ProcurementItem",
    "ProductLine",
    "ProgrammeTarget",
    "Region",
    "RejectedRow",
    "Response",
    "Rule",
    "SearchDocument",
    "Source",
    "StageSupplier",
    "Supply",
    "User",
    "UserSession",
]


def include_object(obj, name: str | None, type_: str, reflected: bool, compare_to) -> bool:
    """Alembic's filter: the full-text index objects are not the models' business."""
    return not (reflected and compare_to is None and name in FULL_TEXT_OBJECTS)
