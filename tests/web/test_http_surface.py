"""The HTTP surface around the routes: the error answers documented in the OpenAPI, and HEAD
answered like GET without a body, for pages and the API."""

import pytest

API = "/api/v1"
ERRORS = {"400", "401", "403", "404", "409", "413", "422", "429"}


def test_openapi_documents_the_error_answers(client):
    spec = client.get("/api/openapi.json").json()
    write = spec["paths"][f"{API}/clusters"]["post"]["responses"]
    assert set(write) >= ERRORS
    for status in ("401", "403", "413", "429"):
        schema = write[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}
    assert "Retry-After" in write["429"]["headers"]
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["detail"]
    read = spec["paths"][f"{API}/clusters/{{item_id}}"]["get"]["responses"]
    assert set(read) >= ERRORS - {"409"}
    missing = [
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if not {"401", "403", "404", "413", "422", "429"} <= set(operation["responses"])
    ]
    assert not missing


def test_error_bodies_match_the_documented_shape(client):
    assert client.get(f"{API}/clusters/999999").json()["detail"]
    assert isinstance(client.post(f"{API}/clusters", json={}).json()["detail"], str)


@pytest.mark.parametrize(
    "path", ["/", "/clusters", f"{API}/clusters", f"{API}/stats", "/static/app.css"]
)
def test_head_answers_like_get_without_a_body(client, path):
    get = client.get(path)
    head = client.head(path)
    assert get.status_code == 200
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers.get("content-length") == get.headers.get("content-length")


def test_head_of_a_missing_record_is_404(client):
    assert client.head(f"{API}/clusters/999999").status_code == 404
    assert client.head("/clusters/999999").status_code == 404
