"""The case page's workflow: the transitions the user may ask for, as buttons (a reason where
one is required), through the same service and rights as the API; refusals said in place."""

from __future__ import annotations

from typing import Any

from django.test import Client

from cases.models import Case, CaseStatusChange
from tests.conftest import World, make_case


def url(case: Case) -> str:
    return f"/cases/{case.pk}/transition/"


def form_client(user: Any) -> Client:
    """A browser-like client: the page's forms post form data (the API client sends JSON)."""
    client = Client()
    client.force_login(user)
    return client


def test_a_coordinator_accepts_a_referral_from_the_case_page(world: World) -> None:
    case = make_case(world)
    client = form_client(world.coordinator)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'name="transition" value="accept"' in html
    assert 'name="transition" value="decline"' in html
    response = client.post(url(case), {"transition": "accept", "version": case.version})
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.status == "in_workup"
    assert CaseStatusChange.objects.filter(
        case=case, transition="accept", changed_by=world.coordinator
    ).exists()


def test_a_missing_reason_is_said_in_place_and_nothing_changes(world: World) -> None:
    case = make_case(world)
    response = form_client(world.coordinator).post(
        url(case), {"transition": "decline", "reason": "  ", "version": case.version}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "reason" in html.lower()
    case.refresh_from_db()
    assert case.status == "referred"


def test_someone_elses_change_first_is_said_and_the_reason_kept(world: World) -> None:
    case = make_case(world)
    stale = case.version
    form_client(world.coordinator).post(url(case), {"transition": "accept", "version": stale})
    response = form_client(world.coordinator).post(
        url(case), {"transition": "withdraw", "reason": "Patient moved away", "version": stale}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Someone else changed this case" in html
    assert "Patient moved away" in html  # what the user typed is kept
    case.refresh_from_db()
    assert case.status == "in_workup"


def test_a_specialist_sees_no_workflow_and_a_forged_request_is_refused(world: World) -> None:
    case = make_case(world)
    client = form_client(world.surgeon)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'name="transition"' not in html
    response = client.post(url(case), {"transition": "accept", "version": case.version})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == "referred"


def test_nobody_marks_a_case_discussed_by_hand(world: World) -> None:
    case = make_case(world, status="ready")
    html = form_client(world.attending).get(f"/cases/{case.pk}/").content.decode()
    assert 'value="record_discussion"' not in html
    response = form_client(world.attending).post(
        url(case), {"transition": "record_discussion", "version": case.version}
    )
    assert response.status_code == 400
    assert "not made by hand" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "ready"


def test_another_boards_case_is_a_404_and_anonymous_users_sign_in(world: World) -> None:
    theirs = make_case(world, board=world.other_board)
    response = form_client(world.coordinator).post(url(theirs), {"transition": "accept"})
    assert response.status_code == 404
    response = Client().post(url(theirs), {"transition": "accept"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    theirs.refresh_from_db()
    assert theirs.status == "referred"


def test_only_post_and_csrf_protected(world: World, settings: Any) -> None:
    case = make_case(world)
    assert form_client(world.coordinator).get(url(case)).status_code == 405
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.coordinator)
    assert client.post(url(case), {"transition": "accept"}).status_code == 403
