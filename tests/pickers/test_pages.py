"""The pages creating a cluster, a chain and an investment project, the pickers on the cluster,
member, stage and posting forms (typed text resolved without a script), and who may open and
post each new page."""

import re

import pytest
from factories import csrf_from, fresh_inn, ogrn
from sqlalchemy import func, select

from promcluster.auth.models import User
from promcluster.chains.models import Chain
from promcluster.registry.models import Cluster, Enterprise, InvestmentProject, Membership


@pytest.fixture
def world(db, users, login_as):
    """Two clusters, enterprises, and a client per role (the manager manages ``own``)."""
    own, other = db.add_cluster(name="Свой кластер"), db.add_cluster(name="Чужой кластер")
    brick = db.add_enterprise(
        name="Тюменский кирпичный завод", inn=fresh_inn(), ogrn=ogrn("102720000002")
    )
    glass = db.add_enterprise(name="Ишимский стекольный комбинат", inn=fresh_inn())
    db.add_enterprise(name="Сибирь Металл", inn=fresh_inn())
    db.add_enterprise(name="Сибирь Полимер", inn=fresh_inn())
    return {
        "own": own,
        "other": other,
        "brick": brick,
        "glass": glass,
        "admin": login_as(users.add("boss", "admin")),
        "manager": login_as(users.add("mgr", "cluster_manager", clusters=[own])),
        "rep": login_as(users.add("rep", "enterprise_rep", enterprise=brick)),
    }


def count(db, model, *where) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def post(http, path: str, data: dict | list, form: str | None = None):
    """Post a page's form with the CSRF token of ``form`` (the page at ``path`` by default)."""
    token = csrf_from(http.get(form or path).text)
    fields: dict[str, list[str]] = {"csrf_token": [token]}
    for key, value in data.items() if isinstance(data, dict) else data:
        fields.setdefault(key, []).append(value)
    return http.post(path, data=fields, follow_redirects=False)


def errors_of(html: str) -> dict[str, str]:
    """The message beside each field (or the page's message when there are none)."""
    found = dict(re.findall(r'data-error-for="([^"]+)">([^<]+)<', html))
    return found or {"page": re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))[-600:]}


# Who may open and post each new page


NEW_PAGES = ["/clusters/new", "/clusters/{own}/chains/new", "/clusters/{own}/projects/new"]


@pytest.mark.parametrize("path", NEW_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, world, path):
    answer = client.get(path.format(**world), follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")
    posted = client.post(path.format(**world), data={"name": "X"}, follow_redirects=False)
    assert posted.status_code in (303, 403)  # no session: no CSRF token, no login


@pytest.mark.parametrize(
    ("path", "by_admin", "by_manager", "by_rep"),
    [
        ("/clusters/new", 200, 403, 403),
        ("/clusters/{own}/chains/new", 200, 200, 403),
        ("/clusters/{other}/chains/new", 200, 403, 403),
        ("/clusters/{own}/projects/new", 200, 200, 403),
        ("/clusters/{other}/projects/new", 200, 403, 403),
    ],
)
def test_each_role_opens_the_new_pages_it_may_use(world, path, by_admin, by_manager, by_rep):
    url = path.format(**world)
    for role, expected in (("admin", by_admin), ("manager", by_manager), ("rep", by_rep)):
        assert world[role].get(url).status_code == expected, (role, url)


def test_refused_posts_write_nothing(db, world):
    before = (count(db, Cluster), count(db, Chain), count(db, InvestmentProject))
    manager, rep = world["manager"], world["rep"]
    form = f"/clusters/{world['own']}"  # a page of theirs carrying the session's token
    assert (
        post(manager, "/clusters/new", {"name": "К", "region_codes": "72"}, form).status_code == 403
    )
    for http in (manager, rep):
        for kind in ("chains", "projects"):
            path = f"/clusters/{world['other']}/{kind}/new"
            assert post(http, path, {"name": "Ц"}, form).status_code == 403
    for kind in ("chains", "projects"):
        path = f"/clusters/{world['own']}/{kind}/new"
        assert post(rep, path, {"name": "Ц"}, form).status_code == 403
    assert (count(db, Cluster), count(db, Chain), count(db, InvestmentProject)) == before


def test_a_post_without_the_csrf_token_is_refused(db, world):
    answer = world["admin"].post(
        "/clusters/new", data={"name": "Без токена", "region_codes": "72"}, follow_redirects=False
    )
    assert answer.status_code == 403
    assert count(db, Cluster, Cluster.name == "Без токена") == 0


def test_links_to_the_new_pages_show_only_to_those_who_may_use_them(client, world):
    own, other = world["own"], world["other"]
    assert 'href="/clusters/new"' in world["admin"].get("/clusters").text
    for http in (world["manager"], world["rep"], client):
        assert 'href="/clusters/new"' not in http.get("/clusters").text
    assert f'href="/clusters/{own}/chains/new"' in world["manager"].get(f"/clusters/{own}").text
    assert f'href="/clusters/{own}/projects/new"' in world["manager"].get(f"/clusters/{own}").text
    assert f"/clusters/{other}/chains/new" not in world["manager"].get(f"/clusters/{other}").text
    assert f"/clusters/{own}/chains/new" not in world["rep"].get(f"/clusters/{own}").text
    assert f"/clusters/{own}/chains/new" not in client.get(f"/clusters/{own}").text


# Creating through the pages, typing into the pickers without a script


def test_an_administrator_creates_a_cluster_typing_regions_and_the_organisation(db, world):
    admin, brick = world["admin"], world["brick"]
    with db.sessions() as session:
        inn = session.get(Enterprise, brick).inn
    answer = post(
        admin,
        "/clusters/new",
        {
            "name": "Кластер стройматериалов",
            "kind": "industrial",
            "region_codes__text": "Тюменская область, 23",
            "specialisation__text": "23.32",
            "specialised_org_id": "",
            "specialised_org_id__text": inn,
            "description": "Новый",
        },
    )
    assert answer.status_code == 303, errors_of(answer.text)
    new_id = int(answer.headers["location"].rsplit("/", 1)[1])
    with db.sessions() as session:
        cluster = session.get(Cluster, new_id)
        assert sorted(cluster.region_codes) == ["23", "72"]
        assert cluster.specialised_org_id == brick
        assert [o.code for o in cluster.specialisation] == ["23.32"]
    form = admin.get(f"/clusters/{new_id}/edit").text  # names shown, never bare ids
    assert "Тюменский кирпичный завод" in form
    assert "Краснодарский край" in form and "Тюменская область" in form
    assert f'name="specialised_org_id" value="{brick}"' in form


def test_a_refused_cluster_form_names_every_field_and_keeps_the_chosen_names(db, world):
    before = count(db, Cluster)
    answer = post(
        world["admin"],
        "/clusters/new",
        [
            ("name", ""),
            ("region_codes", "72"),
            ("region_codes__text", "Атлантида"),
            ("specialised_org_id", ""),
            ("specialised_org_id__text", "Сибирь"),
            ("strategy_url", "ftp://x"),
        ],
    )
    assert answer.status_code == 422
    errors = errors_of(answer.text)
    assert {"name", "region_codes", "specialised_org_id", "strategy_url"} <= set(errors)
    assert "не найдено ни одного региона" in errors["region_codes"]
    assert "несколько предприятий" in errors["specialised_org_id"]
    assert 'value="72" checked> Тюменская область' in answer.text  # the chosen region kept
    assert 'value="Атлантида"' in answer.text  # the text to correct kept
    assert count(db, Cluster) == before


def test_the_cluster_edit_form_shows_names_and_saves_what_was_typed(db, world):
    own, glass = world["own"], world["glass"]
    manager = world["manager"]
    form = manager.get(f"/clusters/{own}/edit").text
    assert 'value="72" checked> Тюменская область' in form
    assert "(id предприятия)" not in form and "коды через запятую" not in form
    with db.sessions() as session:
        version = session.get(Cluster, own).version
    answer = post(
        manager,
        f"/clusters/{own}/edit",
        [
            ("version", str(version)),
            ("name", "Свой кластер"),
            ("region_codes", "72"),
            ("region_codes__text", "Курганская"),
            ("specialised_org_id", ""),
            ("specialised_org_id__text", "стекольный"),
        ],
    )
    assert answer.status_code == 303, errors_of(answer.text)
    with db.sessions() as session:
        cluster = session.get(Cluster, own)
        assert sorted(cluster.region_codes) == ["45", "72"]
        assert cluster.specialised_org_id == glass


def test_a_member_is_added_by_typing_part_of_its_name(db, world):
    own, glass = world["own"], world["glass"]
    path = f"/clusters/{own}/members"
    data = {
        "enterprise_id": "",
        "enterprise_id__text": "стекольн",
        "status": "potential",
        "role": "participant",
    }
    answer = post(world["manager"], path, data, f"/clusters/{own}")
    assert answer.status_code == 303
    assert (
        count(db, Membership, Membership.cluster_id == own, Membership.enterprise_id == glass) == 1
    )
    refused = post(
        world["manager"], path, {**data, "enterprise_id__text": "Сибирь"}, f"/clusters/{own}"
    )
    assert refused.status_code == 422
    assert "несколько предприятий" in errors_of(refused.text)["enterprise_id"]
    assert "Сибирь Металл" in errors_of(refused.text)["enterprise_id"]


def test_a_manager_creates_a_chain_and_a_project_hung_on_its_stage(db, world):
    own, brick = world["own"], world["brick"]
    manager = world["manager"]
    answer = post(
        manager,
        f"/clusters/{own}/chains/new",
        {"name": "Стекло", "position": "2", "status": "forming", "products__text": "23.13, 23.19"},
    )
    assert answer.status_code == 303, errors_of(answer.text)
    chain_id = int(answer.headers["location"].rsplit("/", 1)[1])
    with db.sessions() as session:
        chain = session.get(Chain, chain_id)
        assert (chain.cluster_id, chain.name, chain.position, chain.status) == (
            own,
            "Стекло",
            2,
            "forming",
        )
        assert sorted(p.code for p in chain.products) == ["23.13", "23.19"]
    stage = post(
        manager,
        f"/chains/{chain_id}/stages",
        {"okpd2_code": "", "okpd2_code__text": "08.12"},
        f"/chains/{chain_id}",
    )
    assert stage.status_code == 303, errors_of(stage.text)
    with db.sessions() as session:
        stage_id = session.get(Chain, chain_id).stages[0].id
    form = manager.get(f"/clusters/{own}/projects/new?chain={chain_id}").text
    assert f'value="{chain_id}" selected' in form
    answer = post(
        manager,
        f"/clusters/{own}/projects/new",
        {
            "name": "Линия флоат-стекла",
            "chain_id": str(chain_id),
            "stage_id": str(stage_id),
            "status": "in_progress",
            "initiator_id": "",
            "initiator_id__text": "кирпичный завод",
            "amount": "1 200 000 000",
            "start_year": "2025",
            "jobs": "120",
            "import_substitution": "true",
            "products__text": "23.11",
        },
    )
    assert answer.status_code == 303, errors_of(answer.text)
    with db.sessions() as session:
        project = session.scalar(
            select(InvestmentProject).where(InvestmentProject.name == "Линия флоат-стекла")
        )
        assert (project.cluster_id, project.chain_id, project.stage_id) == (own, chain_id, stage_id)
        assert project.initiator_id == brick
        assert project.amount == 1_200_000_000
        assert project.import_substitution and project.jobs == 120
        assert [p.code for p in project.products] == ["23.11"]


def test_a_refused_project_shows_every_field_at_once_and_writes_nothing(db, world):
    own = world["own"]
    other_chain = db.add_chain(world["other"])
    before = count(db, InvestmentProject)
    answer = post(
        world["admin"],
        f"/clusters/{own}/projects/new",
        {
            "name": "",
            "chain_id": str(other_chain),
            "initiator_id__text": "Несуществующее ООО",
            "amount": "много",
            "start_year": "20x5",
        },
    )
    assert answer.status_code == 422
    errors = errors_of(answer.text)
    assert {"name", "initiator_id", "amount", "start_year"} <= set(errors), errors
    assert "не найдено ни одного предприятия" in errors["initiator_id"]
    assert count(db, InvestmentProject) == before


def test_the_users_page_sets_a_scope_by_names(db, world, users):
    admin, own, other, glass = world["admin"], world["own"], world["other"], world["glass"]
    target = users.add("newmgr", "enterprise_rep", enterprise=world["brick"])
    page = admin.get("/users").text
    assert "Тюменский кирпичный завод" in page  # the representative's enterprise by name
    assert "id через запятую" not in page and "(id)" not in page
    answer = post(
        admin,
        f"/users/{target.id}/role",
        {
            "role": "cluster_manager",
            "clusters__text": "Свой кластер, чужой",
            "enterprise__text": "",
        },
        "/users",
    )
    assert answer.status_code == 303, errors_of(answer.text)
    with db.sessions() as session:
        assert sorted(c.id for c in session.get(User, target.id).clusters) == sorted([own, other])
    refused = post(
        admin,
        f"/users/{target.id}/role",
        {"role": "enterprise_rep", "clusters__text": "", "enterprise__text": "Атлантида"},
        "/users",
    )
    assert refused.status_code == 422
    assert "не найдено ни одного предприятия" in refused.text
    assert 'value="Атлантида"' in refused.text
    created = post(
        admin,
        "/users",
        {
            "username": "glassrep",
            "password": "x" * 10,
            "role": "enterprise_rep",
            "enterprise__text": "стекольный",
        },
        "/users",
    )
    assert created.status_code == 303, errors_of(created.text)
    with db.sessions() as session:
        made = session.scalar(select(User).where(User.username == "glassrep"))
        assert made.enterprise_id == glass
