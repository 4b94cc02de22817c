"""The notification pages: the list (own rows only, newest first, unread filter, each time in
its board's zone and labelled), the header's unread badge, mark one read and mark all read
(CSRF, POST only, another user's row a 404), anonymous users sent to the login, and an exact
number of queries whatever the number of notifications."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases.models import Board
from notifications import services
from notifications.models import Notification
from tests.conftest import World, make_case
from tests.querycount import Run, assert_exact

LIST = "/notifications/"


def notify(
    user: Any, n: int, *, board: Board | None = None, kind: str = "test_kind"
) -> Notification:
    """One notification for ``user`` (key ``n``), through the real service."""
    with transaction.atomic():
        services.notify(
            kind=kind,
            dedupe_key=f"thing:{n}",
            recipients=[user],
            subject=f"Subject {n}",
            body=f"First paragraph of {n}.\n\nSecond paragraph.",
            url=f"/cases/{n}/",
            board_id=board.pk if board else None,
        )
    return Notification.objects.get(recipient=user, dedupe_key=f"thing:{n}")


def client_for(user: Any) -> Client:
    """A browser-like client (form posts), signed in as ``user``."""
    client = Client()
    client.force_login(user)
    return client


def text(html: str) -> str:
    """The page's text, tags removed and white space collapsed (what a screen reader reads)."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def subjects(html: str) -> list[str]:
    return re.findall(r'<h2 class="notif-subject">([^<]*)</h2>', html)


def header_link(html: str) -> str:
    """The accessible name of the header's Notifications link (its label, else its text)."""
    match = re.search(r'<a class="notif-link"([^>]*)>(.*?)</a>', html, re.S)
    assert match, "no notifications link in the header"
    label = re.search(r'aria-label="([^"]*)"', match.group(1))
    return label.group(1) if label else text(match.group(2))


# --- Who may see what -----------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login(world: World) -> None:
    note = notify(world.surgeon, 1)
    client = Client()
    for response in (
        client.get(LIST),
        client.post(f"/notifications/{note.pk}/read/"),
        client.post("/notifications/read-all/"),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    note.refresh_from_db()
    assert note.read_at is None


def test_the_list_shows_only_the_users_own_notifications_newest_first(world: World) -> None:
    notify(world.surgeon, 1, board=world.board)
    notify(world.radiologist, 2, board=world.board)
    notify(world.surgeon, 3, board=world.board)
    notify(world.other_surgeon, 4, board=world.other_board)
    html = client_for(world.surgeon).get(LIST).content.decode()
    assert subjects(html) == ["Subject 3", "Subject 1"]
    assert "Subject 2" not in html and "Subject 4" not in html
    assert "First paragraph of 3." in html  # the body's first paragraph only
    assert "Second paragraph" not in html
    assert 'href="/cases/3/"' in html  # the "Open" link


def test_outsider_without_notifications_sees_an_empty_list(world: World) -> None:
    notify(world.surgeon, 1)
    html = client_for(world.outsider).get(LIST).content.decode()
    assert subjects(html) == []
    assert "No notifications yet." in html
    assert header_link(html) == "Notifications"


def test_the_header_shows_the_unread_count_and_no_badge_at_zero(world: World) -> None:
    first = notify(world.surgeon, 1)
    notify(world.surgeon, 2)
    notify(world.radiologist, 3)  # someone else's: not counted
    client = client_for(world.surgeon)
    for page in ("/", LIST):
        html = client.get(page).content.decode()
        assert header_link(html) == "Notifications, 2 unread"
        assert '<span class="notif-badge">2</span>' in html  # what sighted users see
    services.notification_mark_read(user=world.surgeon, notification=first)
    assert header_link(client.get("/").content.decode()) == "Notifications, 1 unread"
    services.notifications_mark_all_read(user=world.surgeon)
    html = client.get("/").content.decode()
    assert header_link(html) == "Notifications"
    assert "notif-badge" not in html


def test_unread_only_filter(world: World) -> None:
    read = notify(world.surgeon, 1)
    notify(world.surgeon, 2)
    services.notification_mark_read(user=world.surgeon, notification=read)
    client = client_for(world.surgeon)
    html = client.get(LIST).content.decode()
    assert subjects(html) == ["Subject 2", "Subject 1"]
    assert html.count('class="notif unread"') == 1
    assert subjects(client.get(f"{LIST}?unread=1").content.decode()) == ["Subject 2"]
    services.notifications_mark_all_read(user=world.surgeon)
    html = client.get(f"{LIST}?unread=1").content.decode()
    assert subjects(html) == []
    assert "No unread notifications." in html


def test_each_time_is_in_its_boards_zone_and_labelled(world: World, settings: Any) -> None:
    settings.TIME_ZONE = "UTC"
    world.board.timezone = "Asia/Tokyo"  # UTC+9 all year: no daylight saving to reason about
    world.board.save()
    on_board = notify(world.surgeon, 1, board=world.board)
    no_board = notify(world.surgeon, 2)
    elsewhere = notify(world.surgeon, 3, board=world.other_board)  # not the surgeon's board
    at = "2026-03-03 10:05:00+00:00"
    Notification.objects.filter(pk__in=[on_board.pk, no_board.pk, elsewhere.pk]).update(
        created_at=at
    )
    html = client_for(world.surgeon).get(LIST).content.decode()
    items = re.findall(r'<li class="notif[^"]*">(.*?)</li>', html, re.S)
    by_subject = {subjects(item)[0]: text(item) for item in items}
    assert "Tue 3 Mar 2026, 19:05 Asia/Tokyo" in by_subject["Subject 1"]
    assert "Spine Board" in by_subject["Subject 1"]
    assert "Tue 3 Mar 2026, 10:05 UTC" in by_subject["Subject 2"]
    # A board the user does not belong to is not named; its time is in the server's zone.
    assert "Other Board" not in html
    assert "Tue 3 Mar 2026, 10:05 UTC" in by_subject["Subject 3"]


def test_the_list_is_paginated_by_thirty(world: World) -> None:
    for n in range(31):
        notify(world.surgeon, n)
    client = client_for(world.surgeon)
    first = client.get(LIST).content.decode()
    assert len(subjects(first)) == 30
    assert "Page 1 of 2" in first
    assert subjects(client.get(f"{LIST}?page=2").content.decode()) == ["Subject 0"]


# --- Mark read ------------------------------------------------------------------------------


def test_mark_one_read_returns_to_the_list(world: World) -> None:
    note = notify(world.surgeon, 1)
    other = notify(world.surgeon, 2)
    client = client_for(world.surgeon)
    response = client.post(f"/notifications/{note.pk}/read/")
    assert response.status_code == 302
    assert response["Location"] == LIST
    note.refresh_from_db()
    other.refresh_from_db()
    assert note.read_at is not None
    assert other.read_at is None
    first_read = note.read_at
    # Again: idempotent, the first reading time is kept.
    assert client.post(f"/notifications/{note.pk}/read/").status_code == 302
    note.refresh_from_db()
    assert note.read_at == first_read


def test_marking_read_keeps_the_unread_filter_and_the_page(world: World) -> None:
    note = notify(world.surgeon, 1)
    client = client_for(world.surgeon)
    response = client.post(f"/notifications/{note.pk}/read/", {"unread": "1", "page": "2"})
    assert response["Location"] == f"{LIST}?unread=1"  # that list is shorter now: page 1
    response = client.post("/notifications/read-all/", {"page": "2"})
    assert response["Location"] == f"{LIST}?page=2"
    response = client.post("/notifications/read-all/", {"page": "//evil.example"})
    assert response["Location"] == LIST


def test_surgeon_cannot_mark_another_users_notification_read(world: World) -> None:
    theirs = notify(world.radiologist, 1)
    client = client_for(world.surgeon)
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    # Exactly like a notification that does not exist.
    missing = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    assert client.post(f"/notifications/{missing + 1}/read/").status_code == 404


def test_mark_all_read_marks_only_the_users_own(world: World) -> None:
    mine = [notify(world.surgeon, n) for n in (1, 2)]
    theirs = notify(world.radiologist, 3)
    response = client_for(world.surgeon).post("/notifications/read-all/")
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert all(n.read_at for n in Notification.objects.filter(pk__in=[m.pk for m in mine]))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_is_post_only_with_csrf(world: World) -> None:
    note = notify(world.surgeon, 1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.surgeon)
    html = client.get(LIST).content.decode()
    # Both forms post with a CSRF token, and the id is the only thing in the URL.
    assert f'action="/notifications/{note.pk}/read/"' in html
    assert 'action="/notifications/read-all/"' in html
    assert html.count('name="csrfmiddlewaretoken"') >= 3  # the two forms and sign-out
    assert client.get(f"/notifications/{note.pk}/read/").status_code == 405
    assert client.get("/notifications/read-all/").status_code == 405
    assert client.post(f"/notifications/{note.pk}/read/").status_code == 403  # no token
    assert client.post("/notifications/read-all/").status_code == 403
    note.refresh_from_db()
    assert note.read_at is None
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token
    response = client.post(
        f"/notifications/{note.pk}/read/", {"csrfmiddlewaretoken": token.group(1)}
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None


# --- Query counts ---------------------------------------------------------------------------

# The list, as the surgeon, with one notification and with 35 (a full page of 30 shown, on
# two boards, some without one, some read). The session's 5 (session and user before the
# view; the session's save after it, an UPDATE in a savepoint pair), then: COUNT for the
# paginator; the page of notifications; the board ids the user may see (one guardian lookup)
# and the boards of the page's rows, names and zones (1); the frame: unread count (memoised:
# the header's badge and the page's line share it) and the user's memberships (roles).
LIST_QUERIES = 11
# The header's badge on any page costs one query: the unread count. The home page (PAGES
# in tests/test_pages.py) as the surgeon, with one and with 35 notifications: the same.


def measure(client: Any, url: str, name: str) -> Run:
    # Once unmeasured first: guardian caches the permission's content type for the process
    # (``_get_ct_cached``), so the first request of a test run alone pays one more query.
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return Run(name, response, [query["sql"] for query in ctx.captured_queries])


def grow(world: World) -> None:
    third = Board.objects.create(institution=world.institution, name="Third Board")
    from cases import services as case_services
    from cases.models import Role, Specialty

    case_services.membership_grant(
        by=world.admin,
        board=third,
        user=world.surgeon,
        role=Role.SPECIALIST,
        specialty=world.specialties[Specialty.SPINE_SURGERY],
    )
    for n in range(2, 36):
        notify(world.surgeon, n, board=(world.board, third, None)[n % 3], kind=f"kind_{n % 4}")
    services.notification_mark_read(
        user=world.surgeon, notification=Notification.objects.get(dedupe_key="thing:5")
    )


@pytest.mark.parametrize("url", [LIST, f"{LIST}?unread=1", f"{LIST}?page=2"])
def test_the_list_runs_an_exact_number_of_queries(world: World, url: str) -> None:
    client = client_for(world.surgeon)
    notify(world.surgeon, 1, board=world.board)
    small = measure(client, url if "page" not in url else LIST, "small")
    grow(world)
    grown = measure(client, url, "grown")
    assert_exact(url, LIST_QUERIES, small, grown)
    assert len(subjects(grown.response.content.decode())) > len(
        subjects(small.response.content.decode())
    )


def test_the_badge_costs_one_query_on_every_page(world: World) -> None:
    make_case(world, status="in_workup")  # the home page's list is not empty in either run
    client = client_for(world.surgeon)
    notify(world.surgeon, 1, board=world.board)
    small = measure(client, "/", "small")
    grow(world)
    grown = measure(client, "/", "grown")
    # The same count for one notification and 35 …
    assert len(small.sql) == len(grown.sql), (len(small.sql), len(grown.sql))
    # … and exactly one of them reads the notifications: the unread COUNT.
    reads = [sql for sql in grown.sql if "notifications_notification" in sql]
    assert len(reads) == 1 and "COUNT(" in reads[0], reads
