"""Discovery in and out of the REST API: prospects, the add-to-pipeline request, the funnel,
a region's specialisations and candidate clusters."""

from datetime import date

from pydantic import BaseModel, Field

from promcluster.discovery.candidates import Candidate
from promcluster.discovery.participants import Prospect
from promcluster.discovery.pipeline import Funnel
from promcluster.discovery.service import Discovery
from promcluster.web.limits import Id, Short


class ProspectOut(BaseModel):
    enterprise_id: int
    name: str
    region_code: str
    region_name: str
    okved: str | None
    employees: int | None
    lat: float
    lon: float
    precision: str
    distance_km: float | None
    score: float = Field(description="0…1: взвешенная сумма сигналов (docs/DISCOVERY.md)")
    signals: list[str]
    reasons: list[str]
    synthetic: bool


class ProspectsAdd(BaseModel):
    enterprise_ids: list[Id] = Field(min_length=1, max_length=500)
    role: Short = "participant"


class MembershipAdded(BaseModel):
    id: int
    enterprise_id: int
    status: str
    version: int


class FunnelPeriodOut(BaseModel):
    period: str = Field(description="месяц ГГГГ-ММ")
    entered: dict[str, int]


class FunnelOut(BaseModel):
    cluster_id: int
    periods: list[FunnelPeriodOut]
    current: dict[str, int]
    potential: int
    reached_applicant: int
    reached_member: int
    applicant_share: float | None
    member_share: float | None
    days_to_applicant: float | None
    days_to_member: float | None
    days_applicant_to_member: float | None


class SpecialismOut(BaseModel):
    code: str
    name: str | None
    lq: float
    firms: int
    value: float
    share: float | None
    growth: float | None = Field(description="относительное изменение меры за период роста")
    lq_change: float | None
    register_firms: int | None = Field(
        None, description="база — данные Росстата: предприятий региона раздела в реестре платформы"
    )


class ExistingOut(BaseModel):
    id: int
    name: str
    specialisation: list[str]
    members: int = Field(description="его предприятий среди предприятий кандидата")
    near: int = Field(description="его предприятий в радиусе кандидата от центра")
    pipeline: int = Field(description="его предприятий всего (участники, кандидаты, потенциальные)")
    placed: int = Field(description="из них размещённых на карте (свои координаты или город)")
    possible: bool = Field(description="только «возможно»: его предприятия не размещены на карте")


class ActivityOut(BaseModel):
    code: str
    name: str | None
    firms: int


class CandidateOut(BaseModel):
    number: int
    score: float
    seed: str
    seed_name: str | None
    firms: int
    employees: float
    activities: list[ActivityOut]
    centre: tuple[float, float]
    outline: list[tuple[float, float]]
    radius_km: float
    parts: dict[str, float]
    synthetic_firms: int
    existing: list[ExistingOut]
    growth: float | None = Field(
        description="изменение численности его предприятий с показателями за оба года периода"
    )
    growth_firms: int


class ReferenceOut(BaseModel):
    basis: str = Field(description="official — данные Росстата (ЕМИСС); register — реестр")
    text: str = Field(description="база сравнения словами, как на странице")
    indicator: str | None = Field(None, description="показатель официальной статистики")
    unit: str | None = None
    year: int | None = Field(None, description="год официальных данных")
    source: str | None = None
    source_date: date | None = None
    register_regions: int = Field(description="регионов с предприятиями в реестре")
    growth_years: tuple[int, int] | None = Field(description="период роста специализаций")


class DiscoveryOut(BaseModel):
    region: str
    region_name: str
    level: int
    measure: str
    firms: int
    national_firms: int
    against: list[str] = Field(description="регионы сравнения; пусто — вся страна")
    years: tuple[int, int] | None = Field(description="период роста")
    available_years: list[int]
    region_growth: float | None
    synthetic_data: bool
    national_reference: ReferenceOut
    specialisations: list[SpecialismOut]
    candidates: list[CandidateOut]


def prospect_out(p: Prospect) -> ProspectOut:
    return ProspectOut.model_validate(p, from_attributes=True)


def funnel_out(f: Funnel) -> FunnelOut:
    return FunnelOut(
        cluster_id=f.cluster_id,
        periods=[FunnelPeriodOut(period=p.period, entered=p.entered) for p in f.periods],
        current=f.current,
        potential=f.potential,
        reached_applicant=f.reached_applicant,
        reached_member=f.reached_member,
        applicant_share=f.applicant_share,
        member_share=f.member_share,
        days_to_applicant=f.days_to_applicant,
        days_to_member=f.days_to_member,
        days_applicant_to_member=f.days_applicant_to_member,
    )


def candidate_out(c: Candidate) -> CandidateOut:
    return CandidateOut(
        **{
            k: getattr(c, k)
            for k in ("number", "score", "seed", "seed_name", "firms", "employees", "centre")
        },
        activities=[ActivityOut(code=a, name=n, firms=k) for a, n, k in c.activities],
        outline=c.outline,
        radius_km=c.radius_km,
        parts=c.parts,
        synthetic_firms=c.synthetic_firms,
        growth=c.growth,
        growth_firms=c.growth_firms,
        existing=[ExistingOut.model_validate(e, from_attributes=True) for e in c.existing],
    )


def reference_out(d: Discovery) -> ReferenceOut:
    q = d.official
    return ReferenceOut(
        basis=d.basis,
        text=d.reference_text,
        indicator=q.indicator.name if q else None,
        unit=q.indicator.unit if q else None,
        year=q.year if q else None,
        source=q.indicator.source if q else None,
        source_date=q.indicator.source_date if q else None,
        register_regions=d.register_regions,
        growth_years=d.growth_years,
    )


def discovery_out(d: Discovery) -> DiscoveryOut:
    return DiscoveryOut(
        region=d.region.code,
        region_name=d.region.name,
        level=d.level,
        measure=d.measure,
        firms=d.firms,
        national_firms=d.national_firms,
        against=[r.code for r in d.reference or []],
        years=d.years,
        available_years=d.available_years,
        region_growth=d.region_growth,
        synthetic_data=d.synthetic,
        national_reference=reference_out(d),
        specialisations=[
            SpecialismOut.model_validate(s, from_attributes=True) for s in d.specialisations
        ],
        candidates=[candidate_out(c) for c in d.candidates],
    )
