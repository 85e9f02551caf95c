"""OKPD2 corrections count for everyone only once confirmed (docs/PERMISSIONS.md): made by an
administrator or a cluster manager, or the same code for the same name by
``CONFIRMING_USERS`` distinct users; a representative's own suggestions follow their
correction at once. The issue: one representative moved «газоблок D500» to wheat."""

import copy

import pytest
from factories import csrf_from

from matching.test_classification import package_classifier
from promcluster.matching import classification
from promcluster.matching.classifier import Classifier

API = "/api/v1"
NAME = "газоблок D500"
WHEAT = "01.11.11.110"
BLOCKS = "23.61.11.140"


@pytest.fixture
def taught(db, monkeypatch):
    """``classification`` as a process sees it on its first request (the package classifier's
    copy standing for the build from the database's OKPD2 rows)."""
    classification.forget()

    def build(entries) -> Classifier:
        return copy.deepcopy(package_classifier())

    monkeypatch.setattr(classification, "Classifier", build)
    yield db
    classification.forget()


def first(client, name: str = NAME) -> str:
    answer = client.get(f"{API}/okpd2/suggest", params={"name": name})
    assert answer.status_code == 200, answer.text
    return answer.json()[0]["code"]


def correct(client, code: str = WHEAT, name: str = NAME):
    answer = client.post(f"{API}/okpd2/corrections", json={"name": name, "okpd2_code": code})
    assert answer.status_code == 201, answer.text


@pytest.fixture
def people(taught, users, login_as):
    db = taught
    enterprise, other = db.add_enterprise(name="Завод"), db.add_enterprise(name="Другой")
    return {
        "rep": login_as(users.add("rep", "enterprise_rep", enterprise=enterprise)),
        "rep2": login_as(users.add("rep2", "enterprise_rep", enterprise=other)),
        "manager": login_as(users.add("manager", "cluster_manager", clusters=[db.add_cluster()])),
    }


def test_a_representatives_correction_counts_for_them_only_until_repeated(client, people):
    before = first(client)  # the classifier is built and has looked at the corrections
    assert before != WHEAT
    correct(people["rep"])
    assert first(client) == before  # the issue: everyone's suggestion moved to wheat
    assert first(people["rep2"]) == before
    assert first(people["rep"]) == WHEAT  # the author's own suggestions, at once
    assert first(people["rep"], "Газоблоки D500") == WHEAT  # in any case form

    correct(people["rep"])  # the same user again confirms nothing
    assert first(client) == before
    correct(people["rep2"], BLOCKS)  # another user, another code: no confirmation either
    assert first(client) == before
    assert first(people["rep2"]) == BLOCKS and first(people["rep"]) == WHEAT

    correct(people["rep2"])  # a second user gives the same code: it counts for everyone
    assert classification.CONFIRMING_USERS == 2
    assert first(client) == WHEAT
    assert first(people["manager"]) == WHEAT


@pytest.mark.parametrize("trusted", ["manager", "admin"])
def test_a_managers_or_administrators_correction_counts_at_once(
    client, admin_client, people, trusted
):
    before = first(client)
    correct(people["rep"], BLOCKS)
    assert first(client) == before
    correct(admin_client if trusted == "admin" else people["manager"], BLOCKS)
    assert first(client) == BLOCKS


def test_a_confirmed_code_is_learnt_again_by_a_fresh_process(client, people):
    correct(people["rep"])
    correct(people["rep2"])
    assert first(client) == WHEAT
    classification.forget()  # a restarted server relearns from the table
    assert first(client) == WHEAT


def test_unconfirmed_corrections_stay_out_after_a_rebuild(client, people):
    before = first(client)
    correct(people["rep"])
    classification.forget()
    assert first(client) == before
    assert first(people["rep"]) == WHEAT


def test_the_classify_page_shows_the_authors_own_correction(people):
    rep = people["rep"]
    correct(rep)
    token = csrf_from(rep.get("/classify").text)
    page = rep.post("/classify", data={"names": NAME, "csrf_token": token})
    assert page.status_code == 200
    assert page.text.index(WHEAT) < page.text.index("</table>")
