"""Pydantic shapes of the registry for the REST API: create, partial update, output."""

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model

from promcluster.labels import (
    CLUSTER_KINDS,
    CLUSTER_STATUSES,
    MEMBERSHIP_ROLES,
    MEMBERSHIP_STATUSES,
    PROJECT_STATUSES,
    SME_CATEGORIES,
    choice,
)
from promcluster.reference.identifiers import inn_error, ogrn_error
from promcluster.urls import HttpUrlText
from promcluster.web.limits import (
    CODE_CHARS,
    FULL_NAME_CHARS,
    LIST_ITEMS,
    MONEY_MAX,
    NAME_CHARS,
    Code,
    Count,
    Email,
    Id,
    Line,
    Short,
    Text,
    Version,
)


def _checked(error_of):
    def check(value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if (error := error_of(value)) is not None:
            raise ValueError(error)
        return value

    return AfterValidator(check)


Inn = Annotated[Code | None, _checked(inn_error)]
Ogrn = Annotated[Code | None, _checked(ogrn_error)]
Name = Annotated[str, Field(min_length=1, max_length=NAME_CHARS)]
Money = Annotated[int, Field(ge=0, le=MONEY_MAX, description="рубли")]
Year = Annotated[int, Field(ge=1900, le=2100)]
ClassifierCode = Annotated[str, Field(min_length=1, max_length=CODE_CHARS)]
ClassifierCodes = Annotated[list[ClassifierCode], Field(max_length=LIST_ITEMS)]
RegionCode = Annotated[str, Field(min_length=2, max_length=2)]


class Strict(BaseModel):
    """Refuses unknown fields, so a typo in a field name is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


class EnterpriseIn(Strict):
    name: Name
    region_code: RegionCode
    inn: Inn = None
    ogrn: Ogrn = None
    full_name: str | None = Field(None, max_length=FULL_NAME_CHARS)
    city_id: Id | None = None
    address: Line | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    okved_main: ClassifierCode | None = None
    okved_extra: ClassifierCodes = []
    employees: Count | None = None
    revenue: Money | None = None
    sme_category: choice(SME_CATEGORIES) | None = None
    website: HttpUrlText | None = None
    email: Email | None = None
    phone: Short | None = None
    description: Text | None = None


class ClusterIn(Strict):
    name: Name
    region_codes: list[RegionCode] = Field(min_length=1, max_length=LIST_ITEMS)
    kind: choice(CLUSTER_KINDS) = "industrial"
    status: choice(CLUSTER_STATUSES) | None = None
    status_note: Text | None = None
    registry_number: Short | None = None
    registry_date: date | None = None
    specialised_org_id: Id | None = None
    specialisation: ClassifierCodes = []
    description: Text | None = None
    founded_on: date | None = None
    strategy_period: Short | None = None
    strategy_url: HttpUrlText | None = None


class MembershipIn(Strict):
    cluster_id: Id
    enterprise_id: Id
    status: choice(MEMBERSHIP_STATUSES)
    role: choice(MEMBERSHIP_ROLES) = "participant"
    since: date | None = None
    until: date | None = None
    note: Text | None = None
    without_output: bool = False


class ProjectIn(Strict):
    cluster_id: Id
    name: Name
    chain_id: Id | None = None
    stage_id: Id | None = None
    initiator_id: Id | None = None
    description: Text | None = None
    amount: Money | None = None
    start_year: Year | None = None
    end_year: Year | None = None
    status: choice(PROJECT_STATUSES) = "planned"
    import_substitution: bool = False
    jobs: Count | None = None
    products: ClassifierCodes = []


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
    fields["version"] = (Version, Field(description="версия записи, прочитанная перед изменением"))
    return create_model(model.__name__.replace("In", "Patch"), __base__=Strict, **fields)


EnterprisePatch = patch_of(EnterpriseIn)
ClusterPatch = patch_of(ClusterIn)
MembershipPatch = patch_of(MembershipIn)
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
    website: str | None = None  # as stored: a link saved before the http(s) rule still reads
    description: str | None = None  # as stored: a text saved before the length bound reads


class ClusterOut(Out, ClusterIn):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    region_codes: list[str] = []
    regions: list[Coded]
    specialisation: list[Coded] = []  # type: ignore[assignment]
    strategy_url: str | None = None  # as stored (see EnterpriseOut.website)
    status_note: str | None = None  # as stored (see EnterpriseOut.description)
    description: str | None = None


class MembershipOut(Out, MembershipIn):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    note: str | None = None  # as stored (see EnterpriseOut.description)


class ProjectOut(Out, ProjectIn):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    products: list[Coded] = []  # type: ignore[assignment]
    description: str | None = None  # as stored (see EnterpriseOut.description)
