"""Pydantic shapes of documents for the REST API and the forms: metadata in, a document and its
files out."""

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, computed_field

from promcluster.labels import DOCUMENT_KINDS, choice
from promcluster.registry.schemas import Strict
from promcluster.web.limits import Id, Text, UtcDateTime, Version

Title = Annotated[str, Field(min_length=1, max_length=300)]
Number = Annotated[str, Field(max_length=100)]


class DocumentIn(Strict):
    """A new document's metadata (its file comes beside it in the multipart upload)."""

    kind: choice(DOCUMENT_KINDS)  # type: ignore[valid-type]
    title: Title
    number: Number | None = None
    signed_on: date | None = None
    parties: Text | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    public: bool = False
    note: Text | None = None
    membership_id: Id | None = None
    project_id: Id | None = None


class DocumentPatch(Strict):
    """Metadata to change; ``version`` is the one read (a stale one is a 409)."""

    kind: choice(DOCUMENT_KINDS) | None = None  # type: ignore[valid-type]
    title: Title | None = None
    number: Number | None = None
    signed_on: date | None = None
    parties: Text | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    public: bool | None = None
    note: Text | None = None
    membership_id: Id | None = None
    project_id: Id | None = None
    version: Version | None = None


class FileOut(BaseModel):
    """A version of a document's file, with the address to download it."""

    model_config = ConfigDict(from_attributes=True)

    document_id: int
    number: int
    filename: str
    size: int
    media_type: str
    sha256: str
    uploaded_by: int | None
    uploaded_at: UtcDateTime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def url(self) -> str:
        return f"/api/v1/documents/{self.document_id}/files/{self.number}"


class DocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    cluster_id: int
    membership_id: int | None
    project_id: int | None
    kind: str
    title: str
    number: str | None
    signed_on: date | None
    parties: str | None
    valid_from: date | None
    valid_to: date | None
    public: bool
    note: str | None
    version: int
    files: list[FileOut]
