"""The outbox in the admin: listed for staff, never added, changed or deleted there."""

from __future__ import annotations

from notifications.models import Notification
from notifications.services import notify
from tests.conftest import client_for, make_user
from tests.notifications.conftest import People

CHANGELIST = "/admin/notifications/notification/"


def test_superuser_lists_the_outbox_read_only(people: People) -> None:
    notify(
        kind="assessment_request",
        dedupe_key="presentation:12",
        recipients=[people.owner],
        subject="Assessment requested: case #12",
        body="Please assess.",
    )
    row = Notification.objects.get()
    admin = make_user("admin", is_staff=True, is_superuser=True)
    client = client_for(admin)

    listing = client.get(CHANGELIST)
    assert listing.status_code == 200
    assert b"presentation:12" in listing.content

    assert client.get(f"{CHANGELIST}add/").status_code == 403
    detail = client.get(f"{CHANGELIST}{row.pk}/change/")
    assert detail.status_code == 200  # a view-only page
    assert b'name="_save"' not in detail.content
    assert client.post(f"{CHANGELIST}{row.pk}/delete/").status_code == 403
    assert Notification.objects.count() == 1


def test_a_user_without_staff_status_gets_the_login_page(people: People) -> None:
    response = client_for(people.owner).get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
