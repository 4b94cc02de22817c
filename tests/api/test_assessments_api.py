"""Specialty assessments: a specialist writes only their own specialty's, per presentation."""

from __future__ import annotations

from typing import Any

import pytest

from cases import services
from cases.assessment_schemas import SCHEMAS
from cases.models import Specialty, SpecialtyAssessment
from tests.conftest import World, client_for, make_case

RADIOLOGY = {"imaging_findings": "Lytic T11 lesion"}


def create(client: Any, case_id: int, specialty: str, **body: Any) -> Any:
    return client.post(
        "/api/v1/assessments/", {"case": case_id, "specialty": specialty, **body}, format="json"
    )


def test_every_specialty_has_a_schema() -> None:
    assert set(SCHEMAS) == {
        "spine_surgery",
        "radiation_oncology",
        "medical_oncology",
        "pain_management",
        "palliative_care",
        "radiology",
        "physical_medicine",
    }


def test_radiologist_drafts_and_submits(world: World) -> None:
    case = make_case(world, status="in_workup")
    client = client_for(world.radiologist)
    draft = create(client, case.pk, "radiology", details={"other_findings": "Liver lesions"})
    assert draft.status_code == 201
    assert draft.json()["status"] == "draft"
    url = f"/api/v1/assessments/{draft.json()['id']}/"

    incomplete = client.post(url + "submit/")
    assert incomplete.status_code == 400
    assert incomplete.json()["errors"] == {
        "details.imaging_findings": ["Required to submit the assessment."]
    }
    patched = client.patch(
        url, {"details": {"imaging_findings": "Lytic"}, "opinion": "Low grade"}, format="json"
    )
    assert patched.json()["details"] == {
        "other_findings": "Liver lesions",
        "imaging_findings": "Lytic",
    }
    submitted = client.post(url + "submit/")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["submitted_at"]

    locked = client.patch(url, {"opinion": "changed"}, format="json")
    assert locked.status_code == 400
    assert "status" in locked.json()["errors"]
    assert client.post(url + "reopen/").json()["status"] == "draft"
    assert client.patch(url, {"opinion": "changed"}, format="json").json()["opinion"] == "changed"


def test_submit_requires_an_opinion(world: World) -> None:
    case = make_case(world, status="in_workup")
    client = client_for(world.radiologist)
    draft = create(client, case.pk, "radiology", details=RADIOLOGY)
    response = client.post(f"/api/v1/assessments/{draft.json()['id']}/submit/")
    assert response.status_code == 400
    assert "opinion" in response.json()["errors"]


@pytest.mark.parametrize(
    ("specialty", "details", "field"),
    [
        # A score input is entered on its record, never in the details.
        ("radiology", {"escc_grade": "1a"}, "details.escc_grade"),
        ("radiology", {"favourite_colour": "blue"}, "details.favourite_colour"),
        ("radiology", {"imaging_findings": ["x"]}, "details.imaging_findings"),
        ("radiation_oncology", {"dose_gy": "-3"}, "details.dose_gy"),
        ("radiation_oncology", {"fractions": 0}, "details.fractions"),
        ("pain_management", {"pain_score_nrs": 11}, "details.pain_score_nrs"),
        ("palliative_care", {"code_status": "maybe"}, "details.code_status"),
    ],
)
def test_invalid_details_name_the_field(
    world: World, specialty: str, details: dict[str, Any], field: str
) -> None:
    user = {
        "radiology": world.radiologist,
        "radiation_oncology": world.radonc,
        "pain_management": None,
        "palliative_care": None,
    }[specialty]
    if user is None:  # give the surgeon that specialty too, to author it
        services.membership_grant(
            by=world.admin,
            board=world.board,
            user=world.surgeon,
            role="specialist",
            specialty=world.specialties[specialty],
        )
        user = world.surgeon
    case = make_case(world, status="in_workup")
    response = create(client_for(user), case.pk, specialty, details=details)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not SpecialtyAssessment.objects.exists()


def test_submitting_a_regimen_needs_dose_and_fractions(world: World) -> None:
    case = make_case(world, status="in_workup")
    client = client_for(world.radonc)
    draft = create(
        client,
        case.pk,
        "radiation_oncology",
        details={"proposed_technique": "sbrt"},
        opinion="SBRT 24 Gy / 2",
    )
    response = client.post(f"/api/v1/assessments/{draft.json()['id']}/submit/")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"details.dose_gy", "details.fractions"}
    client.patch(
        f"/api/v1/assessments/{draft.json()['id']}/",
        {"details": {"dose_gy": "24", "fractions": 2}},
        format="json",
    )
    # Radiosensitivity is radiation oncology's score input, entered once, on the case.
    unsure = client.post(f"/api/v1/assessments/{draft.json()['id']}/submit/")
    assert unsure.json()["errors"] == {
        "inputs.case.radiosensitivity": ["Enter Radiosensitivity (NOMS O) before submitting."],
        "inputs.case.able_to_tolerate_local_treatment": [
            "Enter Can tolerate any local treatment before submitting."
        ],
    }
    client.patch(
        f"/api/v1/assessments/{draft.json()['id']}/",
        {
            "inputs": [
                {"key": "case.radiosensitivity", "value": "radioresistant"},
                {"key": "case.able_to_tolerate_local_treatment", "value": True},
            ]
        },
        format="json",
    )
    case.refresh_from_db()
    assert case.radiosensitivity == "radioresistant"
    done = client.post(f"/api/v1/assessments/{draft.json()['id']}/submit/")
    assert done.status_code == 200
    assert done.json()["details"]["dose_gy"] == "24"


def test_one_assessment_per_specialty_per_round(world: World) -> None:
    case = make_case(world, status="in_workup")
    client = client_for(world.radiologist)
    assert create(client, case.pk, "radiology", details=RADIOLOGY).status_code == 201
    again = create(client, case.pk, "radiology", details=RADIOLOGY)
    assert again.status_code == 400
    assert "already assessed" in str(again.json()["errors"])


def test_re_presentation_opens_a_new_round(world: World) -> None:
    case = make_case(world, status="discussed")
    services.case_transition(
        by=world.coordinator, case=case, transition="re_present", reason="Progression"
    )
    response = create(client_for(world.radiologist), case.pk, "radiology", details=RADIOLOGY)
    assert response.status_code == 201
    assert response.json()["presentation_round"] == 2


@pytest.mark.parametrize("status", ["referred", "discussed", "closed"])
def test_no_assessment_outside_work_up(world: World, status: str) -> None:
    case = make_case(world, status=status)
    response = create(client_for(world.radiologist), case.pk, "radiology", details=RADIOLOGY)
    assert response.status_code == 400
    assert "case" in response.json()["errors"]


def test_surgeon_cannot_write_radiology_assessment(world: World) -> None:
    case = make_case(world, status="in_workup")
    response = create(client_for(world.surgeon), case.pk, "radiology", details=RADIOLOGY)
    assert response.status_code == 403
    assert not SpecialtyAssessment.objects.exists()


def test_surgeon_cannot_edit_or_submit_radiology_assessment(world: World) -> None:
    case = make_case(world, status="in_workup")
    assessment = services.assessment_create(
        by=world.radiologist,
        case=case,
        specialty=world.specialties[Specialty.RADIOLOGY],
        details=RADIOLOGY,
        opinion="ok",
    )
    client = client_for(world.surgeon)
    url = f"/api/v1/assessments/{assessment.pk}/"
    assert client.patch(url, {"opinion": "mine now"}, format="json").status_code == 403
    assert client.post(url + "submit/").status_code == 403
    assessment.refresh_from_db()
    assert (assessment.opinion, assessment.status) == ("ok", "draft")


def test_coordinator_cannot_author_assessments(world: World) -> None:
    case = make_case(world, status="in_workup")
    response = create(client_for(world.coordinator), case.pk, "radiology", details=RADIOLOGY)
    assert response.status_code == 403


def test_attending_cannot_author_assessments(world: World) -> None:
    case = make_case(world, status="in_workup")
    response = create(client_for(world.attending), case.pk, "spine_surgery")
    assert response.status_code == 403


def test_other_board_radiologist_cannot_assess_this_board(world: World) -> None:
    case = make_case(world, status="in_workup")
    response = create(client_for(world.other_radiologist), case.pk, "radiology", details=RADIOLOGY)
    assert response.status_code == 400
    assert "does not exist" in response.json()["errors"]["case"][0]


def test_service_rechecks_specialty_whatever_the_caller(world: World) -> None:
    from django.core.exceptions import PermissionDenied

    case = make_case(world, status="in_workup")
    with pytest.raises(PermissionDenied):
        services.assessment_create(
            by=world.surgeon,
            case=case,
            specialty=world.specialties[Specialty.RADIOLOGY],
            details=RADIOLOGY,
        )


def test_a_second_radiologist_of_the_board_may_continue_the_draft(world: World) -> None:
    from tests.conftest import make_user

    colleague = make_user("radiologist2")
    services.membership_grant(
        by=world.admin,
        board=world.board,
        user=colleague,
        role="specialist",
        specialty=world.specialties[Specialty.RADIOLOGY],
    )
    case = make_case(world, status="in_workup")
    draft = create(client_for(world.radiologist), case.pk, "radiology", details=RADIOLOGY)
    response = client_for(colleague).patch(
        f"/api/v1/assessments/{draft.json()['id']}/", {"opinion": "Agree"}, format="json"
    )
    assert response.status_code == 200
    history = SpecialtyAssessment.objects.get().history.first()
    assert history.history_user == colleague


def test_revoking_membership_removes_rights_at_once(world: World) -> None:
    case = make_case(world, status="in_workup")
    membership = world.radiologist.board_memberships.get()
    services.membership_revoke(by=world.admin, membership=membership)
    client = client_for(world.radiologist)
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert create(client, case.pk, "radiology", details=RADIOLOGY).status_code == 400


def test_radiology_enters_its_imaging_inputs_once_on_each_lesion(world: World) -> None:
    """Reproduced before: radiology's ESCC grade lived in the assessment and on the lesion,
    the scores read one copy, and the chase list asked for a value already submitted."""
    case = make_case(world, status="in_workup")
    t11 = services.lesion_add(by=world.coordinator, case=case, level_from="T11")
    l2 = services.lesion_add(by=world.coordinator, case=case, level_from="L2")
    client = client_for(world.radiologist)
    draft = create(client, case.pk, "radiology", details=RADIOLOGY, opinion="See inputs")
    url = f"/api/v1/assessments/{draft.json()['id']}/"
    shown = {(i["key"], i["lesion_levels"]) for i in draft.json()["owned_inputs"]}
    assert ("lesion.escc_grade", "T11") in shown
    assert ("lesion.escc_grade", "L2") in shown
    assert ("lesion.sins_pain", "T11") not in shown  # spine surgery's
    refused = client.post(url + "submit/")
    assert refused.status_code == 400
    assert refused.json()["errors"]["inputs.lesion.escc_grade"] == [
        "Enter ESCC (Bilsky) grade of lesion T11 before submitting.",
        "Enter ESCC (Bilsky) grade of lesion L2 before submitting.",
    ]
    items = [
        {"key": f"lesion.{field}", "lesion": lesion.pk, "value": value}
        for lesion in (t11, l2)
        for field, value in {
            "escc_grade": "2",
            "sins_bone_lesion": "lytic",
            "sins_alignment": "normal",
            "sins_vertebral_body_collapse": "lt_50_percent",
            "sins_posterolateral_involvement": "none",
            "pathologic_fracture": False,
        }.items()
    ]
    patched = client.patch(url, {"inputs": items}, format="json")
    assert patched.status_code == 200, patched.content
    assert all(i["entered"] for i in patched.json()["owned_inputs"])
    assert client.post(url + "submit/").status_code == 200
    # One copy: the lesion holds it, the scores read it, nothing is chased.
    t11.refresh_from_db()
    assert t11.escc_grade == "2"
    scores = client.get(f"/api/v1/cases/{case.pk}/scores/").json()
    escc = [s for s in scores["current"] if s["calculator"] == "escc"]
    assert {s["category"] for s in escc} == {"high_grade"}
    assert not [c for c in scores["chase"] if c["key"] == "lesion.escc_grade"]


def test_an_assessment_sets_only_its_own_specialty_inputs(world: World) -> None:
    case = make_case(world, status="in_workup")
    lesion = services.lesion_add(by=world.coordinator, case=case, level_from="T11")
    client = client_for(world.radiologist)
    draft = create(client, case.pk, "radiology", details=RADIOLOGY)
    response = client.patch(
        f"/api/v1/assessments/{draft.json()['id']}/",
        {"inputs": [{"key": "lesion.sins_pain", "lesion": lesion.pk, "value": "mechanical"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "inputs[0].key" in response.json()["errors"]
    lesion.refresh_from_db()
    assert lesion.sins_pain == ""


def test_a_bad_input_value_names_the_input(world: World) -> None:
    case = make_case(world, status="in_workup")
    lesion = services.lesion_add(by=world.coordinator, case=case, level_from="T11")
    client = client_for(world.radiologist)
    draft = create(client, case.pk, "radiology", details=RADIOLOGY)
    response = client.patch(
        f"/api/v1/assessments/{draft.json()['id']}/",
        {"inputs": [{"key": "lesion.escc_grade", "lesion": lesion.pk, "value": "9"}]},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["inputs.lesion.escc_grade"]


def test_no_assessment_form_repeats_a_score_input() -> None:
    """One source of truth: no specialty's details field offers the choices of a score input."""
    from django.apps import apps

    from cases.score_inputs import SCORE_INPUTS

    models = {
        "lesion": apps.get_model("cases", "SpinalLesion"),
        "clinical_status": apps.get_model("cases", "ClinicalStatus"),
        "case": apps.get_model("cases", "Case"),
    }
    input_choices = {
        entry.key: {key for key, _ in models[entry.record]._meta.get_field(entry.field).choices}
        for entry in SCORE_INPUTS
        if models[entry.record]._meta.get_field(entry.field).choices
    }
    for code, form in SCHEMAS.items():
        for name, field in form.base_fields.items():
            choices = {key for key, _ in getattr(field, "choices", [])} - {""}
            for key, values in input_choices.items():
                assert not choices or choices != values, f"{code}.{name} repeats {key}"


def test_a_status_judgement_from_an_assessment_is_observed_today(world: World) -> None:
    """Entered today on today's clinical status (started from the latest), never back-dated
    onto an old snapshot, where it would look weeks old."""
    import datetime as dt

    from django.utils import timezone

    case = make_case(world, status="in_workup")
    today = timezone.localdate()
    old = services.clinical_status_record(
        by=world.coordinator, case=case, recorded_on=today - dt.timedelta(days=40), karnofsky=70
    )
    client = client_for(world.medonc)
    draft = client.post(
        "/api/v1/assessments/",
        {"case": case.pk, "specialty": "medical_oncology", "details": {}},
        format="json",
    ).json()
    url = f"/api/v1/assessments/{draft['id']}/"
    body = {
        "inputs": [
            {"key": "clinical_status.visceral_metastases", "value": "none"},
            {"key": "clinical_status.bone_metastases_extent", "value": "multiple"},
        ]
    }
    assert client.patch(url, body, format="json").status_code == 200
    statuses = list(case.clinical_statuses.order_by("recorded_on"))
    assert [s.recorded_on for s in statuses] == [old.recorded_on, today]  # one new, for both
    new = statuses[-1]
    assert (new.visceral_metastases, new.bone_metastases_extent, new.karnofsky) == (
        "none",
        "multiple",
        70,  # carried forward, with its own date
    )
    assert new.observed_date("karnofsky") == old.recorded_on
    assert new.observed_date("visceral_metastases") == today
    old.refresh_from_db()
    assert old.visceral_metastases == ""  # the old snapshot is left as it was
