"""Pages computed in the background (issue 23): with ``promcluster serve``'s background mode on,
a niche or discovery page (and the niche ranking API) asked for before its result is computed
answers at once with «идёт расчёт…» (the API with 202, ``Retry-After`` and ``{"state":
"computing"}``), computes it once, and then answers with the normal page; the start-up warm-up
computes the busiest regions' pages."""

import threading
import time

import pytest
from fastapi.testclient import TestClient
from niches import CONCRETE, REGION, build_world
from sqlalchemy import text

from promcluster.app import create_app
from promcluster.auth.models import AuditLog
from promcluster.background import Computations, Job
from promcluster.served import busiest_regions, warm_pages

PATHS = ("/niches/72", "/discover/72", f"/niches/72/{CONCRETE}")


@pytest.fixture
def background(db, settings):
    """An application over the test database with the pages computed in the background and no
    wait (the first request always finds its result not yet computed)."""
    app = create_app(settings)
    app.state.computations = Computations(background=True, wait_seconds=0)
    app.state.warmed_up.set()
    with TestClient(app) as http:
        yield http, app.state.computations
    app.state.engine.dispose()


def settle(computations: Computations, timeout: float = 120) -> None:
    """Wait until no job of ``computations`` is running."""
    deadline = time.monotonic() + timeout
    while computations.busy():
        assert time.monotonic() < deadline, "the background computation did not finish"
        time.sleep(0.05)


@pytest.mark.parametrize("path", PATHS)
def test_a_page_answers_computing_at_once_then_the_normal_page(db, background, path):
    build_world(db)
    http, computations = background
    first = http.get(path)
    assert first.status_code == 200
    assert "Идёт расчёт…" in first.text
    assert '<script src="/static/computing.js" defer></script>' in first.text
    assert first.headers["retry-after"] == "2"
    assert first.headers["cache-control"] == "no-store"
    settle(computations)
    normal = http.get(path)
    assert normal.status_code == 200
    assert "Идёт расчёт" not in normal.text
    assert "computing.js" not in normal.text
    assert ("Бетон" in normal.text or "бетон" in normal.text) if "niches" in path else True
    assert "Тюменская область" in normal.text


def test_the_ranking_api_answers_202_then_the_ranking(db, background):
    build_world(db)
    http, computations = background
    first = http.get("/api/v1/niches", params={"region": REGION})
    assert first.status_code == 202
    assert first.json() == {"state": "computing", "message": "идёт расчёт…", "retry_after": 2}
    assert first.headers["retry-after"] == "2"
    settle(computations)
    ranking = http.get("/api/v1/niches", params={"region": REGION})
    assert ranking.status_code == 200
    assert CONCRETE in [item["group"] for item in ranking.json()["items"]]


def test_the_api_schema_documents_the_computing_answer(background):
    http, _ = background
    operation = http.get("/api/openapi.json").json()["paths"]["/api/v1/niches"]["get"]
    assert "Retry-After" in operation["responses"]["202"]["headers"]
    assert operation["responses"]["202"]["content"]["application/json"]["schema"]


def test_an_unknown_region_is_still_refused_after_the_computing_state(db, background):
    http, computations = background
    http.get("/niches/99")
    settle(computations)
    refused = http.get("/niches/99")
    assert refused.status_code == 404
    assert "регион с кодом 99 не найден" in refused.text


def test_a_write_makes_the_page_compute_again(db, background):
    build_world(db)
    http, computations = background
    http.get("/niches/72")
    settle(computations)
    assert "Идёт расчёт" not in http.get("/niches/72").text
    with db.session() as session:  # a write anywhere leaves a new audit record
        session.add(AuditLog(actor="test", action="update", entity="enterprises", changes={}))
    assert "Идёт расчёт…" in http.get("/niches/72").text
    settle(computations)
    assert "Идёт расчёт" not in http.get("/niches/72").text


def test_a_job_is_computed_once_however_many_requests_ask(db):
    computations = Computations(background=True, wait_seconds=0)
    release, calls = threading.Event(), []

    def compute(session) -> None:
        calls.append(session.execute(text("SELECT 1")).scalar_one())
        release.wait(30)

    job = Job(("slow", 1), compute)
    with db.session() as session:
        assert [computations.ready(session, job) for _ in range(5)] == [False] * 5
        assert computations.is_running(db.engine, job)
        assert computations.run(db.engine, job) is False  # the warm-up skips a running job
        release.set()
        settle(computations)
        assert computations.ready(session, job) is True
    assert calls == [1]


def test_off_the_pages_compute_in_the_request(db, client):
    build_world(db)
    page = client.get("/niches/72")  # the test application: background mode off
    assert page.status_code == 200 and "Идёт расчёт" not in page.text


def test_the_warm_up_computes_the_busiest_regions_pages(db, background):
    build_world(db)
    http, computations = background
    with db.session() as session:
        query = "SELECT region_code, count(*) FROM enterprises GROUP BY region_code"
        firms = dict(session.execute(text(query)).all())
    codes = busiest_regions(db.engine, 85)  # no clusters here: by number of firms
    assert sorted(codes) == sorted(firms) and REGION in codes
    assert [firms[c] for c in codes] == sorted(firms.values(), reverse=True)
    assert busiest_regions(db.engine, 2) == codes[:2]
    assert busiest_regions(db.engine, 0) == []
    assert warm_pages(computations, [db.url], 85) == codes
    for path in ("/niches/72", "/discover/72", "/api/v1/niches?region=72"):
        answer = http.get(path)
        assert answer.status_code == 200 and "Идёт расчёт" not in answer.text, path


def test_the_done_marks_are_bounded(db, monkeypatch):
    monkeypatch.setattr("promcluster.background.MARKS", 3)
    computations = Computations(background=True, wait_seconds=30)
    computed: list[int] = []

    def page(n: int) -> Job:
        return Job(("page", n), lambda s: computed.append(n))

    with db.session() as session:
        for n in range(5):  # five different pages, as a visitor's paths may make
            assert computations.ready(session, page(n)) is True
        assert computed == [0, 1, 2, 3, 4]
        for n in (4, 3, 2, 0):
            assert computations.ready(session, page(n)) is True
    assert computed[5:] == [0]  # the oldest marks were dropped: computed again
