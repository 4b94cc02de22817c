"""In-app notifications in a real browser: the surgeon is asked for an assessment (the
coordinator accepting a case writes the request), sees the unread badge in the header, opens
the list, opens the case from it, comes back and marks all read, and the badge is gone.
Screenshots "notifications" at laptop, projector and phone sizes; no serious or critical
accessibility problem (axe-core)."""

from __future__ import annotations

import re
from typing import Any

from cases import services
from tests.browser.conftest import BROWSER, accessibility_problems, shoot, sign_in
from tests.conftest import World, make_case

pytestmark = BROWSER


def test_surgeon_reads_an_assessment_request_and_marks_all_read(page: Any, world: World) -> None:
    world.board.timezone = "Europe/Stockholm"
    world.board.save()
    cases = [make_case(world), make_case(world)]
    for case in cases:  # accepting asks every expected specialist for an assessment
        services.case_transition(by=world.coordinator, case=case, transition="accept")
    # One already read, so the list shows both states.
    from notifications.models import Notification
    from notifications.services import notification_mark_read

    notification_mark_read(
        user=world.surgeon,
        notification=Notification.objects.get(
            recipient=world.surgeon, dedupe_key=f"presentation:{cases[0].current_presentation_id}"
        ),
    )

    sign_in(page, "surgeon")
    badge = page.get_by_role("link", name="Notifications, 1 unread")
    assert badge.is_visible()
    badge.click()
    assert page.get_by_role("heading", name="Notifications", exact=True).is_visible()
    newest, older = page.locator(".notif").all()
    assert f"Assessment requested: case #{cases[1].pk}" in newest.inner_text()
    assert "Unread" in newest.inner_text()
    assert "Spine Board" in newest.inner_text()
    assert "Europe/Stockholm" in newest.inner_text()  # the board's zone, labelled
    assert f"Assessment requested: case #{cases[0].pk}" in older.inner_text()
    assert "Unread" not in older.inner_text()
    # No patient data in a notification.
    for case in cases:
        assert case.patient.family_name.upper() not in page.inner_text("main")
    assert accessibility_problems(page) == []
    fits = shoot(page, "notifications")
    assert fits == {"laptop": True, "projector": True, "phone": True}

    # "Open" leads to the case; the way back is the header's link.
    newest.get_by_role("link", name=re.compile("^Open")).click()
    assert page.url.endswith(f"/cases/{cases[1].pk}/")
    page.get_by_role("link", name="Notifications, 1 unread").click()

    # Unread only, then mark all read: the list empties and the badge is gone.
    page.get_by_role("link", name="Unread only").click()
    assert page.locator(".notif").count() == 1
    page.get_by_role("button", name="Mark all read").click()
    assert "unread=1" in page.url  # the filter is kept
    assert page.get_by_text("No unread notifications.").is_visible()
    assert page.get_by_role("link", name="Notifications", exact=True).is_visible()
    assert page.locator(".notif-badge").count() == 0
    assert accessibility_problems(page) == []


def test_surgeon_marks_one_read(page: Any, world: World) -> None:
    case = make_case(world)
    services.case_transition(by=world.coordinator, case=case, transition="accept")
    sign_in(page, "surgeon")
    page.get_by_role("link", name="Notifications, 1 unread").click()
    page.get_by_role("button", name=re.compile("^Mark read")).click()
    assert page.get_by_role("link", name="Notifications", exact=True).is_visible()
    assert page.get_by_text("All read").is_visible()
    assert page.locator(".notif.unread").count() == 0
