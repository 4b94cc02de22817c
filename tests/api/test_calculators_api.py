"""The stateless calculator API: a fixed contract other systems call."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World, client_for

REQUIRED = [
    "sins",
    "tokuhashi_revised",
    "tomita",
    "bauer",
    "modified_bauer",
    "nesms",
    "escc",
    "noms",
]
CONTRACT_KEYS = {
    "status",
    "total",
    "category",
    "category_label",
    "components",
    "missing",
    "interpretation",
    "version",
    "citation",
}

# One complete request per calculator, with the expected total and category from the spec.
EXAMPLES: list[tuple[str, dict[str, Any], Any, str]] = [
    (
        "sins",
        {
            "location": "junctional",
            "pain": "mechanical",
            "bone_lesion": "lytic",
            "alignment": "normal",
            "vertebral_body_collapse": "lt_50_percent",
            "posterolateral_involvement": "unilateral",
        },
        11,
        "potentially_unstable",
    ),
    (
        "sins",  # raw level instead of the location option: T3-T10 is semirigid (1)
        {
            "spinal_level": "T6",
            "pain": "pain_free",
            "bone_lesion": "blastic",
            "alignment": "normal",
            "vertebral_body_collapse": "none",
            "posterolateral_involvement": "none",
        },
        1,
        "stable",
    ),
    (
        "tokuhashi_revised",
        {
            "kps": 90,
            "extraspinal_bone_metastases_count": 0,
            "vertebral_body_metastases_count": 1,
            "major_organ_metastases": "none",
            "primary_site": "thyroid",
            "frankel_grade": "E",
        },
        15,
        "ge_12_months",
    ),
    (
        "tomita",
        {
            "primary_tumor_growth": "rapid",
            "visceral_metastases": "untreatable",
            "bone_metastases": "multiple",
        },
        10,
        "supportive_care",
    ),
    (
        "bauer",
        {
            "visceral_metastases": False,
            "pathologic_fracture": False,
            "solitary_skeletal_metastasis": True,
            "primary_site": "kidney",
        },
        5,
        "4_5",
    ),
    (
        "modified_bauer",
        {
            "visceral_metastases": True,
            "solitary_skeletal_metastasis": False,
            "primary_site": "lung",
        },
        0,
        "poor",
    ),
    (
        "nesms",
        {"modified_bauer": 4, "ambulatory_status": "independent", "serum_albumin_g_dl": 3.5},
        3,
        None,
    ),
    ("escc", {"escc_grade": "2"}, None, "high_grade"),
    (
        "noms",
        {
            "escc_grade": "3",
            "myelopathy": True,
            "radiosensitivity": "radioresistant",
            "mechanical_status": "stable",
            "able_to_tolerate_surgery": True,
        },
        None,
        "separation_surgery_then_srs",
    ),
]


def test_list_describes_every_calculator_with_its_inputs(world: World) -> None:
    body = client_for(world.outsider).get("/api/v1/calculators/").json()
    names = [c["name"] for c in body]
    assert set(REQUIRED) <= set(names)
    sins = next(c for c in body if c["name"] == "sins")
    pain = next(f for f in sins["fields"] if f["key"] == "pain")
    assert pain["kind"] == "option"
    assert [o["key"] for o in pain["options"]] == [
        "mechanical",
        "occasional_non_mechanical",
        "pain_free",
    ]
    assert sins["citation"].startswith("Fisher CG")
    assert sins["url"].endswith("/api/v1/calculators/sins/")


def test_detail_gives_one_schema(world: World) -> None:
    body = client_for(world.outsider).get("/api/v1/calculators/noms/").json()
    assert body["name"] == "noms"
    assert {"escc_grade", "radiosensitivity", "mechanical_status"} <= {
        f["key"] for f in body["fields"]
    }


@pytest.mark.parametrize(("name", "data", "total", "category"), EXAMPLES)
def test_evaluate_returns_the_contract(
    world: World, name: str, data: dict[str, Any], total: Any, category: str | None
) -> None:
    response = client_for(world.outsider).post(f"/api/v1/calculators/{name}/", data, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) >= CONTRACT_KEYS
    assert body["status"] == "complete"
    assert body["total"] == total
    assert body["category"] == category
    assert body["missing"] == []
    assert all({"key", "option", "points"} <= set(c) for c in body["components"])


def test_incomplete_input_lists_what_is_missing(world: World) -> None:
    response = client_for(world.outsider).post(
        "/api/v1/calculators/sins/", {"location": "mobile", "pain": "mechanical"}, format="json"
    )
    body = response.json()
    assert response.status_code == 200
    assert (body["status"], body["total"], body["category"]) == ("incomplete", None, None)
    assert body["missing"] == [
        "bone_lesion",
        "alignment",
        "vertebral_body_collapse",
        "posterolateral_involvement",
    ]


def test_noms_unresolved_case_is_board_decision(world: World) -> None:
    body = (
        client_for(world.outsider)
        .post(
            "/api/v1/calculators/noms/",
            {
                "escc_grade": "1c",
                "myelopathy": False,
                "radiosensitivity": "radioresistant",
                "mechanical_status": "stable",
                "able_to_tolerate_surgery": True,
            },
            format="json",
        )
        .json()
    )
    assert body["status"] == "board_decision_required"
    assert body["total"] is None


@pytest.mark.parametrize(
    ("name", "data", "field", "mentions"),
    [
        ("sins", {"pain": "severe"}, "pain", "mechanical"),
        ("sins", {"spinal_level": "Co1"}, "spinal_level", ""),
        ("sins", {"spinal_level": "L1", "location": "mobile"}, "", ""),
        ("tokuhashi_revised", {"kps": 75}, "kps", ""),
        ("tokuhashi_revised", {"kps": 0}, "kps", ""),
        ("tokuhashi_revised", {"primary_site": "martian"}, "primary_site", "breast"),
        ("escc", {"escc_grade": "4"}, "escc_grade", "1c"),
        ("noms", {"myelopathy": "yes"}, "myelopathy", ""),
        ("sins", {"colour": "red"}, "colour", ""),
        ("bauer", {"visceral_metastases": 1}, "visceral_metastases", ""),
    ],
)
def test_bad_input_is_400_naming_the_field(
    world: World, name: str, data: dict[str, Any], field: str, mentions: str
) -> None:
    response = client_for(world.outsider).post(f"/api/v1/calculators/{name}/", data, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert isinstance(errors, dict) and errors
    if field:
        assert field in errors
        assert all(isinstance(m, str) for m in errors[field])
        assert mentions in " ".join(errors[field])


def test_body_must_be_an_object(world: World) -> None:
    response = client_for(world.outsider).post("/api/v1/calculators/sins/", [1, 2], format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["errors"]


def test_unknown_calculator_is_404(world: World) -> None:
    assert (
        client_for(world.outsider).post("/api/v1/calculators/sorg/", {}, format="json").status_code
        == 404
    )


def test_calculators_require_a_login(world: World) -> None:
    client = client_for(None)
    assert client.get("/api/v1/calculators/").status_code == 401
    assert client.post("/api/v1/calculators/sins/", {}, format="json").status_code == 401
