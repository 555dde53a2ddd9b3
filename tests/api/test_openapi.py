"""The OpenAPI document reads well: every operation tagged and summarised, enums spelled out."""

from fastapi.testclient import TestClient


def test_every_operation_has_a_tag_and_a_summary(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    operations = [
        (path, method, op) for path, item in schema["paths"].items() for method, op in item.items()
    ]
    assert len(operations) > 40
    for path, method, operation in operations:
        assert path.startswith("/api/v1/"), path
        assert operation.get("tags"), (method, path)
        assert operation.get("summary"), (method, path)
    tags = {tag["name"] for tag in schema["tags"]}
    assert {"cities", "enterprises", "recommendations", "plans"} <= tags


def test_enums_and_chinese_examples_are_documented(client: TestClient) -> None:
    components = client.get("/openapi.json").json()["components"]["schemas"]
    assert components["Mode"]["enum"] == [
        "enterprise_resource",
        "rnd_manufacturing",
        "market_product",
        "hq_base",
    ]
    assert "doctoral_service_team" in components["Programme"]["enum"]
    assert "counterpart_cooperation" in components["Scheme"]["enum"]
    assert components["CityCreate"]["properties"]["name"]["examples"] == ["赣州市"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_the_docs_offer_the_bearer_key_and_document_errors(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    create = schema["paths"]["/api/v1/enterprises"]["post"]
    assert {"HTTPBearer": []} in create["security"]
    for status in ("401", "403", "404", "409", "413", "422", "429"):
        assert create["responses"][status]["content"]["application/problem+json"], status


def test_public_reads_declare_the_key_optional_and_writes_required(client: TestClient) -> None:
    """The spec is the service: public reads are served without a key."""
    paths = client.get("/openapi.json").json()["paths"]
    for path, method in (("/api/v1/cities", "get"), ("/api/v1/enterprises/{id}", "get")):
        assert paths[path][method]["security"] == [{}, {"HTTPBearer": []}], path
    assert paths["/api/v1/cities"]["post"]["security"] == [{"HTTPBearer": []}]
    assert {} not in paths["/api/v1/subscriptions"]["get"]["security"]


def test_undeclared_methods_are_405_with_allow(client: TestClient) -> None:
    """PATCH /enterprises/import was a 422 (the id route took 'import' for an id)."""
    response = client.patch("/api/v1/enterprises/import", json={})
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert response.headers["content-type"] == "application/problem+json"
    assert client.put("/api/v1/cities/360700").headers["allow"] == "DELETE, GET, PATCH"


def test_options_lists_every_method_of_every_path(client: TestClient) -> None:
    """OPTIONS /cities listed only GET, though POST /cities is served too."""
    paths = client.get("/openapi.json").json()["paths"]
    for path, item in paths.items():
        url = path
        for parameter in {p["name"] for op in item.values() for p in op.get("parameters", [])}:
            value = {"adcode": "360700", "code": "39", "base_area_id": "x", "name": "dedupe"}
            url = url.replace("{" + parameter + "}", value.get(parameter, "1"))
        response = client.options(url)
        assert response.status_code == 405, url
        assert set(response.headers["allow"].split(", ")) == {m.upper() for m in item}, url
