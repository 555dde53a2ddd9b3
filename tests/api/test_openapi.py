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
