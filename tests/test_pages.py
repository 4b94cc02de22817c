"""The server-rendered pages: login, the case list (home) and the case detail."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from cases import services
from cases.models import Specialty
from tests.conftest import PASSWORD, World, client_for, make_case, make_patient
from tests.querycount import assert_exact, build, measure_small_and_grown


def case_numbers(html: str) -> set[int]:
    """The case numbers the list links to."""
    return {int(n) for n in re.findall(r'href="/cases/(\d+)/"', html)}


def test_login_page_renders_a_password_form(db: Any) -> None:
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="password"' in html
    assert 'name="username"' in html
    assert "csrfmiddlewaretoken" in html


def test_the_case_list_shows_the_cases_of_the_users_board_only(world: World) -> None:
    mine = make_case(world, patient=make_patient(world, family_name="Lindqvist"))
    theirs = make_case(
        world, board=world.other_board, patient=make_patient(world, world.other_board)
    )
    client = Client()
    response = client.post("/accounts/login/", {"username": "surgeon", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200  # home
    html = client.get("/cases/").content.decode()
    assert case_numbers(html) == {mine.pk}
    assert "LINDQVIST" in html  # display_name: family name in capitals
    assert theirs.patient.family_name.upper() not in html
    assert "Other Board" not in html


def test_the_case_list_filters_by_status(world: World) -> None:
    referred = make_case(world)
    in_workup = make_case(world, status="in_workup")
    ready = make_case(world, status="ready")
    client = client_for(world.coordinator)
    html = client.get("/cases/").content.decode()
    assert case_numbers(html) == {referred.pk, in_workup.pk, ready.pk}
    html = client.get("/cases/?status=in_workup").content.decode()
    assert case_numbers(html) == {in_workup.pk}
    # An unknown status is ignored rather than hiding everything.
    html = client.get("/cases/?status=bogus").content.decode()
    assert case_numbers(html) == {referred.pk, in_workup.pk, ready.pk}


def test_the_case_list_of_a_user_without_boards_says_so(world: World) -> None:
    make_case(world)
    response = client_for(world.outsider).get("/cases/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "you belong to no board" in html
    assert case_numbers(html) == set()


def test_member_sees_the_case_page(world: World) -> None:
    patient = make_patient(world, mrn="PG-77", family_name="Okafor")
    case = make_case(world, patient=patient, clinical_question="Stabilise T11 first?")
    response = client_for(world.radiologist).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Case #{case.pk}" in html
    assert "OKAFOR" in html
    assert "PG-77" in html
    assert "Stabilise T11 first?" in html


def test_other_coordinator_cannot_open_the_case_page(world: World) -> None:
    case = make_case(world)
    assert client_for(world.other_coordinator).get(f"/cases/{case.pk}/").status_code == 404


def test_outsider_cannot_open_the_case_page(world: World) -> None:
    case = make_case(world)
    assert client_for(world.outsider).get(f"/cases/{case.pk}/").status_code == 404


def test_case_page_shows_each_quorum_specialty_still_awaited(world: World) -> None:
    case = make_case(world, status="in_workup")
    client = client_for(world.attending)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    names = {s.code: s.name for s in world.specialties.values()}
    quorum = [
        names[c]
        for c in (
            Specialty.SPINE_SURGERY,
            Specialty.RADIATION_ONCOLOGY,
            Specialty.MEDICAL_ONCOLOGY,
            Specialty.RADIOLOGY,
        )
    ]
    for name in quorum:
        assert f"awaiting {name}" in html
    assert html.count("awaiting ") == 4

    # A submitted radiology assessment is no longer awaited; a draft still is.
    radiology = services.assessment_create(
        by=world.radiologist,
        case=case,
        specialty=world.specialties[Specialty.RADIOLOGY],
        details={"imaging_findings": "lytic T11"},
        opinion="no compression",
    )
    services.assessment_change_status(
        by=world.radiologist, assessment=radiology, transition="submit"
    )
    services.assessment_create(
        by=world.surgeon,
        case=case,
        specialty=world.specialties[Specialty.SPINE_SURGERY],
        details={"stability": "stable"},
    )
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"awaiting {names[Specialty.RADIOLOGY]}" not in html
    assert f"awaiting {names[Specialty.SPINE_SURGERY]}" in html
    assert html.count("awaiting ") == 3


# --- Query counts ---------------------------------------------------------------------------

# Every page as the coordinator (of the board; of a third board too once the world grows),
# measured on a small world and on the grown one (``tests.querycount``: more cases, on two
# boards; the case shown with more lesions, clinical statuses, prior radiotherapy, assessments
# of several specialties and presentations, status changes). Both counts must be these.
#
# Each includes the session's 5 (session and user before the view; the session's save after
# it, an UPDATE in a savepoint pair), the board ids (one guardian lookup per request), the
# user's memberships with their boards and specialties (the frame's "who and which roles") and
# the unread notifications (the frame's badge).
# Case list, 17: + COUNT for the paginator; the page of cases (patient, board, current presentation,
#   author joined); expected specialties and submitted assessments (prefetched: the awaited
#   specialties); the audit INSERT; the boards of the header line (institution joined) with
#   three prefetches the line does not show (quorum and expected specialties, the user's
#   memberships).
# Case page, 20: + the case (joined); expected specialties and submitted assessments (the
#   awaited specialties); lesions; clinical statuses; prior radiotherapy (prefetched, not shown
#   by the template); the assessments the user may read (independent opinions), their
#   specialties, presentations and authors joined (1);
#   status changes and who made them (2); the audit INSERT; the current scores, lesions joined;
#   the boards where the user manages cases (the workflow's buttons: once, whatever the case).
PAGES: dict[str, int] = {
    "GET /cases/": 17,
    "GET /cases/?status=in_workup": 17,
    "GET /cases/{case}/": 20,
    "GET /search/": 8,  # the empty form (a search, POST: tests/test_search_pages.py)
    # Home and notifications are measured per role in tests/test_home_pages.py and
    # tests/test_notifications_pages.py (their worlds give every section a row).
}


@pytest.mark.parametrize("request_line", PAGES)
def test_page_runs_an_exact_number_of_queries(world: World, request_line: str) -> None:
    client = client_for(world.coordinator)
    small, grown = measure_small_and_grown(client, request_line, build(world))
    assert_exact(request_line, PAGES[request_line], small, grown)
    before, after = (run.response.content.decode() for run in (small, grown))
    if request_line.startswith("GET /cases/?") or request_line == "GET /cases/":
        assert len(case_numbers(after)) > len(case_numbers(before))  # really more rows
    elif request_line.startswith("GET /cases/"):
        assert after.count("<tr>") > before.count("<tr>")  # really more lesions and scores
