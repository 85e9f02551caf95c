"""Shapes of the niche API."""

from pydantic import BaseModel


class NicheOut(BaseModel):
    rank: int
    group: str
    name: str
    score: float
    demand_rub: int
    imported_rub: int
    procurement_rub: int
    import_share: float | None
    buyers: int
    produced_rub: int
    producers: int
    activity: str | None
    activity_name: str | None
    feasibility: float | None
    density: float | None
    rca: float | None
    pci: float | None
    cog: float | None
    c_demand: float
    c_feasibility: float
    c_attractiveness: float


class RankingOut(BaseModel):
    region: str
    cluster: int | None
    weights: dict[str, float]
    synthetic_data: bool
    items: list[NicheOut]


class RegionShareOut(BaseModel):
    code: str | None
    name: str | None
    share: float


class ContractsOut(BaseModel):
    """A public customer's contracts of the niche's products (ЕИС)."""

    purchased_rub: int
    contract_count: int
    contracts: list[str]
    supplier_regions: list[RegionShareOut]
    outside_share: float | None


class BuyerOut(BaseModel):
    enterprise_id: int | None
    name: str
    outside_rub: int
    imported_rub: int
    total_rub: int
    sources: list[str]
    supplier_regions: list[str]
    synthetic: bool
    procurement: ContractsOut | None = None


class CandidateOut(BaseModel):
    enterprise_id: int
    name: str
    city: str | None
    okved: str | None
    employees: int | None
    reason: str
    synthetic: bool


class RelatedOut(BaseModel):
    activity: str
    name: str
    proximity: float


class DetailOut(BaseModel):
    region: str
    niche: NicheOut
    buyers: list[BuyerOut]
    candidates: list[CandidateOut]
    related: list[RelatedOut]
