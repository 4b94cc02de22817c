"""Every role × every endpoint action × own board / other board, grants and denials alike.

The acting personas all belong to ``world.board`` (the outsider to no board). "own" targets an
object of ``world.board``; "other" targets the same object on ``world.other_board``. Objects
outside the user's boards must look exactly like objects that do not exist: 404 for an
address, 400 "does not exist" for a named parent. A member lacking the right gets 403.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from cases import services
from cases.models import (
    Case,
    ClinicalStatus,
    Patient,
    PriorRadiotherapy,
    Specialty,
    SpecialtyAssessment,
    SpinalLesion,
)
from meetings import services as meeting_services
from meetings.models import (
    AgendaItem,
    Decision,
    FastTrack,
    Meeting,
    MeetingPacket,
    MeetingSeries,
    StandardPathway,
)
from tests.conftest import RADIOLOGY_LESION, World, client_for, make_case

ROLES = ["coordinator", "attending", "surgeon", "radiologist", "outsider"]


@dataclass
class Target:
    board_id: int
    patient: Patient
    case: Case
    status: ClinicalStatus
    lesion: SpinalLesion
    course: PriorRadiotherapy
    assessment: SpecialtyAssessment
    score_id: int
    # The board's week (None unless built with ``week=True``; tests are not type-checked).
    series: MeetingSeries = None  # type: ignore[assignment]
    meeting: Meeting = None  # type: ignore[assignment]  # scheduled, ``item`` on its agenda
    item: AgendaItem = None  # type: ignore[assignment]
    later: Meeting = None  # type: ignore[assignment]  # scheduled: items move here
    running: Meeting = None  # type: ignore[assignment]  # in progress
    closed: Meeting = None  # type: ignore[assignment]
    pathway: StandardPathway = None  # type: ignore[assignment]  # live; the case meets it
    urgent: Case = None  # type: ignore[assignment]  # on ``running``'s agenda, no fast track
    draft: Decision = None  # type: ignore[assignment]  # the urgent case's, complete, unsigned
    emergency: Case = None  # type: ignore[assignment]  # fast-tracked, with ``signed``
    fasttrack: FastTrack = None  # type: ignore[assignment]
    tracked: Case = None  # type: ignore[assignment]  # fast-tracked, no decision yet
    signed: Decision = None  # type: ignore[assignment]  # the emergency case's, signed


def build_target(world: World, side: str, *, week: bool = True) -> Target:
    """The objects the actions address, on the own or the other board; with ``week``, the
    board's week too (meetings, agenda, pathway, decisions, fast tracks, packet)."""
    board = world.board if side == "own" else world.other_board
    prefix = "" if side == "own" else "other_"
    coordinator = world.users[prefix + "coordinator"]
    radiologist = world.users[prefix + "radiologist"]
    case = make_case(world, board=board, status="in_workup")
    status = services.clinical_status_record(
        by=coordinator, case=case, recorded_on=dt.date(2026, 11, 1), karnofsky=70
    )
    lesion = services.lesion_add(
        by=radiologist, case=case, level_from="T11", level_to="T12", **RADIOLOGY_LESION
    )
    course = services.prior_radiotherapy_add(
        by=coordinator,
        case=case,
        level_from="L1",
        level_to="L2",
        dose_gy="20",
        fractions=5,
        treated_on=dt.date(2024, 1, 10),
    )
    assessment = services.assessment_create(
        by=radiologist,
        case=case,
        specialty=world.specialties[Specialty.RADIOLOGY],
        details={"imaging_findings": "Lytic lesion"},
        opinion="Low-grade ESCC.",
    )
    score_id = case.score_records.get(calculator="sins", is_current=True).pk
    if not week:
        # The clinical actions need none of the board's week (about half the build's cost).
        return Target(board.pk, case.patient, case, status, lesion, course, assessment, score_id)
    series = meeting_services.meeting_series_create(
        by=coordinator,
        board=board,
        rrule="FREQ=WEEKLY;BYDAY=TU",
        start_time=dt.time(7, 30),
        starts_on=dt.date.today(),  # noqa: DTZ011 (a date for the series only)
    )
    meeting, later, running, closed = series.meetings.order_by("starts_at")[:4]
    item = meeting_services.agenda_item_add(
        by=coordinator,
        meeting=meeting,
        presentation=case.current_presentation,
        late_reason="Within the cut-off",  # the first occurrence may be within 48 hours
    )
    attending = world.users[prefix + "attending"]
    # Spine surgery is on call: the surgeon records fast-track decisions with the attending.
    board.on_call_specialties.set([world.specialties[Specialty.SPINE_SURGERY]])
    pathway = meeting_services.standard_pathway_approve(
        by=attending,
        board=board,
        code="routine-rt",
        title="Radiotherapy for a routine referral",
        recommendation="8 Gy in one fraction.",
        criteria=[{"fact": "urgency", "op": "eq", "value": "routine"}],
    )
    urgent = make_case(world, board=board, status="in_workup", urgency="urgent")
    urgent_item = meeting_services.agenda_item_add(
        by=coordinator, meeting=running, presentation=urgent.current_presentation
    )
    for m in (running, closed):
        meeting_services.meeting_start(by=attending, meeting=m)
    meeting_services.meeting_close(by=attending, meeting=closed)
    draft = meeting_services.decision_create(by=attending, agenda_item=urgent_item, **DECIDED)
    emergency = make_case(world, board=board, status="in_workup", urgency="emergency")
    fasttrack = meeting_services.fast_track_open(
        by=coordinator,
        case=emergency,
        neurological_signs=True,
        suspected_at=timezone.now() - dt.timedelta(hours=3),
    )
    signed = meeting_services.decision_sign(
        by=attending,
        decision=meeting_services.decision_create(
            by=attending, case=emergency, kind="fast_track", **DECIDED
        ),
    )
    tracked = make_case(world, board=board, status="in_workup", urgency="emergency")
    meeting_services.fast_track_open(
        by=coordinator,
        case=tracked,
        neurological_signs=False,
        suspected_at=timezone.now() - dt.timedelta(hours=1),
    )
    MeetingPacket.objects.create(
        meeting=meeting,
        agenda_version=Meeting.objects.get(pk=meeting.pk).agenda_version,
        status="ready",
        html="<html><body>packet</body></html>",
        pdf=b"%PDF-1.7",
        patient_ids=[case.patient_id],
        built_at=timezone.now(),
    )
    return Target(
        board.pk,
        case.patient,
        case,
        status,
        lesion,
        course,
        assessment,
        score_id,
        series,
        meeting,
        item,
        later,
        running,
        closed,
        pathway,
        urgent,
        draft,
        emergency,
        fasttrack,
        tracked,
        signed,
    )


#: A complete decision (the fields signing requires).
DECIDED: dict[str, Any] = {
    "intent": "palliative",
    "rationale": "Painful stable lesion: radiotherapy.",
    "follows_noms": True,
    "plan": {"radiotherapy": {"technique": "cebrt", "dose_gy": 8, "fractions": 1}},
}


# action -> (method, url(target), body(target)). Each returns what the client sends.
def _actions() -> dict[str, tuple[str, Any, Any]]:
    patient_body = {
        "mrn": "NEW-1",
        "family_name": "New",
        "given_name": "Patient",
        "date_of_birth": "1955-05-05",
        "sex": "male",
    }
    case_body = {
        "referring_physician": "Dr. R",
        "clinical_question": "SBRT?",
        "primary_tumor": "kidney",
    }
    return {
        "board.retrieve": ("get", lambda t: f"/api/v1/boards/{t.board_id}/", None),
        "patient.retrieve": ("get", lambda t: f"/api/v1/patients/{t.patient.pk}/", None),
        "patient.create": (
            "post",
            lambda t: "/api/v1/patients/",
            lambda t: {**patient_body, "registered_board": t.board_id},
        ),
        "patient.update": (
            "patch",
            lambda t: f"/api/v1/patients/{t.patient.pk}/",
            lambda t: {"given_name": "Changed"},
        ),
        "case.retrieve": ("get", lambda t: f"/api/v1/cases/{t.case.pk}/", None),
        "case.create": (
            "post",
            lambda t: "/api/v1/cases/",
            lambda t: {**case_body, "board": t.board_id, "patient": t.patient.pk},
        ),
        "case.update": (
            "patch",
            lambda t: f"/api/v1/cases/{t.case.pk}/",
            lambda t: {"comorbidities": "COPD"},
        ),
        "case.transition": (
            "post",
            lambda t: f"/api/v1/cases/{t.case.pk}/transition/",
            lambda t: {"transition": "mark_ready"},
        ),
        "case.scores": ("get", lambda t: f"/api/v1/cases/{t.case.pk}/scores/", None),
        "case.scoring_inputs": (
            # A spine surgeon's judgement (cases.permissions.FIELD_OWNERS).
            "patch",
            lambda t: f"/api/v1/cases/{t.case.pk}/scoring-inputs/",
            lambda t: {"able_to_tolerate_percutaneous": True},
        ),
        "score.retrieve": ("get", lambda t: f"/api/v1/scores/{t.score_id}/", None),
        "status.retrieve": ("get", lambda t: f"/api/v1/clinical-statuses/{t.status.pk}/", None),
        "status.create": (
            "post",
            lambda t: "/api/v1/clinical-statuses/",
            lambda t: {"case": t.case.pk, "recorded_on": "2026-11-10", "ecog": "2"},
        ),
        "status.update": (
            "patch",
            lambda t: f"/api/v1/clinical-statuses/{t.status.pk}/",
            lambda t: {"karnofsky": 60},
        ),
        "lesion.retrieve": ("get", lambda t: f"/api/v1/lesions/{t.lesion.pk}/", None),
        "lesion.create": (
            "post",
            lambda t: "/api/v1/lesions/",
            lambda t: {"case": t.case.pk, "level_from": "L3", "level_to": "L3"},
        ),
        "lesion.update": (
            "patch",
            lambda t: f"/api/v1/lesions/{t.lesion.pk}/",
            lambda t: {"escc_grade": "2"},
        ),
        "course.retrieve": ("get", lambda t: f"/api/v1/prior-radiotherapy/{t.course.pk}/", None),
        "course.create": (
            "post",
            lambda t: "/api/v1/prior-radiotherapy/",
            lambda t: {
                "case": t.case.pk,
                "level_from": "C5",
                "level_to": "C6",
                "dose_gy": "8",
                "fractions": 1,
                "treated_on": "2025-02-01",
            },
        ),
        "course.update": (
            "patch",
            lambda t: f"/api/v1/prior-radiotherapy/{t.course.pk}/",
            lambda t: {"notes": "Field edge at C6"},
        ),
        "assessment.retrieve": ("get", lambda t: f"/api/v1/assessments/{t.assessment.pk}/", None),
        "assessment.create_radiology": (
            # The radiology assessment of this round exists: this creates spine surgery's.
            "post",
            lambda t: "/api/v1/assessments/",
            lambda t: {"case": t.case.pk, "specialty": "spine_surgery", "opinion": "Stable"},
        ),
        "assessment.update": (
            "patch",
            lambda t: f"/api/v1/assessments/{t.assessment.pk}/",
            lambda t: {"opinion": "Revised"},
        ),
        "assessment.submit": (
            "post",
            lambda t: f"/api/v1/assessments/{t.assessment.pk}/submit/",
            None,
        ),
        "series.retrieve": ("get", lambda t: f"/api/v1/meeting-series/{t.series.pk}/", None),
        "series.create": (
            "post",
            lambda t: "/api/v1/meeting-series/",
            lambda t: {
                "board": t.board_id,
                "rrule": "FREQ=WEEKLY;BYDAY=TH",
                "start_time": "16:00",
                "starts_on": "2026-12-01",
            },
        ),
        "series.update": (
            "patch",
            lambda t: f"/api/v1/meeting-series/{t.series.pk}/",
            lambda t: {"place": "Room 7"},
        ),
        "meeting.retrieve": ("get", lambda t: f"/api/v1/meetings/{t.meeting.pk}/", None),
        "meeting.ics": ("get", lambda t: f"/api/v1/meetings/{t.meeting.pk}/ics/", None),
        "meeting.create": (
            "post",
            lambda t: "/api/v1/meetings/",
            lambda t: {"board": t.board_id, "starts_at": "2027-01-05T07:30:00"},
        ),
        "meeting.update": (
            "patch",
            lambda t: f"/api/v1/meetings/{t.meeting.pk}/",
            lambda t: {"place": "Room 5"},
        ),
        "meeting.cancel": (
            "post",
            lambda t: f"/api/v1/meetings/{t.meeting.pk}/cancel/",
            lambda t: {"reason": "Holiday"},
        ),
        "meeting.agenda": ("get", lambda t: f"/api/v1/meetings/{t.meeting.pk}/agenda/", None),
        "meeting.agenda_add": (
            # The case's presentation is on ``meeting`` already: this adds it to ``later``.
            "post",
            lambda t: f"/api/v1/meetings/{t.later.pk}/agenda/",
            lambda t: {"presentation": t.case.current_presentation_id, "late_reason": "Late"},
        ),
        "meeting.reorder": (
            "post",
            lambda t: f"/api/v1/meetings/{t.meeting.pk}/reorder/",
            # Every item (the fast-track decision put its ratification here too), reversed.
            lambda t: {
                "items": list(
                    t.meeting.agenda_items.order_by("-position").values_list("pk", flat=True)
                )
            },
        ),
        "meeting.start": ("post", lambda t: f"/api/v1/meetings/{t.meeting.pk}/start/", None),
        "meeting.close": ("post", lambda t: f"/api/v1/meetings/{t.running.pk}/close/", None),
        "meeting.carry_over": (
            "post",
            lambda t: f"/api/v1/meetings/{t.closed.pk}/carry-over/",
            lambda t: {"to_meeting": t.later.pk},
        ),
        "agenda.retrieve": ("get", lambda t: f"/api/v1/agenda-items/{t.item.pk}/", None),
        "agenda.update": (
            "patch",
            lambda t: f"/api/v1/agenda-items/{t.item.pk}/",
            lambda t: {"minutes_allotted": 15},
        ),
        "agenda.move": (
            "post",
            lambda t: f"/api/v1/agenda-items/{t.item.pk}/move/",
            lambda t: {"to_meeting": t.later.pk},
        ),
        "agenda.pathways": (
            "get",
            lambda t: f"/api/v1/agenda-items/{t.item.pk}/pathways/",
            None,
        ),
        "agenda.triage": (
            "post",
            lambda t: f"/api/v1/agenda-items/{t.item.pk}/triage/",
            lambda t: {"pathway": t.pathway.pk},
        ),
        "agenda.untriage": ("post", lambda t: f"/api/v1/agenda-items/{t.item.pk}/untriage/", None),
        "meeting.readiness": (
            "get",
            lambda t: f"/api/v1/meetings/{t.meeting.pk}/readiness/",
            None,
        ),
        "meeting.attendance": (
            "get",
            lambda t: f"/api/v1/meetings/{t.running.pk}/attendance/",
            None,
        ),
        "meeting.attendance_record": (
            "post",
            lambda t: f"/api/v1/meetings/{t.running.pk}/attendance/",
            lambda t: {"user": t.draft.recorded_by_id, "present": False},
        ),
        "meeting.packet": ("get", lambda t: f"/api/v1/meetings/{t.meeting.pk}/packet/", None),
        "meeting.packet_rebuild": (
            "post",
            lambda t: f"/api/v1/meetings/{t.meeting.pk}/packet/",
            None,
        ),
        "pathway.retrieve": (
            "get",
            lambda t: f"/api/v1/standard-pathways/{t.pathway.pk}/",
            None,
        ),
        "pathway.create": (
            "post",
            lambda t: "/api/v1/standard-pathways/",
            lambda t: {
                "board": t.board_id,
                "code": "sbrt",
                "title": "SBRT",
                "recommendation": "24 Gy in two fractions.",
                "criteria": [{"fact": "cord_compression", "op": "eq", "value": False}],
            },
        ),
        "pathway.retire": (
            "post",
            lambda t: f"/api/v1/standard-pathways/{t.pathway.pk}/retire/",
            None,
        ),
        "decision.retrieve": ("get", lambda t: f"/api/v1/decisions/{t.signed.pk}/", None),
        "decision.letter": ("get", lambda t: f"/api/v1/decisions/{t.signed.pk}/letter/", None),
        "decision.patient_summary": (
            "get",
            lambda t: f"/api/v1/decisions/{t.signed.pk}/patient-summary/",
            None,
        ),
        "decision.create": (
            "post",
            lambda t: "/api/v1/decisions/",
            lambda t: {"agenda_item": t.item.pk, **DECIDED},
        ),
        "decision.create_fast_track": (
            "post",
            lambda t: "/api/v1/decisions/",
            lambda t: {"case": t.tracked.pk, "kind": "fast_track", **DECIDED},
        ),
        "decision.update": (
            "patch",
            lambda t: f"/api/v1/decisions/{t.draft.pk}/",
            lambda t: {"rationale": "Revised in the meeting."},
        ),
        "decision.sign": ("post", lambda t: f"/api/v1/decisions/{t.draft.pk}/sign/", None),
        "decision.amend": (
            "post",
            lambda t: f"/api/v1/decisions/{t.signed.pk}/amend/",
            lambda t: {"reason": "Dose corrected."},
        ),
        "decision.communicated": (
            "post",
            lambda t: f"/api/v1/decisions/{t.signed.pk}/communicated/",
            lambda t: {
                "sent_at": timezone.now().isoformat(),
                "method": "letter",
                "recipient": "Dr. Referrer",
            },
        ),
        "fasttrack.retrieve": ("get", lambda t: f"/api/v1/fast-tracks/{t.fasttrack.pk}/", None),
        "fasttrack.create": (
            "post",
            lambda t: "/api/v1/fast-tracks/",
            lambda t: {
                "case": t.urgent.pk,
                "neurological_signs": False,
                "suspected_at": "2026-11-01T08:00:00Z",
            },
        ),
        "fasttrack.update": (
            "patch",
            lambda t: f"/api/v1/fast-tracks/{t.fasttrack.pk}/",
            lambda t: {"notes": "MRI booked."},
        ),
    }


ACTIONS = _actions()
READS = [
    name
    for name in ACTIONS
    if name.endswith(
        (
            ".retrieve",
            ".scores",
            ".ics",
            ".agenda",
            ".pathways",
            ".readiness",
            ".attendance",
            ".packet",
            ".letter",
            ".patient_summary",
        )
    )
]
CLINICAL_WRITES = [
    "status.create",
    "status.update",
    "lesion.create",
    "course.create",
    "course.update",
]

# Expected status for an action on the user's OWN board, per role.
OWN: dict[str, dict[str, int]] = {}
for name in READS:
    OWN[name] = {"coordinator": 200, "attending": 200, "surgeon": 200, "radiologist": 200}
for name in ["patient.update", "case.update", "case.transition"]:
    OWN[name] = {"coordinator": 200, "attending": 403, "surgeon": 403, "radiologist": 403}
for name in ["patient.create", "case.create"]:
    OWN[name] = {"coordinator": 201, "attending": 403, "surgeon": 403, "radiologist": 403}
for name in CLINICAL_WRITES:
    code = 201 if name.endswith("create") else 200
    OWN[name] = dict.fromkeys(["coordinator", "attending", "surgeon", "radiologist"], code)
# The ESCC grade is radiology's judgement; surgical tolerance the surgeon's.
OWN["lesion.update"] = {"coordinator": 403, "attending": 403, "surgeon": 403, "radiologist": 200}
OWN["case.scoring_inputs"] = {
    "coordinator": 403,
    "attending": 403,
    "surgeon": 200,
    "radiologist": 403,
}
# Only a spine surgeon may start the spine surgery assessment.
OWN["assessment.create_radiology"] = {
    "coordinator": 403,
    "attending": 403,
    "surgeon": 201,
    "radiologist": 403,
}
# Only radiology may edit or submit radiology's assessment.
for name in ["assessment.update", "assessment.submit"]:
    OWN[name] = {"coordinator": 403, "attending": 403, "surgeon": 403, "radiologist": 200}


# Meetings are scheduled by coordinators (manage_meetings) only.
for name in ["series.create", "meeting.create"]:
    OWN[name] = {"coordinator": 201, "attending": 403, "surgeon": 403, "radiologist": 403}
for name in ["series.update", "meeting.update", "meeting.cancel"]:
    OWN[name] = {"coordinator": 200, "attending": 403, "surgeon": 403, "radiologist": 403}
# Agendas are built by coordinators too; an attending (sign_decision) opens and closes the
# meeting they run, a coordinator does not.
OWN["meeting.agenda_add"] = {
    "coordinator": 201,
    "attending": 403,
    "surgeon": 403,
    "radiologist": 403,
}
for name in ["meeting.reorder", "meeting.carry_over", "agenda.update", "agenda.move"]:
    OWN[name] = {"coordinator": 200, "attending": 403, "surgeon": 403, "radiologist": 403}
for name in ["meeting.start", "meeting.close"]:
    OWN[name] = {"coordinator": 403, "attending": 200, "surgeon": 403, "radiologist": 403}
# Triage is the coordinator's; an attending (or the coordinator) turns a ratification back
# into a full discussion. Attendance: coordinators and attendings. The packet: coordinators.
OWN["agenda.triage"] = {"coordinator": 200, "attending": 403, "surgeon": 403, "radiologist": 403}
OWN["agenda.untriage"] = {"coordinator": 200, "attending": 200, "surgeon": 403, "radiologist": 403}
OWN["meeting.attendance_record"] = {
    "coordinator": 200,
    "attending": 200,
    "surgeon": 403,
    "radiologist": 403,
}
OWN["meeting.packet_rebuild"] = {
    "coordinator": 201,
    "attending": 403,
    "surgeon": 403,
    "radiologist": 403,
}
# Standard pathways are approved and retired by the board's attendings.
OWN["pathway.create"] = {"coordinator": 403, "attending": 201, "surgeon": 403, "radiologist": 403}
OWN["pathway.retire"] = {"coordinator": 403, "attending": 200, "surgeon": 403, "radiologist": 403}
# Decisions: attendings record and sign; on a fast track the on-call pair (here the spine
# surgeon) records too, but only an attending signs. A coordinator never records or signs, but
# records that the letter was sent.
OWN["decision.create"] = {"coordinator": 403, "attending": 201, "surgeon": 403, "radiologist": 403}
OWN["decision.create_fast_track"] = {
    "coordinator": 403,
    "attending": 201,
    "surgeon": 201,
    "radiologist": 403,
}
OWN["decision.update"] = {"coordinator": 403, "attending": 200, "surgeon": 403, "radiologist": 403}
OWN["decision.sign"] = {"coordinator": 403, "attending": 200, "surgeon": 403, "radiologist": 403}
OWN["decision.amend"] = {"coordinator": 403, "attending": 201, "surgeon": 201, "radiologist": 403}
OWN["decision.communicated"] = {
    "coordinator": 201,
    "attending": 201,
    "surgeon": 403,
    "radiologist": 403,
}
# A fast track is opened and timed by coordinators, attendings and the on-call pair.
OWN["fasttrack.create"] = {"coordinator": 201, "attending": 201, "surgeon": 201, "radiologist": 403}
OWN["fasttrack.update"] = {"coordinator": 200, "attending": 200, "surgeon": 200, "radiologist": 403}


def expected(action: str, role: str, side: str) -> int:
    method = ACTIONS[action][0]
    creating = method == "post" and action.split(".")[1].startswith("create")
    if role == "outsider" or side == "other":
        # Invisible: an address is 404; a named parent (board, case) "does not exist": 400.
        return 400 if creating else 404
    return OWN[action][role]


CASES = [
    pytest.param(action, role, side, id=f"{action}-{role}-{side}")
    for action in ACTIONS
    for role in ROLES
    for side in ("own", "other")
]


#: Actions on the clinical record only: their target needs none of the board's week.
CLINICAL = frozenset({"board", "patient", "case", "status", "lesion", "course", "assessment"})


@pytest.mark.parametrize(("action", "role", "side"), CASES)
def test_permission_matrix(world: World, action: str, role: str, side: str) -> None:
    target = build_target(world, side, week=action.split(".")[0] not in CLINICAL)
    method, url, body = ACTIONS[action]
    client = client_for(world.users[role])
    data = body(target) if body else None
    response = getattr(client, method)(url(target), data, format="json")
    want = expected(action, role, side)
    assert response.status_code == want, response.content
    if want in (403, 404):
        # A denial leaks nothing of the record.
        assert target.patient.family_name.encode() not in response.content
    if want == 400:
        named = [key for key in ("case", "board", "agenda_item") if key in (data or {})]
        field = named[0] if named else "registered_board"
        assert "does not exist" in " ".join(response.json()["errors"][field])


@pytest.mark.parametrize("role", ["coordinator", "attending", "surgeon", "radiologist"])
def test_lists_show_only_own_board(world: World, role: str) -> None:
    own = build_target(world, "own")
    other = build_target(world, "other")
    client = client_for(world.users[role])
    for endpoint, attr in [
        ("patients", "patient"),
        ("cases", "case"),
        ("clinical-statuses", "status"),
        ("lesions", "lesion"),
        ("prior-radiotherapy", "course"),
        ("assessments", "assessment"),
        ("scores", "score_id"),
        ("meeting-series", "series"),
        ("meetings", "meeting"),
        ("agenda-items", "item"),
        ("standard-pathways", "pathway"),
        ("decisions", "signed"),
        ("fast-tracks", "fasttrack"),
    ]:
        if attr == "score_id":
            ids = [row["id"] for row in client.get(f"/api/v1/{endpoint}/").json()["results"]]
            assert own.score_id in ids
            assert other.score_id not in ids
            continue
        ids = [row["id"] for row in client.get(f"/api/v1/{endpoint}/").json()["results"]]
        assert getattr(own, attr).pk in ids, endpoint
        assert getattr(other, attr).pk not in ids, endpoint
    boards = [row["id"] for row in client.get("/api/v1/boards/").json()["results"]]
    assert boards == [world.board.pk]


def test_outsider_lists_are_empty(world: World) -> None:
    build_target(world, "own")
    client = client_for(world.outsider)
    for endpoint in [
        "patients",
        "cases",
        "clinical-statuses",
        "lesions",
        "assessments",
        "boards",
        "meetings",
        "agenda-items",
        "standard-pathways",
        "decisions",
        "fast-tracks",
    ]:
        assert client.get(f"/api/v1/{endpoint}/").json()["count"] == 0, endpoint


def test_anonymous_gets_401_everywhere(world: World) -> None:
    target = build_target(world, "own")
    client = client_for(None)
    for action, (method, url, body) in ACTIONS.items():
        response = getattr(client, method)(url(target), body(target) if body else None)
        assert response.status_code == 401, action


def test_nothing_can_be_deleted(world: World) -> None:
    target = build_target(world, "own")
    client = client_for(world.coordinator)
    for url in [
        f"/api/v1/patients/{target.patient.pk}/",
        f"/api/v1/cases/{target.case.pk}/",
        f"/api/v1/clinical-statuses/{target.status.pk}/",
        f"/api/v1/lesions/{target.lesion.pk}/",
        f"/api/v1/assessments/{target.assessment.pk}/",
    ]:
        assert client.delete(url).status_code == 405, url
    assert Case.objects.filter(pk=target.case.pk).exists()


def test_idor_on_every_object_endpoint_never_returns_data(world: World) -> None:
    """The other board's coordinator walks every id of every endpoint, with every verb."""
    target = build_target(world, "own")
    client = client_for(world.other_coordinator)
    secrets = [target.patient.mrn.encode(), target.patient.family_name.encode()]
    for action, (method, url, body) in ACTIONS.items():
        if action.split(".")[1].startswith("create"):
            continue
        response = getattr(client, method)(url(target), body(target) if body else None, "json")
        assert response.status_code in (403, 404), action
        assert not any(secret in response.content for secret in secrets), action
    target.case.refresh_from_db()
    assert target.case.status == "in_workup"  # the transition attempt changed nothing
    assert target.case.comorbidities == ""
