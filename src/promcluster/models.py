"""Every table, imported in one place so that Alembic and the app see the whole schema."""

from promcluster.auth.models import AuditLog, User
from promcluster.db import Base
from promcluster.imports.models import ImportRun, RejectedRow
from promcluster.matching.models import Need
from promcluster.reference.models import City, Okpd, Okved, Region
from promcluster.registry.models import (
    Chain,
    Cluster,
    DeclaredFigure,
    Enterprise,
    InvestmentProject,
    Membership,
    ProductLine,
    Source,
    Supply,
)

__all__ = [
    "AuditLog",
    "Base",
    "Chain",
    "City",
    "Cluster",
    "DeclaredFigure",
    "Enterprise",
    "ImportRun",
    "InvestmentProject",
    "Membership",
    "Need",
    "Okpd",
    "Okved",
    "ProductLine",
    "Region",
    "RejectedRow",
    "Source",
    "Supply",
    "User",
]
