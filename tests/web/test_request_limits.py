"""Limits on what one request may carry: every string, list and integer of the API bounded in
the OpenAPI (so a new field without a bound fails here), integers past 64 bits refused with 422,
over-long texts refused, request bodies over their limit refused with 413 before they are read."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from factories import csrf_from
from fastapi.testclient import TestClient

from promcluster.app import create_app
from promcluster.web.limits import INT_MAX, TEXT_CHARS, as_utc

API = "/api/v1"
HUGE = 2**63  # one past the largest 64-bit integer: OverflowError in the database drivers
# Strings that need no bound of their own: dates have a fixed format, a file is bounded by the
# upload limit, vocabularies by their values.
FIXED_FORMATS = {"date", "date-time", "binary"}


def unbounded(spec: dict) -> list[str]:
    """Every string without ``maxLength``, list without ``maxItems`` and integer without
    ``minimum`` and ``maximum`` in the parameters and request bodies of ``spec``."""
    components = spec["components"]["schemas"]
    found: list[str] = []

    def walk(schema: dict, where: str, seen: frozenset[str]) -> None:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                walk(components[name], f"{where} → {name}", seen | {name})
            return
        for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            for part in schema.get(key, []):
                walk(part, where, seen)
        kind = schema.get("type")
        fixed = "enum" in schema or "const" in schema or "contentMediaType" in schema
        free = kind == "string" and not fixed and schema.get("format") not in FIXED_FORMATS
        if free and "maxLength" not in schema:
            found.append(f"{where}: string without maxLength")
        if kind == "integer" and ("maximum" not in schema or "minimum" not in schema):
            found.append(f"{where}: integer without minimum and maximum")
        if kind == "array":
            if "maxItems" not in schema:
                found.append(f"{where}: array without maxItems")
            walk(schema.get("items", {}), f"{where}[]", seen)
        for name, part in schema.get("properties", {}).items():
            walk(part, f"{where}.{name}", seen)
        if isinstance(schema.get("additionalProperties"), dict):
            walk(schema["additionalProperties"], f"{where}{{}}", seen)

    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            label = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                walk(
                    parameter["schema"],
                    f"{label} {parameter['in']} {parameter['name']}",
                    frozenset(),
                )
            for content in operation.get("requestBody", {}).get("content", {}).values():
                walk(content.get("schema", {}), f"{label} body", frozenset())
    return found


def test_every_request_string_list_and_integer_is_bounded(client):
    spec = client.get("/api/openapi.json").json()
    assert len(spec["paths"]) > 50
    problems = unbounded(spec)
    assert not problems, "\n".join(problems)


def test_the_walker_sees_an_unbounded_field():
    spec = {
        "components": {"schemas": {"In": {"properties": {"note": {"type": "string"}}}}},
        "paths": {
            "/x/{id}": {
                "post": {
                    "parameters": [{"in": "path", "name": "id", "schema": {"type": "integer"}}],
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/In"}}
                        }
                    },
                }
            }
        },
    }
    assert len(unbounded(spec)) == 2


# Integers past 64 bits: 422 (or 404 for a page), never 500


@pytest.mark.parametrize(
    "path",
    [
        f"{API}/clusters/{HUGE}",
        f"{API}/enterprises/{HUGE}",
        f"{API}/needs/{HUGE}",
        f"{API}/chains/{HUGE}/stages",
        f"{API}/clusters/{HUGE}/indicators",
        f"{API}/clusters/{HUGE}/compliance",
        f"{API}/clusters/{HUGE}/funnel",
        f"{API}/enterprises?cluster_id={HUGE}",
        f"{API}/clusters?page={HUGE}",
        f"{API}/needs?customer_id={HUGE}",
        f"{API}/niches?region=72&cluster={HUGE}",
        f"{API}/export/enterprises.csv?cluster_id={HUGE}",
    ],
)
def test_huge_integer_in_path_or_query_is_refused(client, path):
    response = client.get(path)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["msg"].startswith("значение должно быть не больше")


@pytest.mark.parametrize(
    "path",
    [
        f"/clusters/{HUGE}",
        f"/enterprises/{HUGE}",
        f"/needs/{HUGE}",
        f"/clusters/{2**40}",  # past PostgreSQL's integer
        f"/enterprises?page={2**62}",
    ],
)
def test_huge_integer_in_a_page_address_is_not_a_server_error(client, path):
    assert client.get(path).status_code in (404, 422)


def test_huge_integer_in_a_body_is_refused(admin_client, db):
    cluster = db.add_cluster()
    body = {"cluster_id": cluster, "enterprise_id": HUGE, "status": "member"}
    response = admin_client.post(f"{API}/memberships", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "enterprise_id"]
    chain = {"cluster_id": cluster, "name": "Цепочка", "position": INT_MAX + 1}
    assert admin_client.post(f"{API}/chains", json=chain).status_code == 422
    money = {"name": "Проект", "cluster_id": cluster, "amount": HUGE}
    assert admin_client.post(f"{API}/projects", json=money).status_code == 422


def test_huge_version_is_refused(admin_client, db):
    cluster = db.add_cluster()
    patch = {"name": "Новое имя", "version": HUGE}
    response = admin_client.patch(f"{API}/clusters/{cluster}", json=patch)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "version"]


def test_infinite_number_is_refused(admin_client, db):
    body = '{"product_name": "Кирпич", "customer_name": "ООО Заказчик", "volume": Infinity}'
    headers = {"content-type": "application/json"}
    response = admin_client.post(f"{API}/needs", content=body, headers=headers)
    assert response.status_code == 422
    assert {"loc": ["body", "volume"], "msg": "ожидается конечное число"} in [
        {k: e[k] for k in ("loc", "msg")} for e in response.json()["detail"]
    ]


# Texts and lists


def test_ten_megabyte_description_is_refused(admin_client, db):
    body = {"name": "Кластер", "region_codes": ["72"], "description": "x" * (TEXT_CHARS + 1)}
    response = admin_client.post(f"{API}/clusters", json=body)
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "description"]
    assert error["msg"] == f"слишком длинное значение (максимум {TEXT_CHARS})"
    body["description"] = "x" * TEXT_CHARS
    assert admin_client.post(f"{API}/clusters", json=body).status_code == 201


def test_texts_stored_before_the_bound_still_read(client, db):
    """Output shapes do not re-apply the input bounds: a long text already stored reads."""
    long = "x" * (TEXT_CHARS * 2)
    cluster = db.add_cluster(description=long, status_note=long)
    enterprise = db.add_enterprise(description=long)
    chain = db.add_chain(cluster, description=long)
    project = db.add_project(cluster, description=long)
    membership = db.add_membership(cluster, enterprise, note=long)
    for path, field in (
        (f"clusters/{cluster}", "status_note"),
        (f"enterprises/{enterprise}", "description"),
        (f"chains/{chain}", "description"),
        (f"projects/{project}", "description"),
        (f"memberships/{membership}", "note"),
    ):
        response = client.get(f"{API}/{path}")
        assert response.status_code == 200, path
        assert response.json()[field] == long


def test_long_query_text_is_refused(client):
    response = client.get(f"{API}/enterprises", params={"q": "а" * 301})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "q"]


def test_suggest_refuses_long_names_and_too_many(client):
    too_long = client.post(f"{API}/okpd2/suggest", json={"names": ["кирпич", "к" * 501]})
    assert too_long.status_code == 422
    assert too_long.json()["detail"][0]["loc"] == ["body", "names", 1]
    too_many = client.post(f"{API}/okpd2/suggest", json={"names": ["кирпич"] * 1001})
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["msg"] == "слишком много значений (максимум 1000)"


def test_classify_page_refuses_a_long_line(client):
    page = client.get("/classify")
    form = {"names": "кирпич\n" + "к" * 501, "csrf_token": csrf_from(page.text)}
    response = client.post("/classify", data=form)
    assert response.status_code == 200
    assert "строка 2 длиннее 500 знаков" in response.text


# Bodies over the limit: 413 at once


@pytest.fixture
def small(settings, db) -> Iterator[TestClient]:
    """A client of an app with a 64 KB body limit and a 256 KB upload limit."""
    app = create_app(
        settings.model_copy(update={"max_body_bytes": 64 * 1024, "max_upload_bytes": 256 * 1024})
    )
    with TestClient(app) as http:
        yield http
    app.state.engine.dispose()


def chunks(total: int, size: int = 16 * 1024) -> Iterator[bytes]:
    """A body streamed without Content-Length (chunked)."""
    sent = 0
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


def test_declared_large_body_is_refused_with_json_under_api(small):
    response = small.post(f"{API}/okpd2/suggest", json={"names": ["к" * 100] * 1000})
    assert response.status_code == 413
    assert response.json() == {"detail": "тело запроса слишком велико: допускается не больше 64 КБ"}


def test_streamed_large_body_is_refused(small):
    headers = {"content-type": "application/json"}
    response = small.post(f"{API}/okpd2/suggest", content=chunks(200 * 1024), headers=headers)
    assert response.status_code == 413
    assert "не больше 64 КБ" in response.json()["detail"]


def test_large_body_to_a_page_gets_the_error_page(small):
    response = small.post("/classify", data={"names": "к" * 100 * 1024})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "Слишком большой запрос" in response.text


def test_body_within_the_limit_is_served(small):
    response = small.post(f"{API}/okpd2/suggest", json={"names": ["кирпич керамический"]})
    assert response.status_code == 200


def test_upload_gets_the_upload_limit(small, users, settings):
    account = users.add("loader", "admin")
    auth = (account.username, account.password)
    file = ("enterprises.csv", b"name;inn\n" + b"x" * 100 * 1024, "text/csv")
    uploads = set(settings.upload_dir.glob("promcluster-*"))
    # Over the body limit but within the upload limit: the import starts.
    accepted = small.post(
        f"{API}/imports", data={"kind": "enterprises"}, files={"file": file}, auth=auth
    )
    assert accepted.status_code == 202, accepted.text
    # The run is cancelled (or ends, if a worker took it first), which deletes the upload: a
    # run left waiting would outlive this app, and the next app's worker, over a cleaned
    # database, would find no run owning the file.
    run = f"{API}/imports/{accepted.json()['id']}"
    assert small.post(f"{run}/cancel", auth=auth).status_code in (200, 409)
    deadline = time.monotonic() + 20
    while small.get(run, auth=auth).json()["status"] == "running":
        assert time.monotonic() < deadline, "the import did not end"
        time.sleep(0.05)
    assert not set(settings.upload_dir.glob("promcluster-*")) - uploads
    big = ("enterprises.csv", b"x" * 300 * 1024, "text/csv")
    refused = small.post(
        f"{API}/imports", data={"kind": "enterprises"}, files={"file": big}, auth=auth
    )
    assert refused.status_code == 413
    assert "не больше 256 КБ" in refused.json()["detail"]
    # The upload limit applies to uploads only: a JSON body there still has the body limit.
    json_body = small.post(f"{API}/imports", json={"x": "y" * 100 * 1024}, auth=auth)
    assert json_body.status_code == 413


def test_oversized_suggest_bodies_are_refused_fast(client):
    """The bodies of the security test (1,000 names × 16 KB took 59 s, one 20 MB name did not
    answer in 300 s) are now refused before any classification."""
    for body in ({"names": ["к" * 16 * 1024] * 1000}, {"names": ["к" * 20 * 1024 * 1024]}):
        started = time.perf_counter()
        response = client.post(f"{API}/okpd2/suggest", json=body)
        assert response.status_code == 413
        assert time.perf_counter() - started < 2


# Timestamps carry their zone


def test_as_utc():
    naive = datetime(2026, 12, 3, 9, 15, 50)
    assert as_utc(naive) == naive.replace(tzinfo=UTC)
    moscow = datetime(2026, 12, 3, 12, 15, 50, tzinfo=timezone(timedelta(hours=3)))
    assert as_utc(moscow) == naive.replace(tzinfo=UTC)


def test_api_timestamps_carry_a_zone(admin_client, db):
    created = admin_client.post(f"{API}/clusters", json={"name": "Кластер", "region_codes": ["72"]})
    assert created.status_code == 201
    entries = admin_client.get(f"{API}/audit").json()["items"]
    stamp = entries[0]["at"]
    assert stamp.endswith(("Z", "+00:00")), stamp
    assert datetime.fromisoformat(stamp).utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "path", ["/api/v1/niches?region=%00", "/api/v1/niches/export.xlsx?region=7%002", "/niches/%00"]
)
def test_nul_in_an_address_is_not_a_server_error(client, db, path):
    """PostgreSQL refuses NUL in text (the fuzzer found it on GET /api/v1/niches): 422 there."""
    response = client.get(path)
    assert response.status_code in (404, 422)
    if db.backend == "postgres":
        assert response.status_code == 422


def test_nul_in_a_body_is_not_a_server_error(admin_client, db):
    response = admin_client.post(
        f"{API}/enterprises", json={"name": "ООО \x00", "region_code": "72"}
    )
    assert response.status_code in (201, 422)
    if db.backend == "postgres":
        assert response.status_code == 422
        assert "NUL" in response.json()["detail"][0]["msg"]
        assert db.count("enterprises") == 0
