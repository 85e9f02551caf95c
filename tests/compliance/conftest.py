"""The ``build`` fixture: a ``kit.Builder`` over the cleaned test database."""

import pytest
from factories import Database

from compliance.kit import Builder


@pytest.fixture
def build(db: Database) -> Builder:
    return Builder(db)
