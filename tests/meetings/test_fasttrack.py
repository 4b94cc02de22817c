"""The cord-compression fast track: who may open and update it (coordinators, attendings,
on-call specialists; others 403, other boards 404), one per case (409), urgent or emergency
cases only, sane timestamps (400 naming the field), If-Match, the clocks in the API, the queue
(most urgent clock first, fixed queries), every read audited. Real services throughout; the
clock is moved with time-machine."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.exceptions import Conflict
from cases.models import AuditEvent, Case, Specialty
from meetings import services
from meetings.models import FastTrack
from tests.conftest import World, client_for, make_case

NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
URL = "/api/v1/fast-tracks/"


def iso(value: dt.datetime) -> str:
    return value.isoformat()


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def on_call(world: World) -> World:
    """Spine surgery and radiation oncology are the boards' on-call pair."""
    pair = [
        world.specialties[Specialty.SPINE_SURGERY],
        world.specialties[Specialty.RADIATION_ONCOLOGY],
    ]
    world.board.on_call_specialties.set(pair)
    world.other_board.on_call_specialties.set(pair)
    return world


def emergency(world: World, board: Any = None, urgency: str = "emergency") -> Case:
    return make_case(world, board=board, status="in_workup", urgency=urgency)


def open_track(world: World, case: Case, *, neuro: bool = True, hours_ago: float = 2) -> FastTrack:
    by = world.coordinator if case.board_id == world.board.pk else world.other_coordinator
    return services.fast_track_open(
        by=by,
        case=case,
        neurological_signs=neuro,
        suspected_at=NOW - dt.timedelta(hours=hours_ago),
    )


# --- Opening ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "attending", "surgeon", "radonc"])
def test_who_may_open(on_call: World, who: str) -> None:
    case = emergency(on_call)
    response = client_for(getattr(on_call, who)).post(
        URL,
        {"case": case.pk, "neurological_signs": True, "suspected_at": iso(NOW - 2 * H)},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["ETag"] == '"1"'
    assert body["case"] == case.pk
    assert body["case_urgency"] == "emergency"
    assert body["opened_by"] == who
    assert body["plan_agreed_at"] is None
    mri, treatment = body["clocks"]
    assert mri == {
        "name": "mri",
        "started_at": "2027-03-01T10:00:00+00:00",
        "due_at": "2027-03-02T10:00:00+00:00",
        "done_at": None,
        "state": "running",
        "seconds_left": 22 * 3600,
    }
    assert treatment["state"] == "not_started"
    assert treatment["seconds_left"] is None
    # No patient name in the answer (the case number only).
    assert case.patient.family_name not in response.content.decode()
    event = AuditEvent.objects.get(object_type="meetings.fasttrack", action="create")
    assert (event.patient_id, event.username) == (case.patient_id, who)


@pytest.mark.parametrize("who", ["medonc", "radiologist"])
def test_specialist_not_on_call_cannot_open(on_call: World, who: str) -> None:
    case = emergency(on_call)
    response = client_for(getattr(on_call, who)).post(
        URL,
        {"case": case.pk, "neurological_signs": True, "suspected_at": iso(NOW - H)},
        format="json",
    )
    assert response.status_code == 403, response.content
    assert not FastTrack.objects.exists()
    with pytest.raises(PermissionDenied):
        services.fast_track_open(
            by=getattr(on_call, who), case=case, neurological_signs=True, suspected_at=NOW
        )


def test_specialist_cannot_open_without_an_on_call_pair(world: World) -> None:
    case = emergency(world)
    with pytest.raises(PermissionDenied):
        services.fast_track_open(
            by=world.surgeon, case=case, neurological_signs=True, suspected_at=NOW
        )


def test_other_board_cannot_open_or_see(on_call: World) -> None:
    case = emergency(on_call)
    # Named as a parent: "does not exist", exactly like a case that does not exist.
    for who in ("other_coordinator", "other_attending", "other_surgeon", "outsider"):
        response = client_for(getattr(on_call, who)).post(
            URL,
            {"case": case.pk, "neurological_signs": True, "suspected_at": iso(NOW - H)},
            format="json",
        )
        assert response.status_code == 400, response.content
        assert "does not exist" in " ".join(response.json()["errors"]["case"])
    # On the service, the permission re-check refuses it too.
    with pytest.raises(PermissionDenied):
        services.fast_track_open(
            by=on_call.other_attending, case=case, neurological_signs=True, suspected_at=NOW
        )
    track = open_track(on_call, case)
    for who in ("other_coordinator", "other_attending", "outsider"):
        client = client_for(getattr(on_call, who))
        assert client.get(f"{URL}{track.pk}/").status_code == 404
        assert client.patch(f"{URL}{track.pk}/", {"notes": "x"}, format="json").status_code == 404
        assert client.get(URL).json()["results"] == []
        assert client.get(f"{URL}queue/").json()["results"] == []
    assert client_for(None).get(URL).status_code == 401


def test_one_fast_track_per_case(on_call: World) -> None:
    case = emergency(on_call)
    open_track(on_call, case)
    response = client_for(on_call.attending).post(
        URL,
        {"case": case.pk, "neurological_signs": False, "suspected_at": iso(NOW - H)},
        format="json",
    )
    assert response.status_code == 409
    assert "case" in response.json()["errors"]
    with pytest.raises(Conflict):
        open_track(on_call, case)
    assert FastTrack.objects.count() == 1


def test_only_urgent_or_emergency_open_cases(on_call: World) -> None:
    client = client_for(on_call.coordinator)
    routine = emergency(on_call, urgency="routine")
    response = client.post(
        URL,
        {"case": routine.pk, "neurological_signs": True, "suspected_at": iso(NOW - H)},
        format="json",
    )
    assert response.status_code == 400
    assert "urgent or emergency" in " ".join(response.json()["errors"]["case"])
    urgent = emergency(on_call, urgency="urgent")
    response = client.post(
        URL,
        {"case": urgent.pk, "neurological_signs": False, "suspected_at": iso(NOW - H)},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["clocks"][0]["due_at"] == "2027-03-08T11:00:00+00:00"  # a week
    withdrawn = make_case(on_call, urgency="emergency")
    from cases import services as case_services

    case_services.case_transition(
        by=on_call.coordinator, case=withdrawn, transition="withdraw", reason="x"
    )
    response = client.post(
        URL,
        {"case": withdrawn.pk, "neurological_signs": True, "suspected_at": iso(NOW - H)},
        format="json",
    )
    assert response.status_code == 400
    assert "case" in response.json()["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"neurological_signs": True, "suspected_at": "2027-03-01T13:00:00Z"}, "suspected_at"),
        ({"neurological_signs": True, "suspected_at": "yesterday"}, "suspected_at"),
        ({"neurological_signs": True}, "suspected_at"),
        ({"suspected_at": "2027-03-01T10:00:00Z"}, "neurological_signs"),
        (
            {"neurological_signs": "maybe", "suspected_at": "2027-03-01T10:00:00Z"},
            "neurological_signs",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    on_call: World, body: dict[str, Any], field: str
) -> None:
    case = emergency(on_call)
    response = client_for(on_call.coordinator).post(URL, {"case": case.pk, **body}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not FastTrack.objects.exists()


def test_a_time_without_offset_is_read_in_the_boards_zone(on_call: World) -> None:
    on_call.board.timezone = "Europe/Berlin"
    on_call.board.save()
    case = emergency(on_call)
    response = client_for(on_call.coordinator).post(
        URL,
        {"case": case.pk, "neurological_signs": True, "suspected_at": "2027-03-01T09:00"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert FastTrack.objects.get().suspected_at == dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC)
    assert response.json()["suspected_at"] == "2027-03-01T09:00:00+01:00"
    assert response.json()["timezone"] == "Europe/Berlin"


# --- Updating ---------------------------------------------------------------------------------


def test_recording_the_timestamps_moves_the_clocks(on_call: World, clock: Any) -> None:
    case = emergency(on_call)
    track = open_track(on_call, case, hours_ago=30)  # MRI overdue by 6 h
    client = client_for(on_call.surgeon)  # on call
    body = client.get(f"{URL}{track.pk}/").json()
    assert body["clocks"][0]["state"] == "breached"
    assert body["clocks"][0]["seconds_left"] == -6 * 3600
    response = client.patch(
        f"{URL}{track.pk}/",
        {"mri_done_at": iso(NOW - 4 * H), "mri_reported_at": iso(NOW - 3 * H)},
        format="json",
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    mri, treatment = response.json()["clocks"]
    assert (mri["state"], mri["seconds_left"]) == ("breached", -2 * 3600)  # done 2 h late
    assert (treatment["state"], treatment["seconds_left"]) == ("running", 21 * 3600)
    event = AuditEvent.objects.get(object_type="meetings.fasttrack", action="update")
    assert sorted(event.changed_fields) == ["mri_done_at", "mri_reported_at"]
    assert event.patient_id == case.patient_id
    response = client_for(on_call.attending).patch(
        f"{URL}{track.pk}/",
        {"treatment_started_at": iso(NOW), "notes": "  Decompression and RT.  "},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["clocks"][1]["state"] == "met"
    assert response.json()["notes"] == "Decompression and RT."
    assert response.json()["version"] == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mri_done_at": iso(NOW + H)}, "mri_done_at"),  # the future
        ({"mri_done_at": iso(NOW - 5 * H)}, "mri_done_at"),  # before the suspicion
        ({"treatment_started_at": iso(NOW - 5 * H)}, "treatment_started_at"),
        ({"mri_reported_at": iso(NOW + 2 * H)}, "mri_reported_at"),
        ({"mri_done_at": iso(NOW - H), "mri_reported_at": iso(NOW - 2 * H)}, "mri_reported_at"),
        ({"mri_done_at": "soon"}, "mri_done_at"),
        ({"neurological_signs": False}, "neurological_signs"),
        ({"suspected_at": iso(NOW - 3 * H)}, "suspected_at"),
    ],
)
def test_timestamps_are_sane(on_call: World, body: dict[str, Any], field: str) -> None:
    track = open_track(on_call, emergency(on_call), hours_ago=4)
    response = client_for(on_call.coordinator).patch(f"{URL}{track.pk}/", body, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == [field]
    track.refresh_from_db()
    assert (track.version, track.mri_done_at, track.neurological_signs) == (1, None, True)


def test_an_mri_done_after_its_report_is_refused_on_the_field_sent(on_call: World) -> None:
    track = open_track(on_call, emergency(on_call), hours_ago=4)
    services.fast_track_update(
        by=on_call.coordinator,
        fast_track=track,
        mri_done_at=NOW - 3 * H,
        mri_reported_at=NOW - 2 * H,
    )
    with pytest.raises(ValidationError) as info:
        services.fast_track_update(by=on_call.coordinator, fast_track=track, mri_done_at=NOW - H)
    assert list(info.value.message_dict) == ["mri_done_at"]
    # A time is cleared (corrected) with null.
    services.fast_track_update(by=on_call.coordinator, fast_track=track, mri_reported_at=None)
    track.refresh_from_db()
    assert track.mri_reported_at is None


def test_plan_agreed_at_is_read_only(on_call: World) -> None:
    track = open_track(on_call, emergency(on_call))
    response = client_for(on_call.attending).patch(
        f"{URL}{track.pk}/", {"plan_agreed_at": iso(NOW), "notes": "x"}, format="json"
    )
    assert response.status_code == 200
    track.refresh_from_db()
    assert track.plan_agreed_at is None
    assert track.notes == "x"


def test_a_stale_if_match_is_a_412(on_call: World) -> None:
    track = open_track(on_call, emergency(on_call))
    client = client_for(on_call.coordinator)
    assert client.patch(f"{URL}{track.pk}/", {"notes": "a"}, format="json").status_code == 200
    response = client.patch(
        f"{URL}{track.pk}/", {"notes": "b"}, format="json", headers={"If-Match": '"1"'}
    )
    assert response.status_code == 412
    assert response.json()["current_version"] == 2
    track.refresh_from_db()
    assert track.notes == "a"


@pytest.mark.parametrize("who", ["medonc", "radiologist"])
def test_specialist_not_on_call_cannot_update(on_call: World, who: str) -> None:
    track = open_track(on_call, emergency(on_call), hours_ago=4)
    client = client_for(getattr(on_call, who))
    assert client.get(f"{URL}{track.pk}/").status_code == 200  # a member reads it
    response = client.patch(f"{URL}{track.pk}/", {"mri_done_at": iso(NOW - H)}, format="json")
    assert response.status_code == 403
    track.refresh_from_db()
    assert track.mri_done_at is None


def test_no_put_and_no_delete(on_call: World) -> None:
    track = open_track(on_call, emergency(on_call))
    client = client_for(on_call.coordinator)
    assert client.put(f"{URL}{track.pk}/", {}, format="json").status_code == 405
    assert client.delete(f"{URL}{track.pk}/").status_code == 405


# --- Reading: list, detail, queue -------------------------------------------------------------


def test_reads_are_audited(on_call: World) -> None:
    track = open_track(on_call, emergency(on_call))
    client = client_for(on_call.medonc)
    client.get(f"{URL}{track.pk}/")
    client.get(URL)
    client.get(f"{URL}queue/")
    reads = AuditEvent.objects.filter(
        object_type="meetings.fasttrack", object_id=str(track.pk), username="medonc"
    )
    assert sorted(reads.values_list("action", flat=True)) == ["list", "list", "view"]
    assert {e.patient_id for e in reads} == {track.case.patient_id}


def test_the_queue_puts_the_most_urgent_clock_first(on_call: World) -> None:
    w = on_call
    pain = open_track(w, emergency(w), neuro=False, hours_ago=30)  # MRI: 138 h left
    idle = open_track(w, emergency(w), hours_ago=10)  # MRI done, report awaited: no clock
    services.fast_track_update(by=w.coordinator, fast_track=idle, mri_done_at=NOW - 9 * H)
    overdue = open_track(w, emergency(w), hours_ago=30)  # MRI breached by 6 h
    treating = open_track(w, emergency(w), hours_ago=20)  # treatment: 20 h left
    services.fast_track_update(
        by=w.coordinator, fast_track=treating, mri_done_at=NOW - 5 * H, mri_reported_at=NOW - 4 * H
    )
    late = open_track(w, emergency(w), hours_ago=40)  # treatment breached by 2 h
    services.fast_track_update(
        by=w.coordinator, fast_track=late, mri_done_at=NOW - 30 * H, mri_reported_at=NOW - 26 * H
    )
    treated = open_track(w, emergency(w), hours_ago=40)
    services.fast_track_update(
        by=w.coordinator,
        fast_track=treated,
        mri_done_at=NOW - 30 * H,
        mri_reported_at=NOW - 26 * H,
        treatment_started_at=NOW - H,
    )
    open_track(w, emergency(w, board=w.other_board), hours_ago=50)  # another board's
    response = client_for(w.surgeon).get(f"{URL}queue/")
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == [overdue.pk, late.pk, treating.pk, pain.pk, idle.pk]
    assert treated.pk not in ids
    # The plain list has every fast track of the board, treated ones included.
    listed = {row["id"] for row in client_for(w.surgeon).get(URL).json()["results"]}
    assert listed == {pain.pk, idle.pk, overdue.pk, treating.pk, late.pk, treated.pk}


#: Every request: the session and its user (2), the user's boards (1), and at the end the
#: session's idle-time refresh (SAVEPOINT, UPDATE, RELEASE: 3).
REQUEST = 6
#: The queue: the open fast tracks with case, board, patient and who opened them (1, sorted
#: and paged in Python: no COUNT); the audit rows (1).
QUEUE_QUERIES = REQUEST + 2
#: The list: COUNT and the page (2), the audit rows (1).
LIST_QUERIES = REQUEST + 3
#: The detail: the fast track (1), its audit row (1).
DETAIL_QUERIES = REQUEST + 2


def queries(user: Any, url: str) -> int:
    client = client_for(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("tracks", [1, 5])
def test_the_queue_list_and_detail_run_a_fixed_number_of_queries(
    on_call: World, tracks: int
) -> None:
    made = [open_track(on_call, emergency(on_call), hours_ago=i + 1) for i in range(tracks)]
    assert queries(on_call.attending, f"{URL}queue/") == QUEUE_QUERIES
    assert queries(on_call.attending, URL) == LIST_QUERIES
    # Filtered by case: + the case named (the filter checks it is the user's).
    assert queries(on_call.attending, f"{URL}?case={made[0].case_id}") == LIST_QUERIES + 1
    assert queries(on_call.attending, f"{URL}{made[-1].pk}/") == DETAIL_QUERIES


def test_the_case_filter_is_validated(on_call: World) -> None:
    mine = open_track(on_call, emergency(on_call))
    theirs = open_track(on_call, emergency(on_call, board=on_call.other_board))
    client = client_for(on_call.coordinator)
    rows = client.get(f"{URL}?case={mine.case_id}").json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    for value in (theirs.case_id, 999999, "x"):
        response = client.get(f"{URL}?case={value}")
        assert response.status_code == 400, value
        assert "case" in response.json()["errors"]
