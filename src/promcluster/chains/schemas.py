"""Pydantic shapes of the chains API: chains, stages, assigned suppliers, candidates, the designer's
summary of a chain and the supply graph."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from promcluster.labels import CHAIN_STATUSES, choice
from promcluster.registry.schemas import (
    ClassifierCode,
    ClassifierCodes,
    Coded,
    Money,
    Name,
    Out,
    Strict,
    patch_of,
)
from promcluster.web.limits import INT_MAX, NAME_CHARS, Id, Text, Version


class ChainIn(Strict):
    cluster_id: Id
    name: Name
    position: int = Field(1, ge=1, le=INT_MAX)
    status: choice(CHAIN_STATUSES) = "formed"
    description: Text | None = None
    products: ClassifierCodes = []  # noqa: RUF012 (pydantic copies defaults)


ChainPatch = patch_of(ChainIn)


class ChainOut(Out, ChainIn):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    products: list[Coded] = []  # type: ignore[assignment]  # noqa: RUF012
    description: str | None = None  # as stored (see EnterpriseOut.description)
    project_count: int = 0
    project_amount: int = 0


class StageIn(Strict):
    okpd2_code: ClassifierCode = Field(description="входящая продукция этапа, код ОКПД2")
    name: str | None = Field(None, max_length=NAME_CHARS)
    position: int | None = Field(
        None, ge=1, le=INT_MAX, description="по умолчанию — после последнего этапа"
    )
    value: Money | None = Field(None, description="годовая потребность цепочки, рубли")
    note: Text | None = None


StagePatch = patch_of(StageIn)


class ProjectStage(Strict):
    """The stage a project fills (``None``: no stage), with the project's version."""

    stage_id: Id | None
    version: Version


class SupplierIn(Strict):
    enterprise_id: Id
    note: Text | None = None


class EnterpriseRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    region_code: str
    is_synthetic: bool = False


class SupplierOut(Out):
    stage_id: int
    enterprise_id: int
    note: str | None = None
    enterprise: EnterpriseRef


class StageOut(Out):
    chain_id: int
    position: int
    okpd2_code: str
    name: str | None = None
    value: int | None = None
    note: str | None = None
    product: Coded
    suppliers: list[SupplierOut] = Field(default_factory=list)


class CandidateOut(BaseModel):
    enterprise_id: int | None
    name: str
    region_code: str
    region_name: str
    tier: int = Field(description="0 — участник кластера, 1 — регион кластера, 2 — другой регион")
    score: float
    distance_km: float
    in_region: bool
    assigned: bool
    synthetic: bool
    sources: list[str]
    reasons: list[str]


class ProjectRef(BaseModel):
    id: int
    name: str
    status: str
    amount: int | None


class PurchaseOut(BaseModel):
    value: int | None = Field(description="годовая закупка входящей продукции, рубли")
    outside: int | None = Field(description="из них вне региона")
    imported: int | None = Field(description="из них импорт")
    basis: str | None = Field(description="stage — значение этапа, lines — закупки участников")


class AssignedOut(BaseModel):
    id: int
    version: int
    enterprise_id: int
    name: str
    region_code: str
    in_region: bool


class StageDesignOut(BaseModel):
    id: int
    version: int
    position: int
    okpd2_code: str
    product: str
    name: str | None
    note: str | None
    covered: bool
    covered_by_suppliers: list[int] = Field(description="назначенные поставщики в регионе")
    covered_by_projects: list[int] = Field(description="завершённые проекты этапа")
    in_region_candidates: int | None = Field(description="кандидаты в регионах кластера")
    suppliers: list[AssignedOut]
    projects: list[ProjectRef]
    purchase: PurchaseOut


class CoverageOut(BaseModel):
    stages: int
    covered: int
    gaps: int
    share: float | None


class DependenceOut(BaseModel):
    total: int = Field(description="закупки по этапам с известной суммой, рубли")
    assessed: int = Field(description="из них этапы с известными долями вне региона и импорта")
    outside: int
    imported: int
    outside_share: float | None
    import_share: float | None
    unknown_stages: int
    synthetic: bool = Field(description="доли посчитаны и по синтетическим данным демо")


class MoneyOut(BaseModel):
    projects: int
    amount: int = Field(description="сумма известных сумм проектов, рубли")
    by_status: dict[str, int]
    unknown_amounts: int


class DeclaredOut(BaseModel):
    indicator: str
    value: float
    unit: str
    qualifier: str | None
    source: str
    quote: str | None


class DesignOut(BaseModel):
    chain_id: int
    cluster_id: int
    name: str
    status: str
    products: list[Coded]
    region_codes: list[str]
    coverage: CoverageOut
    dependence: DependenceOut
    money: MoneyOut
    declared: list[DeclaredOut]
    stages: list[StageDesignOut]


class CooperationOut(BaseModel):
    inside: int
    purchases: int
    participants: int
    share: float | None


class NodeOut(BaseModel):
    id: int
    name: str
    status: str
    role: str
    region_code: str
    participant: bool
    synthetic: bool


class EdgeOut(BaseModel):
    source: int
    target: int
    okpd2_code: str
    product: str
    value: int | None


class GraphOut(BaseModel):
    cluster_id: int
    cluster: str
    as_of: date
    year: int | None
    cooperation: CooperationOut
    nodes: list[NodeOut]
    edges: list[EdgeOut]
