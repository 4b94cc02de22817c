"""Independent opinions (``Board.independent_opinions``): a specialist does not see another
specialty's assessment of a presentation until they have submitted their own for it or its
discussion has started (a meeting with it on the agenda started). Attendings and coordinators
see all. Through the API list and detail (a hidden one is a 404), with the setting on and off,
and at one fixed number of queries."""

from __future__ import annotations

from typing import Any

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import AuditEvent, Board, Case, Role, Specialty, SpecialtyAssessment
from meetings import services as meeting_services
from tests.conftest import World, client_for, make_user
from tests.meetings.test_readiness import NOW, add, full_case, meeting

SURGERY = Specialty.SPINE_SURGERY
RAD_ONC = Specialty.RADIATION_ONCOLOGY


def independent(world: World, on: bool = True) -> None:
    Board.objects.filter(pk=world.board.pk).update(independent_opinions=on)


def listed(user: Any, case: Case) -> set[str]:
    response = client_for(user).get(f"/api/v1/assessments/?case={case.pk}")
    assert response.status_code == 200, response.content
    return {row["specialty"] for row in response.json()["results"]}


def detail_status(user: Any, assessment: SpecialtyAssessment) -> int:
    return client_for(user).get(f"/api/v1/assessments/{assessment.pk}/").status_code


def surgeons_assessment(case: Case) -> SpecialtyAssessment:
    return case.assessments.get(specialty__code=SURGERY)


@time_machine.travel(NOW, tick=False)
def test_with_the_setting_off_every_member_sees_every_assessment(world: World) -> None:
    case = full_case(world, submitted=(SURGERY,))
    independent(world, on=False)
    for user in (world.radonc, world.medonc, world.radiologist, world.attending):
        assert listed(user, case) == {SURGERY}
        assert detail_status(user, surgeons_assessment(case)) == 200


@time_machine.travel(NOW, tick=False)
def test_another_specialty_is_hidden_until_the_specialist_submits_their_own(
    world: World,
) -> None:
    independent(world)
    case = full_case(world, submitted=(SURGERY,))
    hidden = surgeons_assessment(case)
    assert listed(world.radonc, case) == set()
    assert detail_status(world.radonc, hidden) == 404
    # Their own specialty's draft they see (and only it).
    draft = services.assessment_create(
        by=world.radonc,
        case=case,
        specialty=world.specialties[RAD_ONC],
        details={"proposed_technique": "none"},
        opinion="cEBRT not needed",
    )
    assert listed(world.radonc, case) == {RAD_ONC}
    assert detail_status(world.radonc, hidden) == 404
    services.assessment_change_status(by=world.radonc, assessment=draft, transition="submit")
    assert listed(world.radonc, case) == {SURGERY, RAD_ONC}
    assert detail_status(world.radonc, hidden) == 200
    # Reopening their own does not hide again what they have seen.
    services.assessment_change_status(by=world.radonc, assessment=draft, transition="reopen")
    assert listed(world.radonc, case) == {SURGERY, RAD_ONC}
    # The surgeon has submitted too: sees radiation oncology's; medical oncology has not.
    assert listed(world.surgeon, case) == {SURGERY, RAD_ONC}
    assert listed(world.medonc, case) == set()
    assert detail_status(world.medonc, hidden) == 404


@time_machine.travel(NOW, tick=False)
def test_a_colleague_of_the_same_specialty_sees_it(world: World) -> None:
    independent(world)
    case = full_case(world, submitted=(SURGERY,))
    colleague = make_user("second-surgeon")
    services.membership_grant(
        by=world.admin,
        board=world.board,
        user=colleague,
        role=Role.SPECIALIST,
        specialty=world.specialties[SURGERY],
    )
    assert listed(colleague, case) == {SURGERY}
    assert detail_status(colleague, surgeons_assessment(case)) == 200


@time_machine.travel(NOW, tick=False)
def test_a_submission_counts_only_for_its_own_presentation(world: World) -> None:
    independent(world)
    first = full_case(world, submitted=(SURGERY, RAD_ONC))
    second = full_case(world, submitted=(SURGERY,))
    assert listed(world.radonc, first) == {SURGERY, RAD_ONC}
    assert listed(world.radonc, second) == set()
    assert detail_status(world.radonc, surgeons_assessment(second)) == 404


@time_machine.travel(NOW, tick=False)
def test_everyone_sees_all_once_the_meeting_discussing_it_has_started(world: World) -> None:
    independent(world)
    case = full_case(world, submitted=(SURGERY,))
    later = full_case(world, submitted=(SURGERY,))  # not on the agenda
    m = meeting(world)
    add(world, m, case)
    assert listed(world.medonc, case) == set()
    meeting_services.meeting_start(by=world.attending, meeting=m)
    presentation = case.current_presentation
    assert presentation is not None
    presentation.refresh_from_db()
    assert presentation.discussion_started_at == NOW
    assert listed(world.medonc, case) == {SURGERY}
    assert detail_status(world.medonc, surgeons_assessment(case)) == 200
    assert listed(world.medonc, later) == set()
    # Recorded in the presentation's history, attributed to the attending, and audited.
    assert presentation.history.first().history_user == world.attending  # type: ignore[attr-defined]
    audit = AuditEvent.objects.get(
        object_type="cases.presentation", object_id=str(presentation.pk), action="update"
    )
    assert (audit.user_id, audit.patient_id) == (world.attending.pk, case.patient_id)
    assert audit.changed_fields == ["discussion_started_at"]


@time_machine.travel(NOW, tick=False)
def test_starting_a_meeting_keeps_an_earlier_discussion_start(world: World) -> None:
    case = full_case(world)
    first, second = meeting(world), meeting(world, days=14)
    add(world, first, case)
    add(world, second, case)
    meeting_services.meeting_start(by=world.attending, meeting=first)
    started = case.current_presentation.__class__.objects.get(pk=case.current_presentation_id)
    with time_machine.travel(NOW.replace(day=20), tick=False):
        meeting_services.meeting_start(by=world.attending, meeting=second)
    started.refresh_from_db()
    assert started.discussion_started_at == NOW


@time_machine.travel(NOW, tick=False)
def test_attendings_and_coordinators_see_all_other_boards_nothing(world: World) -> None:
    independent(world)
    case = full_case(world, submitted=(SURGERY,))
    hidden = surgeons_assessment(case)
    for user in (world.attending, world.coordinator, world.admin):
        assert listed(user, case) == {SURGERY}
        assert detail_status(user, hidden) == 200
    for user in (world.other_surgeon, world.other_attending, world.other_radonc):
        assert detail_status(user, hidden) == 404
        response = client_for(user).get(f"/api/v1/assessments/?case={case.pk}")
        assert response.status_code == 400  # another board's case "does not exist"


def _list_queries(client: Any) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/assessments/")
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()["count"]


@time_machine.travel(NOW, tick=False)
def test_the_rule_costs_no_query(world: World) -> None:
    """The same count with the setting off and on, and with more rows (visible and hidden)."""
    full_case(world, submitted=(SURGERY, RAD_ONC))
    full_case(world, submitted=(SURGERY, Specialty.RADIOLOGY))
    client = client_for(world.radonc)
    independent(world, on=False)
    off, seen_off = _list_queries(client)
    independent(world)
    on, seen_on = _list_queries(client)
    for _ in range(3):
        full_case(world, submitted=(SURGERY, RAD_ONC, Specialty.RADIOLOGY))
        full_case(world, submitted=(SURGERY, Specialty.RADIOLOGY))
    more, seen_more = _list_queries(client)
    assert (seen_off, seen_on, seen_more) == (4, 2, 2 + 3 * 3)
    assert off == on == more
