"""Agendas and running a meeting: default order by urgency, the late rule, reorder, move,
carry-over, another board's presentation refused, start and close and who may, the API.
Real services throughout; the clock is moved with time-machine."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services as case_services
from cases.models import AuditEvent, Case
from meetings import services
from meetings.models import AgendaItem, Meeting, MeetingStatus
from tests.cases.test_concurrency import at_once, post
from tests.conftest import World, client_for, make_case

NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)
#: Far after the cut-off (48 hours before the meeting) of ``meeting``'s default start.
START = NOW + dt.timedelta(days=7)


def meeting(world: World, board: Any = None, days: int = 7) -> Meeting:
    board = board or world.board
    by = world.coordinator if board == world.board else world.other_coordinator
    return services.meeting_create(by=by, board=board, starts_at=NOW + dt.timedelta(days=days))


def add(world: World, m: Meeting, case: Case, **extra: Any) -> AgendaItem:
    by = world.coordinator if m.board_id == world.board.pk else world.other_coordinator
    return services.agenda_item_add(
        by=by, meeting=m, presentation=case.current_presentation, **extra
    )


def order(m: Meeting) -> list[int]:
    return list(m.agenda_items.order_by("position").values_list("presentation__case", flat=True))


def positions(m: Meeting) -> list[int]:
    return list(m.agenda_items.order_by("position").values_list("position", flat=True))


@time_machine.travel(NOW, tick=False)
def test_default_order_is_emergency_then_urgent_then_the_existing_order(world: World) -> None:
    m = meeting(world)
    routine1 = make_case(world, status="in_workup")
    urgent = make_case(world, status="ready", urgency="urgent")
    routine2 = make_case(world, status="in_workup")
    emergency = make_case(world, status="in_workup", urgency="emergency")
    for case in (routine1, urgent, routine2, emergency):
        add(world, m, case)
    assert order(m) == [emergency.pk, urgent.pk, routine1.pk, routine2.pk]
    assert positions(m) == [1, 2, 3, 4]
    item = m.agenda_items.get(presentation=routine1.current_presentation)
    assert not item.late
    assert (
        AuditEvent.objects.filter(
            object_type="meetings.agendaitem", object_id=str(item.pk), action="create"
        )
        .get()
        .patient_id
        == routine1.patient_id
    )


@time_machine.travel(NOW, tick=False)
def test_after_the_cutoff_a_routine_case_needs_a_late_reason(world: World) -> None:
    m = meeting(world, days=1)  # the cut-off (48 h before) has passed
    routine = make_case(world, status="in_workup")
    with pytest.raises(ValidationError) as info:
        add(world, m, routine)
    assert "late_reason" in info.value.message_dict
    item = add(world, m, routine, late_reason="  New imaging arrived  ")
    assert (item.late, item.late_reason) == (True, "New imaging arrived")
    urgent = add(world, m, make_case(world, status="in_workup", urgency="urgent"))
    assert (urgent.late, urgent.late_reason) == (True, "")


@time_machine.travel(NOW, tick=False)
def test_only_a_current_presentation_of_an_open_case_of_the_board(world: World) -> None:
    m = meeting(world)
    other = make_case(world, board=world.other_board, status="in_workup")
    with pytest.raises(ValidationError) as info:
        services.agenda_item_add(by=world.admin, meeting=m, presentation=other.current_presentation)
    assert "presentation" in info.value.message_dict
    discussed = make_case(world, status="discussed")
    with pytest.raises(ValidationError) as info:
        add(world, m, discussed)
    assert "presentation" in info.value.message_dict
    case = make_case(world, status="in_workup")
    add(world, m, case)
    with pytest.raises(ValidationError):
        add(world, m, case)  # once per meeting
    cancelled = meeting(world, days=9)
    services.meeting_cancel(by=world.coordinator, meeting=cancelled, reason="Holiday")
    with pytest.raises(ValidationError) as info:
        add(world, cancelled, make_case(world, status="in_workup"))
    assert "status" in info.value.message_dict


@time_machine.travel(NOW, tick=False)
def test_another_boards_presentation_is_refused_by_the_api(world: World) -> None:
    m = meeting(world)
    other = make_case(world, board=world.other_board, status="in_workup")
    # Invisible to the board's coordinator: it "does not exist".
    response = client_for(world.coordinator).post(
        f"/api/v1/meetings/{m.pk}/agenda/",
        {"presentation": other.current_presentation_id},
        format="json",
    )
    assert response.status_code == 400
    assert "does not exist" in " ".join(response.json()["errors"]["presentation"])
    # Visible (a coordinator of both boards), yet of another board: refused, naming it.
    response = client_for(world.admin).post(
        f"/api/v1/meetings/{m.pk}/agenda/",
        {"presentation": other.current_presentation_id},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["presentation"]


@time_machine.travel(NOW, tick=False)
def test_reorder_needs_exactly_the_meetings_items(world: World) -> None:
    m = meeting(world)
    a, b, c = (add(world, m, make_case(world, status="in_workup")) for _ in range(3))
    elsewhere = add(world, meeting(world, days=14), make_case(world, status="in_workup"))
    client = client_for(world.coordinator)
    url = f"/api/v1/meetings/{m.pk}/reorder/"
    for bad in ([a.pk, b.pk], [a.pk, b.pk, c.pk, elsewhere.pk], [a.pk, a.pk, b.pk, c.pk]):
        response = client.post(url, {"items": bad}, format="json")
        assert response.status_code == 400, bad
        assert list(response.json()["errors"]) == ["items"]
    response = client.post(url, {"items": [c.pk, a.pk, b.pk]}, format="json")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [c.pk, a.pk, b.pk]
    assert [row["position"] for row in response.json()] == [1, 2, 3]
    # A new routine case goes after the reordered ones; an urgent one before them.
    late = add(world, m, make_case(world, status="in_workup", urgency="urgent"))
    assert list(m.agenda_items.order_by("position").values_list("pk", flat=True)) == [
        late.pk,
        c.pk,
        a.pk,
        b.pk,
    ]
    response = client_for(world.surgeon).post(url, {"items": [a.pk]}, format="json")
    assert response.status_code == 403


@time_machine.travel(NOW, tick=False)
def test_move_to_another_meeting_of_the_board(world: World) -> None:
    first, second = meeting(world), meeting(world, days=14)
    a = add(world, first, make_case(world, status="in_workup"))
    b = add(world, first, make_case(world, status="in_workup"))
    c = add(world, second, make_case(world, status="in_workup"))
    urgent = add(world, first, make_case(world, status="in_workup", urgency="urgent"))
    client = client_for(world.coordinator)
    response = client.post(
        f"/api/v1/agenda-items/{urgent.pk}/move/",
        {"to_meeting": second.pk},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200, response.content
    assert (response.json()["meeting"], response.json()["position"]) == (second.pk, 1)
    assert list(second.agenda_items.order_by("position").values_list("pk", flat=True)) == [
        urgent.pk,
        c.pk,
    ]
    assert list(first.agenda_items.order_by("position").values_list("pk", "position")) == [
        (a.pk, 1),
        (b.pk, 2),
    ]
    stale = client.post(
        f"/api/v1/agenda-items/{urgent.pk}/move/",
        {"to_meeting": first.pk},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert stale.status_code == 412
    other = meeting(world, board=world.other_board)
    with pytest.raises(ValidationError) as info:
        services.agenda_item_move(by=world.admin, item=a, to_meeting=other)
    assert "to_meeting" in info.value.message_dict


@time_machine.travel(NOW, tick=False)
def test_start_close_and_carry_over(world: World) -> None:
    m, nxt = meeting(world), meeting(world, days=14)
    waiting = make_case(world, status="ready")
    done = make_case(world, status="ready")
    withdrawn = make_case(world, status="in_workup")
    for case in (waiting, done, withdrawn):
        add(world, m, case, presenter=world.surgeon)
    with pytest.raises(PermissionDenied):
        services.meeting_start(by=world.coordinator, meeting=m)
    with pytest.raises(ValidationError):
        services.meeting_close(by=world.attending, meeting=m)  # not started
    client = client_for(world.attending)
    assert client.post(f"/api/v1/meetings/{m.pk}/start/").json()["status"] == "in_progress"
    case_services.case_move(by=world.attending, case=done, transition="record_discussion")
    case_services.case_transition(
        by=world.coordinator, case=withdrawn, transition="withdraw", reason="Patient declined"
    )
    with pytest.raises(ValidationError):  # only a closed meeting's items are carried over
        services.agenda_carry_over(by=world.coordinator, meeting=m, to_meeting=nxt)
    sequence = Meeting.objects.get(pk=m.pk).sequence
    response = client.post(f"/api/v1/meetings/{m.pk}/close/")
    assert (response.json()["status"], response.json()["sequence"]) == ("closed", sequence + 1)
    assert client.post(f"/api/v1/meetings/{m.pk}/close/").status_code == 400
    response = client_for(world.coordinator).post(
        f"/api/v1/meetings/{m.pk}/carry-over/", {"to_meeting": nxt.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    [row] = response.json()
    assert (row["case"], row["carried_over"], row["carried_from"]) == (waiting.pk, True, m.pk)
    assert row["presenter"] == world.surgeon.pk
    assert m.agenda_items.count() == 3  # the closed meeting's agenda stays
    again = services.agenda_carry_over(by=world.coordinator, meeting=m, to_meeting=nxt)
    assert again == []  # idempotent
    assert Meeting.objects.get(pk=m.pk).status == MeetingStatus.CLOSED


@time_machine.travel(NOW, tick=False)
def test_coordinator_cannot_start_and_attending_cannot_add(world: World) -> None:
    m = meeting(world)
    case = make_case(world, status="in_workup")
    assert client_for(world.coordinator).post(f"/api/v1/meetings/{m.pk}/start/").status_code == 403
    response = client_for(world.attending).post(
        f"/api/v1/meetings/{m.pk}/agenda/",
        {"presentation": case.current_presentation_id},
        format="json",
    )
    assert response.status_code == 403
    assert (
        client_for(world.other_attending).post(f"/api/v1/meetings/{m.pk}/start/").status_code == 404
    )


@time_machine.travel(NOW, tick=False)
def test_agenda_api_reads_patches_and_audits(world: World) -> None:
    m = meeting(world)
    case = make_case(world, status="in_workup", urgency="emergency")
    client = client_for(world.coordinator)
    response = client.post(
        f"/api/v1/meetings/{m.pk}/agenda/",
        {"presentation": case.current_presentation_id, "minutes_allotted": 15},
        format="json",
    )
    assert response.status_code == 201, response.content
    item = response.json()
    assert (item["case"], item["case_urgency"], item["presentation_number"]) == (
        case.pk,
        "emergency",
        1,
    )
    assert case.patient.family_name not in response.content.decode()
    rows = client_for(world.surgeon).get(f"/api/v1/meetings/{m.pk}/agenda/").json()
    assert [row["id"] for row in rows] == [item["id"]]
    assert AuditEvent.objects.filter(
        user_id=world.surgeon.pk, action="list", object_type="meetings.agendaitem"
    ).exists()
    url = f"/api/v1/agenda-items/{item['id']}/"
    response = client.patch(
        url, {"presenter": world.attending.pk, "kind": "ratification"}, HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200, response.content
    # The kind changes only by triage (with a pathway) and untriage, never by a PATCH.
    assert (response.json()["kind"], response.json()["version"]) == ("full", 2)
    assert response.json()["presenter"] == world.attending.pk
    assert client.patch(url, {"minutes_allotted": 5}, HTTP_IF_MATCH='"1"').status_code == 412
    outsider = world.users["outsider"]
    response = client.patch(url, {"presenter": outsider.pk}, HTTP_IF_MATCH='"2"')
    assert response.status_code == 400  # not a member of the user's boards
    assert client_for(world.surgeon).patch(url, {"minutes_allotted": 5}).status_code == 403
    listed = client_for(world.surgeon).get("/api/v1/agenda-items/", {"meeting": m.pk}).json()
    assert [row["id"] for row in listed["results"]] == [item["id"]]
    assert client_for(world.other_coordinator).get(url).status_code == 404
    assert client_for(None).get(f"/api/v1/meetings/{m.pk}/agenda/").status_code == 401


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_add_items_at_the_same_moment(world: World) -> None:
    """Agenda writes queue on the meeting's row lock: positions stay 1..n, none twice."""
    m = services.meeting_create(
        by=world.coordinator,
        board=world.board,
        starts_at=dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=30),
    )
    cases = [make_case(world, status="in_workup") for _ in range(6)]
    url = f"/api/v1/meetings/{m.pk}/agenda/"
    for first, second in zip(cases[::2], cases[1::2], strict=True):
        results = at_once(
            post(world.coordinator, url, {"presentation": first.current_presentation_id}),
            post(world.admin, url, {"presentation": second.current_presentation_id}),
        )
        assert [r.status_code for r in results] == [201, 201], [r.content for r in results]
    assert positions(m) == [1, 2, 3, 4, 5, 6]
