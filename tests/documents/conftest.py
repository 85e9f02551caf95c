"""Fixtures of the documents tests: a cluster with a member and a project, the store's files,
a small document size limit."""

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from factories import Database, fresh_inn

from promcluster.config import get_settings


class Store:
    """The files under the suite's file store (the kept ones and any temporary one)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def files(self) -> set[Path]:
        return {p for p in self.root.rglob("*") if p.is_file()}


@pytest.fixture
def store(files_dir: Path) -> Store:
    return Store(files_dir)


@pytest.fixture
def small_limit(monkeypatch) -> Iterator[int]:
    """``max_document_bytes`` of 1,000 bytes for the process settings (the services' limit)."""
    monkeypatch.setenv("PROMCLUSTER_MAX_DOCUMENT_BYTES", "1000")
    get_settings.cache_clear()
    yield 1000
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def cluster(db: Database) -> dict[str, int]:
    """A cluster with a member enterprise and a project, and another cluster with its own."""
    own, other = db.add_cluster(name="Свой кластер"), db.add_cluster(name="Чужой кластер")
    member = db.add_enterprise(name="Завод-участник", inn=fresh_inn())
    outsider = db.add_enterprise(name="Завод со стороны", inn=fresh_inn())
    return {
        "id": own,
        "other": other,
        "member": member,
        "outsider": outsider,
        "membership": db.add_membership(own, member),
        "other_membership": db.add_membership(other, outsider),
        "project": db.add_project(own),
        "other_project": db.add_project(other),
    }


def stream(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)
