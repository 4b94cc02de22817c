"""Attendance: members listed present by default (idempotently), absences and guests, the live
quorum, who may record it, and the API (``/api/v1/meetings/{id}/attendance/``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import Specialty
from meetings import services
from meetings.models import Attendance, Meeting
from tests.conftest import World, client_for, make_user

NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)


def meeting(world: World, *, started: bool = True, board: Any = None) -> Meeting:
    board = board or world.board
    mine = board == world.board
    m = services.meeting_create(
        by=world.coordinator if mine else world.other_coordinator,
        board=board,
        starts_at=NOW + dt.timedelta(hours=1),
    )
    if started:
        services.meeting_start(by=world.attending if mine else world.other_attending, meeting=m)
    return m


def url(m: Meeting) -> str:
    return f"/api/v1/meetings/{m.pk}/attendance/"


def by_user(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["username"]: row for row in rows}


@time_machine.travel(NOW, tick=False)
def test_members_are_listed_present_once_the_meeting_starts(world: World) -> None:
    m = meeting(world)  # started: its start listed the six members
    assert services.attendance_init(meeting=m, by=world.attending) == 0  # idempotent
    Attendance.objects.filter(meeting=m, user=world.surgeon).delete()  # e.g. a member since
    assert services.attendance_init(meeting=m, by=world.attending) == 1
    rows = {a.user.username: a for a in Attendance.objects.filter(meeting=m)}
    assert set(rows) == {"coordinator", "attending", "surgeon", "radiologist", "radonc", "medonc"}
    assert all(a.present and not a.guest for a in rows.values())
    assert rows["surgeon"].specialty.code == Specialty.SPINE_SURGERY
    assert rows["coordinator"].specialty is None
    assert services.meeting_quorum(m).quorate


@time_machine.travel(NOW, tick=False)
def test_a_started_meeting_has_the_rows_and_a_read_answers_the_quorum(world: World) -> None:
    m = meeting(world)
    response = client_for(world.surgeon).get(url(m))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["meeting"], body["quorate"], body["missing_specialties"]) == (m.pk, True, [])
    assert len(body["rows"]) == 6 and all(row["id"] for row in body["rows"])
    assert Attendance.objects.filter(meeting=m).count() == 6


@time_machine.travel(NOW, tick=False)
def test_before_the_meeting_the_expected_list_is_shown_without_writing(world: World) -> None:
    m = meeting(world, started=False)
    body = client_for(world.surgeon).get(url(m)).json()
    assert len(body["rows"]) == 6
    assert {row["id"] for row in body["rows"]} == {None}
    assert body["quorate"] is True
    assert not Attendance.objects.filter(meeting=m).exists()
    # An apology before the meeting is recorded; the others are then listed too.
    response = client_for(world.coordinator).post(
        url(m), {"user": world.radiologist.pk, "present": False, "note": "On leave"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Attendance.objects.filter(meeting=m).count() == 6
    assert response.json()["missing_specialties"] == [Specialty.RADIOLOGY]


@time_machine.travel(NOW, tick=False)
def test_absence_makes_the_meeting_inquorate_and_a_guest_restores_it(world: World) -> None:
    m = meeting(world)
    client = client_for(world.coordinator)
    body = client.post(url(m), {"user": world.radiologist.pk, "present": False}, format="json")
    assert body.status_code == 200, body.content
    assert (body.json()["quorate"], body.json()["missing_specialties"]) == (
        False,
        [Specialty.RADIOLOGY],
    )
    assert by_user(body.json()["rows"])["radiologist"]["present"] is False
    # A radiologist of the other board attends as a guest (an attending may record it too).
    body = client_for(world.attending).post(
        url(m),
        {"user": world.other_radiologist.pk, "specialty": Specialty.RADIOLOGY},
        format="json",
    )
    assert body.status_code == 200, body.content
    guest = by_user(body.json()["rows"])["other_radiologist"]
    assert (guest["guest"], guest["present"], guest["specialty"]) == (True, True, "radiology")
    assert (body.json()["quorate"], body.json()["missing_specialties"]) == (True, [])
    # Ticked present again: a no-op for the guest's row count.
    client.post(url(m), {"user": world.radiologist.pk, "present": True}, format="json")
    assert Attendance.objects.filter(meeting=m).count() == 7


@time_machine.travel(NOW, tick=False)
def test_bad_attendance_input_is_a_400_naming_the_field(world: World) -> None:
    m = meeting(world)
    client = client_for(world.coordinator)
    response = client.post(url(m), {"user": world.outsider.pk}, format="json")
    assert response.status_code == 400
    assert "specialty" in response.json()["errors"]
    inactive = make_user("gone", is_active=False)
    response = client.post(url(m), {"user": inactive.pk, "specialty": "radiology"}, format="json")
    assert response.status_code == 400
    assert "user" in response.json()["errors"]
    response = client.post(url(m), {"user": world.surgeon.pk, "specialty": "nope"}, format="json")
    assert "specialty" in response.json()["errors"]
    # A member attends as one of their own specialties.
    response = client.post(url(m), {"user": world.surgeon.pk, "specialty": "radiology"})
    assert response.status_code == 400
    assert "specialty" in response.json()["errors"]
    response = client.post(url(m), {"user": world.surgeon.pk, "present": "maybe"}, format="json")
    assert "present" in response.json()["errors"]


@time_machine.travel(NOW, tick=False)
def test_closed_meetings_attendance_is_fixed(world: World) -> None:
    m = meeting(world)
    services.meeting_close(by=world.attending, meeting=m)
    response = client_for(world.coordinator).post(
        url(m), {"user": world.surgeon.pk, "present": False}, format="json"
    )
    assert response.status_code == 400
    assert "meeting" in response.json()["errors"]
    assert client_for(world.coordinator).get(url(m)).json()["quorate"] is True


@time_machine.travel(NOW, tick=False)
def test_specialist_cannot_record_attendance(world: World) -> None:
    m = meeting(world)
    response = client_for(world.surgeon).post(
        url(m), {"user": world.radiologist.pk, "present": False}, format="json"
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.attendance_record(by=world.surgeon, meeting=m, user=world.radiologist)
    assert Attendance.objects.filter(meeting=m, present=False).count() == 0


@time_machine.travel(NOW, tick=False)
def test_other_boards_members_cannot_see_or_record_attendance(world: World) -> None:
    m = meeting(world)
    assert client_for(world.other_coordinator).get(url(m)).status_code == 404
    response = client_for(world.other_attending).post(
        url(m), {"user": world.surgeon.pk, "present": False}, format="json"
    )
    assert response.status_code == 404
    assert client_for(world.outsider).get(url(m)).status_code == 404
    assert client_for(None).get(url(m)).status_code == 401
    with pytest.raises(PermissionDenied):
        services.attendance_record(by=world.other_attending, meeting=m, user=world.surgeon)


@time_machine.travel(NOW, tick=False)
def test_a_guest_is_named_by_specialty_in_the_service(world: World) -> None:
    m = meeting(world)
    with pytest.raises(ValidationError) as info:
        services.attendance_record(by=world.coordinator, meeting=m, user=world.outsider)
    assert "specialty" in info.value.message_dict
    row = services.attendance_record(
        by=world.coordinator,
        meeting=m,
        user=world.outsider,
        specialty=world.specialties[Specialty.PAIN_MANAGEMENT],
        present=False,
    )
    assert (row.guest, row.present, row.recorded_by) == (True, False, world.coordinator)
