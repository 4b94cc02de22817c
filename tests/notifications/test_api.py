"""/api/v1/notifications/: the user's own rows only; read, unread count, mark read."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification
from notifications.services import notify
from tests.conftest import client_for
from tests.notifications.conftest import People

LIST = "/api/v1/notifications/"
UNREAD_COUNT = "/api/v1/notifications/unread-count/"
READ_ALL = "/api/v1/notifications/read-all/"


def read_url(pk: int) -> str:
    return f"/api/v1/notifications/{pk}/read/"


def make(user: Any, key: str, board_id: int | None = 1) -> Notification:
    notify(
        kind="assessment_request",
        dedupe_key=key,
        recipients=[user],
        subject=f"Assessment requested: {key}",
        body="Please assess.",
        url="/cases/12/",
        board_id=board_id,
    )
    return Notification.objects.get(dedupe_key=key, recipient=user)


@pytest.fixture
def rows(people: People) -> dict[str, Notification]:
    """The owner's three (one already read, one on board 2), and one of the colleague's."""
    first = make(people.owner, "case:1")
    second = make(people.owner, "case:2", board_id=2)
    third = make(people.owner, "case:3")
    Notification.objects.filter(pk=first.pk).update(read_at="2026-11-01T10:00:00Z")
    theirs = make(people.colleague, "case:9")
    return {"first": first, "second": second, "third": third, "theirs": theirs}


def ids(response: Any) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_owner_lists_own_notifications_newest_first(
    people: People, rows: dict[str, Notification]
) -> None:
    response = client_for(people.owner).get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert ids(response) == [rows["third"].pk, rows["second"].pk, rows["first"].pk]
    third = rows["third"]
    assert body["results"][0] == {
        "id": third.pk,
        "kind": "assessment_request",
        "subject": "Assessment requested: case:3",
        "body": "Please assess.",
        "url": "/cases/12/",
        "board_id": 1,
        "created_at": third.created_at.isoformat().replace("+00:00", "Z"),
        "read_at": None,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?unread=true", ["third", "second"]),
        ("?unread=false", ["first"]),
        ("?board=2", ["second"]),
        ("?board=1&unread=true", ["third"]),
    ],
)
def test_filters(
    people: People, rows: dict[str, Notification], query: str, expected: list[str]
) -> None:
    response = client_for(people.owner).get(LIST + query)
    assert response.status_code == 200
    assert ids(response) == [rows[name].pk for name in expected]


@pytest.mark.parametrize(
    ("query", "field"),
    [("?unread=maybe", "unread"), ("?unread=1", "unread"), ("?board=two", "board")],
)
def test_an_unknown_filter_value_is_a_400_naming_the_field(
    people: People, rows: dict[str, Notification], query: str, field: str
) -> None:
    response = client_for(people.owner).get(LIST + query)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_stranger_lists_nothing(people: People, rows: dict[str, Notification]) -> None:
    response = client_for(people.stranger).get(LIST)
    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert client_for(people.stranger).get(UNREAD_COUNT).json() == {"unread": 0}


def test_unread_count(people: People, rows: dict[str, Notification]) -> None:
    response = client_for(people.owner).get(UNREAD_COUNT)
    assert response.status_code == 200
    assert response.json() == {"unread": 2}
    assert client_for(people.colleague).get(UNREAD_COUNT).json() == {"unread": 1}


def test_owner_marks_one_read_idempotently(people: People, rows: dict[str, Notification]) -> None:
    client = client_for(people.owner)
    response = client.post(read_url(rows["third"].pk))
    assert response.status_code == 200
    read_at = response.json()["read_at"]
    assert read_at is not None
    assert response.json()["id"] == rows["third"].pk

    again = client.post(read_url(rows["third"].pk))
    assert again.status_code == 200
    assert again.json()["read_at"] == read_at  # the first reading time is kept
    assert client.get(UNREAD_COUNT).json() == {"unread": 1}


def test_colleague_cannot_mark_the_owners_notification_read(
    people: People, rows: dict[str, Notification]
) -> None:
    client = client_for(people.colleague)
    response = client.post(read_url(rows["third"].pk))
    missing = client.post(read_url(999_999))
    # Exactly like a row that does not exist.
    assert (response.status_code, missing.status_code) == (404, 404)
    assert response.json() == missing.json()
    assert Notification.objects.get(pk=rows["third"].pk).read_at is None


def test_owner_marks_all_read(people: People, rows: dict[str, Notification]) -> None:
    client = client_for(people.owner)
    response = client.post(READ_ALL)
    assert response.status_code == 200
    assert response.json() == {"marked": 2}
    assert client.post(READ_ALL).json() == {"marked": 0}
    assert client.get(UNREAD_COUNT).json() == {"unread": 0}
    # The colleague's row is untouched.
    assert Notification.objects.get(pk=rows["theirs"].pk).read_at is None


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", LIST), ("get", UNREAD_COUNT), ("post", READ_ALL), ("post", "read")],
)
def test_anonymous_cannot_use_notifications(
    people: People, rows: dict[str, Notification], method: str, path: str
) -> None:
    if path == "read":
        path = read_url(rows["third"].pk)
    response = getattr(client_for(None), method)(path)
    # 401, not 403: token authentication comes first and names its scheme.
    assert response.status_code == 401
    assert Notification.objects.filter(read_at__isnull=False).count() == 1


def _make_many(user: Any, n: int) -> None:
    for i in range(n):
        make(user, f"case:{i}")


# The list's queries, for the record: the session; the user (authentication); COUNT for the
# paginator; the page; the session saved again (SESSION_SAVE_EVERY_REQUEST), inside a
# savepoint pair on the test transaction.
LIST_QUERIES = 7


@pytest.mark.parametrize("n", [1, 50])
def test_the_list_runs_a_fixed_number_of_queries(
    people: People, django_assert_num_queries: Any, n: int
) -> None:
    _make_many(people.owner, n)
    client = client_for(people.owner)
    with CaptureQueriesContext(connection) as seen:
        try:
            with django_assert_num_queries(LIST_QUERIES):
                response = client.get(LIST)
        except pytest.fail.Exception as failure:  # show the SQL even without -v
            sql = "\n\n".join(query["sql"] for query in seen.captured_queries)
            pytest.fail(f"{failure}\n\nQueries:\n{sql}")
    assert response.status_code == 200
    assert len(response.json()["results"]) == n
