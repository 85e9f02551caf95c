"""The PostgreSQL connection pool of a worker: as large as configured, connections reused
between requests (no new server connection per request)."""

import pytest
from fastapi.testclient import TestClient

from promcluster.app import create_app


def test_the_pool_has_the_configured_size_and_reuses_its_connections(settings, db):
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite opens its file per connection; the pool setting is PostgreSQL's")
    app = create_app(settings.model_copy(update={"database_pool_size": 3}))
    try:
        pool = app.state.engine.pool
        assert pool.size() == 3
        with TestClient(app) as http:
            for _ in range(5):
                assert http.get("/api/v1/clusters").status_code == 200
            opened = pool.checkedin() + pool.checkedout()
        assert 1 <= opened <= 3  # five requests, one after another: the same few connections
    finally:
        app.state.engine.dispose()
