"""The OpenAPI document and its Swagger UI (served from our own static files)."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS

from tests.conftest import World, client_for

ENDPOINTS = [
    "/api/v1/me/",
    "/api/v1/specialties/",
    "/api/v1/boards/",
    "/api/v1/boards/{id}/",
    "/api/v1/patients/",
    "/api/v1/patients/{id}/",
    "/api/v1/cases/",
    "/api/v1/cases/{id}/",
    "/api/v1/cases/{id}/transition/",
    "/api/v1/clinical-statuses/",
    "/api/v1/clinical-statuses/{id}/",
    "/api/v1/lesions/",
    "/api/v1/lesions/{id}/",
    "/api/v1/prior-radiotherapy/",
    "/api/v1/prior-radiotherapy/{id}/",
    "/api/v1/assessments/",
    "/api/v1/assessments/{id}/",
    "/api/v1/assessments/{id}/submit/",
    "/api/v1/assessments/{id}/reopen/",
    "/api/v1/meeting-series/",
    "/api/v1/meeting-series/{id}/",
    "/api/v1/meetings/",
    "/api/v1/meetings/{id}/",
    "/api/v1/meetings/{id}/cancel/",
    "/api/v1/meetings/{id}/ics/",
    "/api/v1/calendar/feed/",
    "/api/v1/calendar/feed/revoke/",
]


def test_schema_documents_every_endpoint(world: World) -> None:
    response = client_for(world.surgeon).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Spine Tumor Board API"
    paths = schema["paths"]
    missing = [p for p in ENDPOINTS if p not in paths]
    assert missing == []
    assert "post" in paths["/api/v1/cases/{id}/transition/"]
    assert "post" in paths["/api/v1/assessments/{id}/submit/"]
    # Nothing is deleted through the API.
    assert not any("delete" in operations for operations in paths.values())


def test_schema_is_served_as_yaml_by_default(world: World) -> None:
    response = client_for(world.surgeon).get("/api/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert b"/api/v1/cases/{id}/transition/:" in response.content


def test_swagger_ui_is_served_from_local_static_files(world: World) -> None:
    response = client_for(world.surgeon).get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com"):
        assert cdn not in html
    assert "/api/schema/" in html


def test_schema_validates_without_warnings(db: None) -> None:
    # drf-spectacular counts warnings process-wide; count only this generation's.
    GENERATOR_STATS.reset()
    stdout = StringIO()
    # Raises SchemaGenerationError on any warning, SchemaValidationError on an invalid document;
    # the warnings themselves are printed to stderr, which pytest shows on failure.
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=stdout)
    assert "openapi: 3." in stdout.getvalue()


def test_each_specialty_s_assessment_fields_are_documented(world: World) -> None:
    """A client can build each specialty's form from the schema alone."""
    from cases.assessment_schemas import SCHEMAS

    schema = client_for(world.surgeon).get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    assessment = components["Assessment"]["properties"]

    def resolve(prop: dict[str, object]) -> dict[str, object]:
        ref = prop.get("$ref") or prop["allOf"][0]["$ref"]  # type: ignore[index]
        return components[str(ref).rsplit("/", 1)[1]]  # type: ignore[no-any-return]

    assert resolve(assessment["specialty"])["enum"] == sorted(SCHEMAS)
    one_of = {ref["$ref"].rsplit("/", 1)[1] for ref in components["AssessmentDetails"]["oneOf"]}
    assert one_of == {"".join(p.title() for p in code.split("_")) + "Details" for code in SCHEMAS}
    radonc = components["RadiationOncologyDetails"]
    assert set(radonc["properties"]) == set(SCHEMAS["radiation_oncology"].base_fields)
    assert radonc["properties"]["fractions"]["maximum"] == 60
    assert "required to submit: proposed_technique" in radonc["description"]
    technique = radonc["properties"]["proposed_technique"]
    assert (
        {"none", "cebrt", "sbrt"} <= set(components[technique["$ref"].rsplit("/", 1)[1]]["enum"])
        if "$ref" in technique
        else True
    )
