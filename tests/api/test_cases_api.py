"""Referral, clinical data and workflow through the API: what coordinators and clinicians do."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cases import services
from cases.models import AuditEvent, Case, CaseStatusChange, Patient, SpinalLesion
from tests.conftest import World, client_for, make_case, make_patient

PATIENT = {
    "mrn": "A-1",
    "family_name": "Lind",
    "given_name": "Anna",
    "date_of_birth": "1958-03-14",
    "sex": "female",
}
CASE = {
    "referring_physician": "Dr. Osei",
    "clinical_question": "Stabilise T11 before radiotherapy?",
    "primary_tumor": "breast",
    "urgency": "urgent",
}


def test_coordinator_registers_and_refers_a_patient(world: World) -> None:
    client = client_for(world.coordinator)
    patient = client.post(
        "/api/v1/patients/", {**PATIENT, "registered_board": world.board.pk}, format="json"
    )
    assert patient.status_code == 201
    assert patient.json()["institution"] == "General Hospital"
    case = client.post(
        "/api/v1/cases/",
        {**CASE, "board": world.board.pk, "patient": patient.json()["id"]},
        format="json",
    )
    assert case.status_code == 201
    body = case.json()
    assert body["status"] == "referred"
    # Not yet presented: accepting the referral opens presentation 1.
    assert (body["current_presentation"], body["presentation_round"]) == (None, None)
    assert body["patient_summary"]["mrn"] == "A-1"
    assert [t["name"] for t in body["allowed_transitions"]] == ["accept", "decline", "withdraw"]
    assert CaseStatusChange.objects.get(case_id=body["id"]).transition == "refer"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"date_of_birth": "not a date"}, "date_of_birth"),
        ({"sex": "x"}, "sex"),
        ({"mrn": ""}, "mrn"),
        ({"registered_board": 999999}, "registered_board"),
    ],
)
def test_patient_validation_names_the_field(
    world: World, changes: dict[str, Any], field: str
) -> None:
    client = client_for(world.coordinator)
    data = {**PATIENT, "registered_board": world.board.pk, **changes}
    response = client.post("/api/v1/patients/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Patient.objects.exists()


def test_duplicate_mrn_in_institution_is_a_400_on_mrn(world: World) -> None:
    make_patient(world, mrn="DUP")
    client = client_for(world.coordinator)
    data = {**PATIENT, "mrn": "DUP", "registered_board": world.board.pk}
    response = client.post("/api/v1/patients/", data, format="json")
    assert response.status_code == 400
    assert "already registered" in " ".join(response.json()["errors"]["mrn"])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"primary_tumor": "colon_cancer"}, "primary_tumor"),
        ({"primary_tumor": "other"}, "primary_tumor_detail"),
        ({"urgency": "asap"}, "urgency"),
        ({"primary_diagnosed_on": "2999-01-01"}, "primary_diagnosed_on"),
        ({"primary_diagnosed_on": "1900-01-01"}, "primary_diagnosed_on"),
        ({"clinical_question": ""}, "clinical_question"),
        ({"expected_survival": "forever"}, "expected_survival"),
    ],
)
def test_case_validation_names_the_field(world: World, changes: dict[str, Any], field: str) -> None:
    patient = make_patient(world)
    before = AuditEvent.objects.count()
    response = client_for(world.coordinator).post(
        "/api/v1/cases/",
        {**CASE, "board": world.board.pk, "patient": patient.pk, **changes},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Case.objects.exists()
    assert AuditEvent.objects.count() == before  # nothing half-saved, not even the audit row


def test_case_cannot_be_referred_for_a_patient_of_another_board(world: World) -> None:
    foreign = make_patient(world, board=world.other_board)
    response = client_for(world.coordinator).post(
        "/api/v1/cases/", {**CASE, "board": world.board.pk, "patient": foreign.pk}, format="json"
    )
    assert response.status_code == 400
    assert "patient" in response.json()["errors"]


def test_status_and_round_are_not_writable(world: World) -> None:
    case = make_case(world)
    response = client_for(world.coordinator).patch(
        f"/api/v1/cases/{case.pk}/",
        {
            "status": "closed",
            "presentation_round": 9,
            "current_presentation": 1,
            "comorbidities": "COPD",
        },
        format="json",
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert (case.status, case.current_presentation, case.comorbidities) == (
        "referred",
        None,
        "COPD",
    )


def test_case_board_and_patient_cannot_be_moved(world: World) -> None:
    case = make_case(world)
    other_patient = make_patient(world)
    response = client_for(world.coordinator).patch(
        f"/api/v1/cases/{case.pk}/",
        {"board": world.other_board.pk, "patient": other_patient.pk},
        format="json",
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.board_id == world.board.pk
    assert case.patient_id != other_patient.pk


def test_workflow_through_the_api(world: World) -> None:
    case = make_case(world)
    client = client_for(world.coordinator)
    url = f"/api/v1/cases/{case.pk}/transition/"

    def move(name: str, reason: str = "") -> Any:
        return client.post(url, {"transition": name, "reason": reason}, format="json")

    refused = move("close")
    assert refused.status_code == 400
    assert refused.json()["errors"]["transition"] == [
        "Cannot 'close' a case that is 'referred'. Allowed from 'referred': accept, decline, "
        "withdraw."
    ]
    accepted = move("accept").json()
    assert (accepted["status"], accepted["presentation_round"]) == ("in_workup", 1)
    assert move("mark_ready").json()["status"] == "ready"
    no_reason = move("return_to_workup")
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["errors"]
    # Nobody marks a case discussed by hand: signing the board's decision does.
    assert move("record_discussion").status_code == 400
    attending = client_for(world.attending)
    refused = attending.post(url, {"transition": "record_discussion"}, format="json")
    assert refused.status_code == 400
    assert "transition" in refused.json()["errors"]
    services.case_move(by=world.attending, case=case, transition="record_discussion")
    again = move("re_present", "New neurological deficit")
    assert again.json()["status"] == "in_workup"
    assert again.json()["presentation_round"] == 2
    presentations = client.get(f"/api/v1/presentations/?case={case.pk}").json()["results"]
    assert [(p["number"], p["kind"], p["reason"], p["opened_by"]) for p in presentations] == [
        (1, "first", "", "coordinator"),
        (2, "re_presentation", "New neurological deficit", "coordinator"),
    ]
    unknown = move("teleport")
    assert unknown.status_code == 400
    assert "transition" in unknown.json()["errors"]
    history = list(case.status_changes.values_list("transition", "from_status", "to_status"))
    assert history == [
        ("refer", "referred", "referred"),
        ("accept", "referred", "in_workup"),
        ("mark_ready", "in_workup", "ready"),
        ("record_discussion", "ready", "discussed"),
        ("re_present", "discussed", "in_workup"),
    ]
    assert case.status_changes.last().reason == "New neurological deficit"


@pytest.mark.parametrize("status", ["closed"])
def test_final_case_rejects_edits_and_clinical_data(world: World, status: str) -> None:
    case = make_case(world, status=status)
    client = client_for(world.coordinator)
    edit = client.patch(f"/api/v1/cases/{case.pk}/", {"comorbidities": "x"}, format="json")
    assert edit.status_code == 400
    assert "status" in edit.json()["errors"]
    lesion = client.post(
        "/api/v1/lesions/", {"case": case.pk, "level_from": "T1", "level_to": "T1"}, format="json"
    )
    assert lesion.status_code == 400
    assert not SpinalLesion.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"level_from": "T12", "level_to": "T3"}, "level_to"),
        ({"level_from": "Co1", "level_to": "Co1"}, "level_from"),
        ({"level_from": "T1", "level_to": "T1", "escc_grade": "4"}, "escc_grade"),
        ({"level_from": "T1", "level_to": "T1", "sins_bone_lesion": "severe"}, "sins_bone_lesion"),
        (
            {"level_from": "T1", "level_to": "T1", "image_viewer_url": "javascript:alert(1)"},
            "image_viewer_url",
        ),
        ({"level_from": "T1", "level_to": "T1", "imaging_date": "2999-01-01"}, "imaging_date"),
    ],
)
def test_lesion_validation_names_the_field(world: World, body: dict[str, Any], field: str) -> None:
    case = make_case(world, status="in_workup")
    response = client_for(world.radiologist).post(
        "/api/v1/lesions/", {"case": case.pk, **body}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not SpinalLesion.objects.exists()


def test_lesion_records_sins_items_and_viewer_link(world: World) -> None:
    case = make_case(world, status="in_workup")
    response = client_for(world.radiologist).post(
        "/api/v1/lesions/",
        {
            "case": case.pk,
            "level_from": "T11",
            "level_to": "L1",
            "sins_bone_lesion": "lytic",
            "sins_alignment": "de_novo_deformity",
            "sins_vertebral_body_collapse": "gt_50_percent",
            "sins_posterolateral_involvement": "bilateral",
            "escc_grade": "1c",
            "pathologic_fracture": True,
            "imaging_modality": "mri",
            "image_viewer_url": "https://pacs.example.org/viewer?study=1&level=T11",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["level_label"] == "T11–L1"
    assert body["recorded_by"] == "radiologist"
    assert body["escc_grade"] == "1c"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"karnofsky": 75}, "karnofsky"),
        ({"karnofsky": 0}, "karnofsky"),
        ({"ecog": "6"}, "ecog"),
        ({"frankel_grade": "F"}, "frankel_grade"),
        ({"vertebral_metastases_count": 0}, "vertebral_metastases_count"),
        ({"extraspinal_bone_metastases_count": -1}, "extraspinal_bone_metastases_count"),
        ({"serum_albumin_g_dl": "12"}, "serum_albumin_g_dl"),
        ({"visceral_metastases": "some"}, "visceral_metastases"),
        ({"recorded_on": "2999-01-01"}, "recorded_on"),
    ],
)
def test_clinical_status_validation_names_the_field(
    world: World, body: dict[str, Any], field: str
) -> None:
    case = make_case(world, status="in_workup")
    data = {"case": case.pk, "recorded_on": "2026-11-01", **body}
    response = client_for(world.attending).post("/api/v1/clinical-statuses/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not case.clinical_statuses.exists()


def test_clinical_statuses_keep_history_newest_first(world: World) -> None:
    case = make_case(world, status="in_workup")
    for day, kps in [(1, 80), (10, 60), (5, 70)]:
        services.clinical_status_record(
            by=world.coordinator, case=case, recorded_on=dt.date(2026, 11, day), karnofsky=kps
        )
    rows = client_for(world.surgeon).get(f"/api/v1/clinical-statuses/?case={case.pk}").json()
    assert [r["karnofsky"] for r in rows["results"]] == [60, 70, 80]


def test_case_filters(world: World) -> None:
    urgent = make_case(world, status="in_workup", urgency="urgent")
    routine = make_case(world, status="referred")
    make_case(world, board=world.other_board, urgency="urgent")
    services.assessment_change_status(
        by=world.radiologist,
        assessment=services.assessment_create(
            by=world.radiologist,
            case=urgent,
            specialty=world.specialties["radiology"],
            details={"imaging_findings": "x"},
            opinion="fine",
        ),
        transition="submit",
    )
    client = client_for(world.coordinator)

    def ids(query: str) -> set[int]:
        return {r["id"] for r in client.get(f"/api/v1/cases/?{query}").json()["results"]}

    assert ids("urgency=urgent") == {urgent.pk}
    assert ids("status=referred") == {routine.pk}
    assert ids("status=referred&status=in_workup") == {urgent.pk, routine.pk}
    assert ids(f"board={world.board.pk}") == {urgent.pk, routine.pk}
    # Another board's id reads exactly like an id that does not exist: a 400 naming the filter.
    for board_id in (world.other_board.pk, 999999):
        hidden = client.get(f"/api/v1/cases/?board={board_id}")
        assert hidden.status_code == 400
        assert list(hidden.json()["errors"]) == ["board"]
    assert ids("missing_specialty=radiology") == {routine.pk}
    assert ids("missing_specialty=spine_surgery") == {urgent.pk, routine.pk}
    # palliative care is not a quorum specialty: no case "misses" it
    assert ids("missing_specialty=palliative_care") == set()
    bad = client.get("/api/v1/cases/?missing_specialty=astrology")
    assert bad.status_code == 400
    assert "missing_specialty" in bad.json()["errors"]


def test_me_and_boards_describe_roles(world: World) -> None:
    me = client_for(world.radiologist).get("/api/v1/me/").json()
    assert me["username"] == "radiologist"
    assert me["memberships"] == [
        {
            "board": world.board.pk,
            "board_name": "Spine Board",
            "role": "specialist",
            "specialty": "radiology",
        }
    ]
    boards = client_for(world.radiologist).get("/api/v1/boards/").json()["results"]
    assert boards[0]["my_roles"] == [{"role": "specialist", "specialty": "radiology"}]
    assert boards[0]["quorum_specialties"] == [
        "spine_surgery",
        "radiation_oncology",
        "medical_oncology",
        "radiology",
    ]


def test_specialties_are_the_seven_stable_codes(world: World) -> None:
    codes = [s["code"] for s in client_for(world.outsider).get("/api/v1/specialties/").json()]
    assert codes == [
        "spine_surgery",
        "radiation_oncology",
        "medical_oncology",
        "radiology",
        "pain_management",
        "palliative_care",
        "physical_medicine",
    ]


def test_malformed_json_is_a_400_not_a_500(world: World) -> None:
    response = client_for(world.coordinator).generic(
        "POST", "/api/v1/cases/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "errors" in response.json()


def test_patient_lookup_by_mrn_is_a_post_within_the_users_boards(world: World) -> None:
    mine = make_patient(world, mrn="LOOK-1")
    make_patient(world, board=world.other_board, mrn="LOOK-2")
    client = client_for(world.coordinator)
    found = client.post("/api/v1/patients/lookup/", {"mrn": "LOOK-1"}, format="json")
    assert [p["id"] for p in found.json()] == [mine.pk]
    hidden = client.post("/api/v1/patients/lookup/", {"mrn": "LOOK-2"}, format="json")
    assert hidden.json() == []
    assert client.post("/api/v1/patients/lookup/", {}, format="json").status_code == 400
    assert client_for(None).post("/api/v1/patients/lookup/", {"mrn": "LOOK-1"}).status_code == 401
