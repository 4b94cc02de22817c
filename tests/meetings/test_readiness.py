"""Readiness of a meeting's cases (``meetings.readiness``, ``GET meetings/{id}/readiness/``
and each item of ``meetings/{id}/agenda/``): what is missing per item, counts per meeting,
who may read it, and one fixed number of queries whatever the agenda holds.

Real services throughout; the clock is fixed with time-machine. The builders here
(``full_case``, ``meeting``, ``add``) are shared with ``test_pathways.py``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services as case_services
from cases.models import AuditEvent, Case, Specialty
from meetings import services
from meetings.models import AgendaItem, Meeting
from tests.conftest import RADIOLOGY_LESION, World, client_for, make_case

NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)

STATUS_INPUTS: dict[str, Any] = {
    "karnofsky": 80,
    "extraspinal_bone_metastases_count": 0,
    "vertebral_metastases_count": 1,
    "visceral_metastases": "none",
    "visceral_metastases_treatability": "none",
    "bone_metastases_extent": "solitary_or_isolated",
    "frankel_grade": "E",
    "ambulatory_status": "independent",
    "serum_albumin_g_dl": Decimal("4.0"),
    "neurological_deficit": "none",
    "systemic_disease_status": "stable",
}
CASE_JUDGEMENTS: dict[str, Any] = {
    "tumor_growth": "slow",
    "radiosensitivity": "radiosensitive",
    "able_to_tolerate_surgery": True,
    "able_to_tolerate_percutaneous": True,
    "able_to_tolerate_local_treatment": True,
}
IMAGING: dict[str, Any] = {
    "imaging_modality": "mri",
    "imaging_date": dt.date(2027, 2, 20),
    "image_viewer_url": "https://pacs.example.org/study/1",
}
#: SINS at T4–T5 with these items: 1 (semi-rigid) + 2 (lytic) + 2 (collapse < 50%) = 5 + pain.
STABLE_PAIN = "pain_free"  # SINS 5
UNSTABLE_PAIN = "mechanical"  # SINS 8: surgical consultation recommended
SUBMITTED_DETAILS: dict[str, dict[str, Any]] = {
    Specialty.SPINE_SURGERY: {
        "stability": "stable",
        "surgical_candidate": "no",
        "proposed_procedure": "none",
    },
    Specialty.RADIATION_ONCOLOGY: {"proposed_technique": "none"},
    Specialty.MEDICAL_ONCOLOGY: {"expected_survival": "gt_12_months", "trial_eligible": "no"},
    Specialty.RADIOLOGY: {"imaging_findings": "Lytic T4"},
}
AUTHORS = {
    Specialty.SPINE_SURGERY: "surgeon",
    Specialty.RADIATION_ONCOLOGY: "radonc",
    Specialty.MEDICAL_ONCOLOGY: "medonc",
    Specialty.RADIOLOGY: "radiologist",
}


def submit(world: World, case: Case, code: str) -> Any:
    author = world.users[AUTHORS[code]]
    assessment = case_services.assessment_create(
        by=author,
        case=case,
        specialty=world.specialties[code],
        details=SUBMITTED_DETAILS[code],
        opinion=f"{code} opinion",
    )
    return case_services.assessment_change_status(
        by=author, assessment=assessment, transition="submit"
    )


def full_case(
    world: World,
    *,
    pain: str = STABLE_PAIN,
    escc: str = "1a",
    lesions: int = 1,
    submitted: tuple[str, ...] = tuple(AUTHORS),
    imaging: bool = True,
    **case_fields: Any,
) -> Case:
    """A case in work-up with every score input entered (so its chase list is empty), one or
    more lesions (T4–T5, then lower) and the listed specialties' submitted assessments."""
    case = make_case(world, status="in_workup", **case_fields)
    admin = world.admin  # a superuser: may enter every specialty's inputs at once
    case_services.case_scoring_inputs_update(by=admin, case=case, **CASE_JUDGEMENTS)
    case_services.clinical_status_record(
        by=admin, case=case, recorded_on=dt.date(2027, 2, 25), **STATUS_INPUTS
    )
    levels = [("T4", "T5"), ("T8", "T8"), ("L1", "L2"), ("L4", "L4")]
    for top, bottom in levels[:lesions]:
        case_services.lesion_add(
            by=admin,
            case=case,
            level_from=top,
            level_to=bottom,
            **{**RADIOLOGY_LESION, "escc_grade": escc},
            sins_pain=pain,
            mechanical_status="stable",
            **(IMAGING if imaging else {}),
        )
    for code in submitted:
        submit(world, case, code)
    return Case.objects.get(pk=case.pk)


def meeting(world: World, days: int = 7) -> Meeting:
    return services.meeting_create(
        by=world.coordinator, board=world.board, starts_at=NOW + dt.timedelta(days=days)
    )


def add(world: World, m: Meeting, case: Case, **extra: Any) -> AgendaItem:
    return services.agenda_item_add(
        by=world.coordinator, meeting=m, presentation=case.current_presentation, **extra
    )


def readiness_of(world: World, m: Meeting, user: Any = None) -> dict[str, Any]:
    response = client_for(user or world.surgeon).get(f"/api/v1/meetings/{m.pk}/readiness/")
    assert response.status_code == 200, response.content
    return response.json()


@time_machine.travel(NOW, tick=False)
def test_a_complete_case_is_ready(world: World) -> None:
    m = meeting(world)
    item = add(world, m, full_case(world))
    body = readiness_of(world, m)
    (row,) = body["items"]
    assert row == {
        "item": item.pk,
        "case": item.presentation.case_id,
        "presentation": item.presentation_id,
        "position": 1,
        "kind": "full",
        "ready": True,
        "missing_specialties": [],
        "missing_inputs": [],
        "lesions_without_imaging": [],
        "referral_missing": [],
        "late": False,
        "surgical_opinion_needed": False,
        "pathway": None,
    }
    assert body["counts"] == {
        "items": 1,
        "ready": 1,
        "not_ready": 0,
        "late": 0,
        "surgical_opinion_needed": 0,
        "missing_specialties": {},
    }
    assert body["meeting"] == m.pk


@time_machine.travel(NOW, tick=False)
def test_what_is_missing_is_named(world: World) -> None:
    m = meeting(world, days=1)  # after the cut-off: late
    bare = make_case(world, status="in_workup", urgency="urgent")  # no lesion, no status
    no_imaging = full_case(
        world, imaging=False, submitted=(Specialty.RADIOLOGY, Specialty.SPINE_SURGERY)
    )
    items = [add(world, m, case, late_reason="New imaging") for case in (bare, no_imaging)]
    rows = {row["item"]: row for row in readiness_of(world, m)["items"]}
    first = rows[items[0].pk]
    assert first["ready"] is False
    assert first["late"] is True
    assert first["referral_missing"] == ["lesions", "clinical_status"]
    assert first["missing_specialties"] == [
        "spine_surgery",
        "radiation_oncology",
        "medical_oncology",
        "radiology",
    ]
    # Its scores are incomplete: the chase list names each input once, with who owns it.
    keys = {entry["key"] for entry in first["missing_inputs"]}
    assert {"clinical_status.karnofsky", "case.tumor_growth"} <= keys
    second = rows[items[1].pk]
    assert second["ready"] is False
    assert second["missing_specialties"] == ["radiation_oncology", "medical_oncology"]
    assert second["missing_inputs"] == []
    (gap,) = second["lesions_without_imaging"]
    assert gap["levels"] == "T4–T5"
    assert gap["missing"] == ["imaging_modality", "imaging_date", "image_viewer_url"]
    counts = readiness_of(world, m)["counts"]
    assert counts["items"] == 2
    assert counts["not_ready"] == 2
    assert counts["late"] == 2
    assert counts["missing_specialties"] == {
        "medical_oncology": 2,
        "radiation_oncology": 2,
        "radiology": 1,
        "spine_surgery": 1,
    }


@time_machine.travel(NOW, tick=False)
def test_a_sins_of_7_needs_spine_surgerys_opinion(world: World) -> None:
    m = meeting(world)
    others = (Specialty.RADIATION_ONCOLOGY, Specialty.MEDICAL_ONCOLOGY, Specialty.RADIOLOGY)
    unstable = full_case(world, pain=UNSTABLE_PAIN, submitted=others)
    stable = full_case(world, pain=STABLE_PAIN, submitted=others)
    a, b = add(world, m, unstable), add(world, m, stable)
    assert unstable.score_records.get(calculator="sins", is_current=True).total == 8
    rows = {row["item"]: row for row in readiness_of(world, m)["items"]}
    assert rows[a.pk]["surgical_opinion_needed"] is True
    assert rows[b.pk]["surgical_opinion_needed"] is False  # SINS 5: stable
    submit(world, unstable, Specialty.SPINE_SURGERY)
    rows = {row["item"]: row for row in readiness_of(world, m)["items"]}
    assert rows[a.pk]["surgical_opinion_needed"] is False
    assert rows[a.pk]["ready"] is True


@time_machine.travel(NOW, tick=False)
def test_readiness_is_for_the_boards_members_and_audited(world: World) -> None:
    m = meeting(world)
    item = add(world, m, full_case(world))
    url = f"/api/v1/meetings/{m.pk}/readiness/"
    for user in (world.coordinator, world.attending, world.radiologist):
        assert client_for(user).get(url).status_code == 200
    assert client_for(world.other_coordinator).get(url).status_code == 404
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(None).get(url).status_code in (401, 403)
    assert client_for(world.coordinator).post(url).status_code in (403, 405)
    assert client_for(world.coordinator).get("/api/v1/meetings/999999/readiness/").status_code == (
        404
    )
    read = AuditEvent.objects.filter(
        action="list", object_type="meetings.agendaitem", object_id=str(item.pk)
    )
    assert read.count() == 3
    assert read.first().patient_id == item.presentation.case.patient_id  # type: ignore[union-attr]


@time_machine.travel(NOW, tick=False)
def test_the_agenda_shows_each_items_readiness(world: World) -> None:
    m = meeting(world)
    ready = add(world, m, full_case(world))
    missing = add(world, m, full_case(world, submitted=(Specialty.RADIOLOGY,)))
    body = client_for(world.surgeon).get(f"/api/v1/meetings/{m.pk}/agenda/").json()
    by_id = {row["id"]: row for row in body}
    assert by_id[ready.pk]["readiness"]["ready"] is True
    assert by_id[ready.pk]["pathway"] is None
    assert by_id[missing.pk]["readiness"]["missing_specialties"] == [
        "spine_surgery",
        "radiation_oncology",
        "medical_oncology",
    ]


# --- A fixed number of queries ----------------------------------------------------------------

#: GET meetings/{id}/readiness/ as a member: 5 of the session (see test_query_counts); the
#: user's board ids; the meeting (board, chair); the items (meeting, board, presentation, case,
#: presenter, author, pathway joined); six prefetches (the board's expected specialties, the
#: presentations' submitted assessments, the cases' lesions, clinical statuses, prior
#: radiotherapy and current scores); the audit INSERT.
READINESS_QUERIES = 15
#: GET meetings/{id}/agenda/: the 9 of test_query_counts plus the six prefetches.
AGENDA_QUERIES = 15


def _count(client: Any, url: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries), response


@time_machine.travel(NOW, tick=False)
def test_readiness_and_agenda_cost_the_same_with_1_or_40_items(world: World) -> None:
    small, large = meeting(world), meeting(world, days=14)
    add(world, small, full_case(world, lesions=3))
    for index in range(40):
        # Several lesions and assessments each; every fourth misses two specialties.
        submitted = tuple(AUTHORS) if index % 4 else (Specialty.RADIOLOGY, Specialty.SPINE_SURGERY)
        add(world, large, full_case(world, lesions=3, submitted=submitted))
    client = client_for(world.surgeon)
    for path, expected in (("readiness", READINESS_QUERIES), ("agenda", AGENDA_QUERIES)):
        one, _ = _count(client, f"/api/v1/meetings/{small.pk}/{path}/")
        forty, response = _count(client, f"/api/v1/meetings/{large.pk}/{path}/")
        assert (one, forty) == (expected, expected), path
        rows = response.json()["items"] if path == "readiness" else response.json()
        assert len(rows) == 40
        assert all(len(row.get("readiness", row)["missing_inputs"]) == 0 for row in rows)
    body = client.get(f"/api/v1/meetings/{large.pk}/readiness/").json()
    assert body["counts"]["items"] == 40
    assert body["counts"]["ready"] == 30
    assert body["counts"]["missing_specialties"] == {
        "medical_oncology": 10,
        "radiation_oncology": 10,
    }
