"""Pydantic shapes of the registry for the REST API: create, partial update, output."""

from datetime import date
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model

from promcluster.labels import (
    CHAIN_STATUSES,
    CLUSTER_KINDS,
    CLUSTER_STATUSES,
    MEMBERSHIP_ROLES,
    MEMBERSHIP_STATUSES,
    PROJECT_STATUSES,
    SME_CATEGORIES,
)
from promcluster.reference.identifiers import inn_error, ogrn_error


def _checked(error_of):
    def check(value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if (error := error_of(value)) is not None:
            raise ValueError(error)
        return value

    return AfterValidator(check)


def _choice(vocabulary: dict[str, str]) -> Any:
    return Literal[tuple(vocabulary)]  # type: ignore[valid-type]


Inn = Annotated[str | None, _checked(inn_error)]
Ogrn = Annotated[str | None, _checked(ogrn_error)]
Name = Annotated[str, Field(min_length=1, max_length=500)]
Money = Annotated[int, Field(ge=0, description="рубли")]
Year = Annotated[int, Field(ge=1900, le=2100)]
ClassifierCode = Annotated[str, Field(min_length=1, max_length=20)]


class Strict(BaseModel):
    """Refuses unknown fields, so a typo in a field name is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EnterpriseIn(Strict):
    name: Name
    region_code: str = Field(min_length=2, max_length=2)
    inn: Inn = None
    ogrn: Ogrn = None
    full_name: str | None = None
    city_id: int | None = None
    address: str | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    okved_main: ClassifierCode | None = None
    okved_extra: list[ClassifierCode] = []
    employees: int | None = Field(None, ge=0)
    revenue: Money | None = None
    sme_category: _choice(SME_CATEGORIES) | None = None
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    description: str | None = None


class ClusterIn(Strict):
    name: Name
    region_codes: list[str] = Field(min_length=1)
    kind: _choice(CLUSTER_KINDS) = "industrial"
    status: _choice(CLUSTER_STATUSES) | None = None
    status_note: str | None = None
    registry_number: str | None = None
    registry_date: date | None = None
    specialised_org_id: int | None = None
    specialisation: list[ClassifierCode] = []
    description: str | None = None
    founded_on: date | None = None
    strategy_period: str | None = None
    strategy_url: str | None = None


class MembershipIn(Strict):
    cluster_id: int
    enterprise_id: int
    status: _choice(MEMBERSHIP_STATUSES)
    role: _choice(MEMBERSHIP_ROLES) = "participant"
    since: date | None = None
    until: date | None = None
    note: str | None = None
    without_output: bool = False


class ChainIn(Strict):
    cluster_id: int
    name: Name
    position: int = Field(1, ge=1)
    status: _choice(CHAIN_STATUSES) = "formed"
    description: str | None = None
    products: list[ClassifierCode] = []


class ProjectIn(Strict):
    cluster_id: int
    name: Name
    chain_id: int | None = None
    stage_id: int | None = None
    initiator_id: int | None = None
    description: str | None = None
    amount: Money | None = None
    start_year: Year | None = None
    end_year: Year | None = None
    status: _choice(PROJECT_STATUSES) = "planned"
    import_substitution: bool = False
    jobs: int | None = Field(None, ge=0)
    products: list[ClassifierCode] = []


def patch_of(model: type[Strict]) -> type[Strict]:
    """The partial-update shape of ``model``: every field may be omitted (a required one may not
    be set to null), plus the ``version`` read before the change."""
    fields: dict[str, Any] = {
        name: (
            Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation,
            None,
        )
        for name, field in model.model_fields.items()
    }
    fields["version"] = (int, Field(description="версия записи, прочитанная перед изменением"))
    return create_model(model.__name__.replace("In", "Patch"), __base__=Strict, **fields)


EnterprisePatch = patch_of(EnterpriseIn)
ClusterPatch = patch_of(ClusterIn)
MembershipPatch = patch_of(MembershipIn)
ChainPatch = patch_of(ChainIn)
ProjectPatch = patch_of(ProjectIn)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int


class Coded(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str


class EnterpriseOut(Out, EnterpriseIn):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    region: Coded
    main_activity: Coded | None = None
    extra_activities: list[Coded] = []
    is_synthetic: bool = False


class ClusterOut(Out, ClusterIn):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    region_codes: list[str] = []
    regions: list[Coded]
    specialisation: list[Coded] = []  # type: ignore[assignment]


class MembershipOut(Out, MembershipIn):
    model_config = ConfigDict(from_attributes=True, extra="ignore")


class ChainOut(Out, ChainIn):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    products: list[Coded] = []  # type: ignore[assignment]
    project_count: int = 0
    project_amount: int = 0


class ProjectOut(Out, ProjectIn):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    products: list[Coded] = []  # type: ignore[assignment]


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    page: int
    per_page: int
