"""Pydantic shapes of the compliance API: marks, rule editions and their changes. The report
itself is the ``service.Report`` dataclass (FastAPI and the CLI serialise it the same way)."""

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from promcluster.compliance.service import Report
from promcluster.web.limits import CODE_CHARS, TEXT_CHARS, Id, Line, Text, Version

REPORT = TypeAdapter(Report)


def report_json(report: Report) -> dict[str, Any]:
    """The report as plain JSON values (the CLI's file and the API's body)."""
    return REPORT.dump_python(report, mode="json")


class MarkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: str = Field(min_length=1, max_length=10, description="код правила, например C5")
    item: str = Field(min_length=1, max_length=50, description="ключ пункта чек-листа")
    done: bool = True
    reference: Line | None = Field(None, description="документ: название, номер, дата или ссылка")
    document_id: Id | None = Field(
        None, description="документ из досье кластера (вместо или вместе со ссылкой)"
    )
    note: Text | None = None
    version: Version | None = Field(
        None, description="версия отметки, прочитанная перед изменением"
    )


class MarkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    cluster_id: int
    rule_code: str
    item: str
    done: bool
    reference: str | None
    document_id: int | None
    note: str | None
    marked_on: date | None
    marked_by: int | None
    version: int


class RuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    rule_set: str
    code: str
    title: str
    requirement: str
    decided_by: str
    params: dict[str, Any]
    checklist: list[dict[str, str]]
    valid_from: date
    valid_to: date | None
    enabled: bool
    source: str
    reading: str
    note: str | None
    version: int


class RulePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Version
    params: dict[str, Any] | None = None
    enabled: bool | None = None
    valid_to: date | None = None
    title: str | None = Field(None, min_length=1, max_length=300)
    requirement: str | None = Field(None, min_length=1, max_length=TEXT_CHARS)
    source: str | None = Field(None, min_length=1, max_length=TEXT_CHARS)
    reading: Literal["confirmed", "confirm"] | None = None
    note: Text | None = None


class EditionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule_set: str = Field("federal", max_length=CODE_CHARS)
    code: str = Field(min_length=1, max_length=10)
    valid_from: date
    valid_to: date | None = None
    params: dict[str, Any] | None = Field(None, description="по умолчанию — как в прежней редакции")
    title: str | None = Field(None, max_length=300)
    requirement: Text | None = None
    source: Text | None = None
    reading: Literal["confirmed", "confirm"] | None = None
    note: Text | None = None


class RuleSetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region_code: str = Field(min_length=2, max_length=2, description="код региона, например 72")
