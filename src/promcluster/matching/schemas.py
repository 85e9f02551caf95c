"""Pydantic shapes of needs, offers, responses, candidates and notifications for the REST API."""

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from promcluster.labels import NEED_STATUSES, OFFER_STATUSES, RESPONSE_STATUSES, choice
from promcluster.registry.schemas import ClassifierCode, Coded, Money, Name, Out, Strict
from promcluster.web.limits import LIST_ITEMS, NAME_CHARS, Id, Line, Text, UtcDateTime, Version

Volume = Annotated[float, Field(ge=0, description="объём в год, в единицах ``unit``")]
RegionCode = Annotated[str, Field(min_length=2, max_length=2)]


class PostingIn(Strict):
    """What needs and offers share."""

    product_name: Name
    okpd2_code: ClassifierCode | None = None
    region_code: RegionCode | None = Field(None, description="по умолчанию — регион предприятия")
    volume: Volume | None = None
    unit: str | None = Field(None, max_length=30)
    value: Money | None = None
    deadline: date | None = Field(None, description="не раньше сегодняшнего дня")
    description: Text | None = None


class NeedIn(PostingIn):
    """A need of a registered enterprise (``customer_id``) or of an outside customer
    (``customer_name``, then ``region_code`` is required)."""

    customer_id: Id | None = None
    customer_name: Name | None = None


class OfferIn(PostingIn):
    """An offer of a supplier; ``volume`` is the declared capacity per year."""

    supplier_id: Id


class NeedPatch(Strict):
    """Changed fields of a need, with the ``version`` read before the change."""

    product_name: Name | None = None
    okpd2_code: ClassifierCode | None = None
    region_code: RegionCode | None = None
    volume: Volume | None = None
    unit: str | None = Field(None, max_length=30)
    value: Money | None = None
    deadline: date | None = None
    description: Text | None = None
    status: choice(NEED_STATUSES) | None = None
    version: Version = Field(description="версия записи, прочитанная перед изменением")


class OfferPatch(NeedPatch):
    """Changed fields of an offer, with the ``version`` read before the change."""

    status: choice(OFFER_STATUSES) | None = None


class PostingOut(Out):
    product_name: str
    okpd2_code: str | None
    product: Coded | None = None
    region_code: str
    region: Coded
    volume: float | None
    unit: str | None
    value: int | None
    deadline: date | None
    description: str | None
    status: str
    created_at: UtcDateTime | None = None


class NeedOut(PostingOut):
    customer_id: int | None
    customer_name: str | None
    customer_display: str = Field("", description="заказчик: предприятие или сторонний заказчик")


class OfferOut(PostingOut):
    supplier_id: int
    supplier_name: str = ""


class ResponseIn(Strict):
    """A supplier's answer to a need (``supplier_id`` defaults to the user's enterprise)."""

    supplier_id: Id | None = None
    offer_id: Id | None = None
    message: str | None = Field(None, max_length=5000)
    price: Money | None = None


class ResponseStatusIn(Strict):
    """Accept or decline (the customer), withdraw (the supplier)."""

    status: choice({k: v for k, v in RESPONSE_STATUSES.items() if k != "new"})
    version: Version = Field(description="версия отклика, прочитанная перед изменением")


class Named(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


class ResponseOut(Out):
    need_id: int
    supplier_id: int
    supplier: Named
    offer_id: int | None
    message: str | None
    price: int | None
    status: str
    created_at: UtcDateTime | None = None


class PartnerOut(BaseModel):
    """A ranked partner: tier 0 — co-member of a cluster, 1 — same region, 2 — elsewhere."""

    model_config = ConfigDict(from_attributes=True)

    enterprise_id: int | None
    name: str
    region_code: str
    region_name: str
    tier: int
    score: float = Field(description="0…1")
    distance_km: float
    closeness: float = Field(description="близость продукции, 0…1")
    capacity: float | None = Field(description="заявленный объём (мощность или спрос) в год")
    unit: str | None
    member_of: str | None = Field(description="общий кластер, если есть")
    sources: list[str]
    reasons: list[str] = Field(description="объяснение оценки по-русски")
    offer_id: int | None = None
    need_id: int | None = None
    synthetic: bool = False


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    text: str
    link: str | None
    created_at: UtcDateTime | None
    read_at: UtcDateTime | None


class NotificationList(BaseModel):
    items: list[NotificationOut]
    unread: int


class MarkRead(Strict):
    """Notifications to mark read; all of the user's when ``ids`` is omitted."""

    ids: list[Id] | None = Field(None, max_length=LIST_ITEMS)


class Marked(BaseModel):
    marked: int


# Search and classification


class SearchHitOut(BaseModel):
    kind: str = Field(description="cluster, chain, project, enterprise, product, need или offer")
    ref_id: int
    title: str
    detail: str | None
    region_code: str | None
    okpd2_code: str | None
    score: float = Field(description="релевантность (больше — лучше)")
    link: str


class SearchOut(BaseModel):
    query: str
    every_word: bool = Field(
        description="false: нет документов со всеми словами, показаны частичные"
    )
    corrected: dict[str, str] = Field(description="исправленные опечатки: набрано → исправлено")
    hits: list[SearchHitOut]


class MarkOut(BaseModel):
    text: str
    marked: bool = Field(description="true: слово запроса")


class SuggestedLineOut(BaseModel):
    id: int = Field(description="id записи (лучшей из одинаковых)")
    kind: str
    title: str
    detail: str | None
    link: str
    count: int = Field(description="одинаковых записей (вид, название и код ОКПД2) в строке")
    why: str = Field(description="почему найдено: поле, исправления опечаток")
    title_marked: list[MarkOut] = Field(description="название по частям, слова запроса отмечены")


class SuggestedKindOut(BaseModel):
    kind: str
    label: str
    count: int = Field(description="строк этого вида среди первых 100 документов")
    capped: bool = Field(description="true: документов этого вида больше 100")
    items: list[SuggestedLineOut]


class SuggestOut(BaseModel):
    query: str
    every_word: bool = Field(description="false: нет записей со всеми словами, показаны частичные")
    corrected: dict[str, str] = Field(description="исправленные опечатки: набрано → исправлено")
    groups: list[SuggestedKindOut] = Field(description="по видам, лучше совпавший вид первым")


class ParentOut(BaseModel):
    code: str
    name: str


class SuggestionOut(BaseModel):
    code: str
    name: str
    score: float = Field(description="сходство 0–1")
    parents: list[ParentOut] = Field(
        description="группировки над кодом: от класса XX до родительской", default_factory=list
    )
    breadcrumb: str = Field(
        description="путь в классификаторе: «класс › группа › … › код наименование»", default=""
    )


class NamesIn(BaseModel):
    names: list[Line] = Field(min_length=1, max_length=LIST_ITEMS)
    top: int = Field(5, ge=1, le=20)


class CorrectionIn(BaseModel):
    name: str = Field(min_length=1, max_length=NAME_CHARS)
    okpd2_code: ClassifierCode
    suggested_code: ClassifierCode | None = None


class CorrectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    okpd2_code: str
    suggested_code: str | None
