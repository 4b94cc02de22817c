"""Meetings: series and occurrences (idempotent, DST-correct), cancel and move, cut-off,
iCalendar, the personal feed, permissions, If-Match and filters. Real services throughout;
the clock is moved with time-machine."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from meetings import services
from meetings.models import CalendarFeed, Meeting, MeetingSeries
from meetings.tasks import extend_series
from tests.conftest import World, client_for, make_case

BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)  # a Monday; DST starts 2027-03-28


@pytest.fixture
def board(world: World) -> Any:
    world.board.timezone = "Europe/Berlin"
    world.board.save()
    return world.board


def weekly(world: World, board: Any, **extra: Any) -> MeetingSeries:
    fields: dict[str, Any] = {
        "rrule": "FREQ=WEEKLY;BYDAY=TU",
        "start_time": dt.time(7, 30),
        "starts_on": dt.date(2027, 3, 1),
        "place": "Room 3",
        "video_link": "https://video.example.org/board",
        **extra,
    }
    by = world.coordinator if board == world.board else world.other_coordinator
    return services.meeting_series_create(by=by, board=board, **fields)


@time_machine.travel(NOW, tick=False)
def test_a_series_creates_the_next_eight_weeks_idempotently(world: World, board: Any) -> None:
    series = weekly(world, board)
    assert series.meetings.count() == 8
    assert services.series_extend(series=series) == 0
    assert extend_series() == 0
    assert series.meetings.count() == 8
    with time_machine.travel(NOW + dt.timedelta(weeks=2), tick=False):
        assert extend_series() == 2
    assert series.meetings.count() == 10


@time_machine.travel(NOW, tick=False)
def test_local_time_stays_0730_across_daylight_saving(world: World, board: Any) -> None:
    series = weekly(world, board)
    starts = [m.starts_at for m in series.meetings.order_by("starts_at")]
    assert {s.astimezone(BERLIN).time() for s in starts} == {dt.time(7, 30)}
    assert {s.astimezone(dt.UTC).hour for s in starts} == {6, 5}  # CET, then CEST


@time_machine.travel(NOW, tick=False)
def test_moved_and_cancelled_occurrences_are_never_recreated(world: World, board: Any) -> None:
    series = weekly(world, board)
    first, second = series.meetings.order_by("starts_at")[:2]
    moved = services.meeting_update(
        by=world.coordinator, meeting=first, starts_at=first.starts_at + dt.timedelta(hours=3)
    )
    assert (moved.pk, moved.sequence, moved.detached) == (first.pk, 1, True)
    services.meeting_cancel(by=world.coordinator, meeting=second, reason="Holiday")
    assert services.series_extend(series=series) == 0
    assert series.meetings.count() == 8
    services.meeting_series_update(by=world.coordinator, series=series, place="Room 9")
    moved.refresh_from_db()
    assert moved.place == "Room 3"  # detached: the series no longer changes it
    assert series.meetings.filter(detached=False).exclude(place="Room 9").count() == 0


@time_machine.travel(NOW, tick=False)
def test_submission_cutoff_follows_the_board(world: World, board: Any) -> None:
    meeting = weekly(world, board).meetings.earliest("starts_at")
    assert meeting.submission_cutoff_at == meeting.starts_at - dt.timedelta(hours=48)
    board.submission_cutoff_hours = 24
    board.save()
    body = client_for(world.surgeon).get(f"/api/v1/meetings/{meeting.pk}/").json()
    cutoff = dt.datetime.fromisoformat(body["submission_cutoff_at"])
    assert cutoff == meeting.starts_at - dt.timedelta(hours=24)
    assert body["starts_at"].endswith("+01:00")  # shown in the board's zone


def test_rrule_is_validated(world: World, board: Any) -> None:
    response = client_for(world.coordinator).post(
        "/api/v1/meeting-series/",
        {
            "board": board.pk,
            "rrule": "FREQ=SOMETIMES",
            "start_time": "07:30",
            "starts_on": "2027-03-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["rrule"]


@time_machine.travel(NOW, tick=False)
def test_ics_has_uid_sequence_method_timezone_and_no_patient_data(world: World, board: Any) -> None:
    case = make_case(world, status="in_workup")
    meeting = weekly(world, board).meetings.earliest("starts_at")
    client = client_for(world.surgeon)
    url = f"/api/v1/meetings/{meeting.pk}/ics/"
    first = client.get(url)
    assert first.status_code == 200
    assert first["Content-Type"].startswith("text/calendar")
    text = first.content.decode()
    for expected in (
        f"UID:meeting-{meeting.pk}@",
        "SEQUENCE:0",
        "METHOD:REQUEST",
        "BEGIN:VTIMEZONE",
        "TZID:Europe/Berlin",
        "DTSTART;TZID=Europe/Berlin:20270302T073000",
    ):
        assert expected in text, expected
    services.meeting_update(
        by=world.coordinator, meeting=meeting, starts_at=meeting.starts_at + dt.timedelta(hours=1)
    )
    assert "SEQUENCE:1" in client.get(url).content.decode()
    services.meeting_cancel(by=world.coordinator, meeting=meeting, reason="Holiday")
    cancelled = client.get(url).content.decode()
    assert "METHOD:CANCEL" in cancelled and "STATUS:CANCELLED" in cancelled
    _, token = services.calendar_feed_rotate(user=world.surgeon)
    feed = APIClient().get(f"/api/v1/calendar/{token}.ics").content.decode()
    assert "METHOD:PUBLISH" in feed and "STATUS:CANCELLED" in feed
    for ics in (text, cancelled, feed):
        for secret in (case.patient.family_name, case.patient.mrn, case.primary_tumor):
            assert secret not in ics


@time_machine.travel(NOW, tick=False)
def test_feed_token_is_hashed_revocable_and_scoped(world: World, board: Any) -> None:
    weekly(world, board)
    weekly(world, world.other_board)
    client = client_for(world.surgeon)
    response = client.post("/api/v1/calendar/feed/")
    assert response.status_code == 201
    url = response.json()["url"]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get(user=world.surgeon)
    assert feed.token_hash == services.hash_token(token) and token not in feed.token_hash
    path = f"/api/v1/calendar/{token}.ics"
    body = APIClient().get(path).content.decode()
    own = Meeting.objects.filter(board=board).values_list("pk", flat=True)
    other = Meeting.objects.filter(board=world.other_board).values_list("pk", flat=True)
    assert all(f"UID:meeting-{pk}@" in body for pk in own)
    assert not any(f"UID:meeting-{pk}@" in body for pk in other)
    assert APIClient().get("/api/v1/calendar/not-a-token.ics").status_code == 404
    assert client.post("/api/v1/calendar/feed/revoke/").status_code == 204
    assert APIClient().get(path).status_code == 404
    assert APIClient().post("/api/v1/calendar/feed/").status_code in (401, 403)


@time_machine.travel(NOW, tick=False)
def test_rotating_the_feed_revokes_the_previous_url(world: World, board: Any) -> None:
    _, old = services.calendar_feed_rotate(user=world.surgeon)
    _, new = services.calendar_feed_rotate(user=world.surgeon)
    assert APIClient().get(f"/api/v1/calendar/{old}.ics").status_code == 404
    assert APIClient().get(f"/api/v1/calendar/{new}.ics").status_code == 200


@time_machine.travel(NOW, tick=False)
def test_attending_cannot_create_or_cancel(world: World, board: Any) -> None:
    meeting = weekly(world, board).meetings.earliest("starts_at")
    with pytest.raises(PermissionDenied):
        services.meeting_cancel(by=world.attending, meeting=meeting, reason="x")
    client = client_for(world.attending)
    assert client.post(f"/api/v1/meetings/{meeting.pk}/cancel/", {"reason": "x"}).status_code == 403
    response = client.post(
        "/api/v1/meetings/", {"board": board.pk, "starts_at": "2027-04-01T08:00"}, format="json"
    )
    assert response.status_code == 403
    assert (
        client_for(world.other_coordinator).get(f"/api/v1/meetings/{meeting.pk}/").status_code
        == 404
    )


@time_machine.travel(NOW, tick=False)
def test_chair_must_be_an_attending_of_the_board(world: World, board: Any) -> None:
    meeting = weekly(world, board).meetings.earliest("starts_at")
    client = client_for(world.coordinator)
    url = f"/api/v1/meetings/{meeting.pk}/"
    bad = client.patch(url, {"chair": world.surgeon.pk}, format="json")
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["chair"]
    assert client.patch(url, {"chair": world.attending.pk}, format="json").status_code == 200


@time_machine.travel(NOW, tick=False)
def test_a_stale_if_match_is_a_412(world: World, board: Any) -> None:
    meeting = weekly(world, board).meetings.earliest("starts_at")
    client = client_for(world.coordinator)
    url = f"/api/v1/meetings/{meeting.pk}/"
    etag = client.get(url)["ETag"]
    assert client.patch(url, {"place": "A"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    stale = client.patch(url, {"place": "B"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["current_version"] == meeting.version + 1


@time_machine.travel(NOW, tick=False)
def test_naive_times_are_read_in_the_board_zone_and_filters_work(world: World, board: Any) -> None:
    client = client_for(world.coordinator)
    response = client.post(
        "/api/v1/meetings/", {"board": board.pk, "starts_at": "2027-07-01T07:30"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["starts_at"] == "2027-07-01T07:30:00+02:00"
    weekly(world, board)
    count = client.get("/api/v1/meetings/", {"from": "2027-07-01", "to": "2027-07-01"}).json()
    assert count["count"] == 1
    for field, value in (("status", "held"), ("from", "soon"), ("board", "999999")):
        bad = client.get("/api/v1/meetings/", {field: value})
        assert bad.status_code == 400 and list(bad.json()["errors"]) == [field]
