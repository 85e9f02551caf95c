"""Shapes of the indicators API."""

from datetime import date

from pydantic import BaseModel


class DeclaredOut(BaseModel):
    indicator: str
    value: float
    qualifier: str | None
    unit: str
    as_of: date | None
    period_end: int | None
    quote: str | None
    scope: str | None
    source_key: str
    source_title: str
    source_publisher: str | None
    source_url: str | None
    source_date: str | None


class IndicatorOut(BaseModel):
    key: str
    label: str
    value: float | None
    unit: str
    as_of: date | None
    year: int | None
    basis: str
    known: int | None
    total: int | None
    parts: dict[str, float]
    declared: list[DeclaredOut]


class PointOut(BaseModel):
    year: int
    value: float | None
    known: int | None
    total: int | None


class SeriesOut(BaseModel):
    key: str
    unit: str
    points: list[PointOut]
    undated: int


class IndicatorsOut(BaseModel):
    level: str
    key: str
    name: str
    as_of: date
    indicators: list[IndicatorOut]
    roles: dict[str, int]
    project_statuses: dict[str, int]
    cluster_statuses: dict[str, int]
    other_declared: list[DeclaredOut]
    series: list[SeriesOut]


class RatingRowOut(BaseModel):
    rank: int | None
    key: str
    name: str
    value: float | None
    unit: str
    as_of: date | None
    year: int | None
    known: int | None
    total: int | None
    basis: str


class RatingOut(BaseModel):
    indicator: str
    level: str
    as_of: date
    items: list[RatingRowOut]
