"""Every read endpoint of /api/v1/ runs an exact number of queries, whatever the world holds.

Each endpoint is measured on a small world (one case with one of each child) and again on that
world grown (more rows in every list, more children of every object a detail shows, rows of
two boards: see ``tests.querycount.grow``); both counts must equal the endpoint's number in
``QUERIES``. A failure prints the numbered SQL of the run that missed, so an N+1 shows as one
statement repeated per row or child. The table is checked against a walk of the URL
configuration: a new GET endpoint fails ``test_the_table_covers_every_read_endpoint`` until it
has its line.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from meetings import services as meeting_services
from tests.conftest import World, client_for, make_case
from tests.querycount import (
    api_read_routes,
    assert_exact,
    build,
    grow,
    measure,
    measure_small_and_grown,
    route_of,
)

# Every request as the surgeon (a specialist of the board; once the world grows, a member of a
# third board too and a specialist of a second specialty), signed in with a session.
#
# Every count includes 5 queries of the session: the session and the user before the view;
# the session's save after it (SESSION_SAVE_EVERY_REQUEST: an UPDATE, inside a savepoint pair
# because each test runs in a transaction). A read of patient data adds one INSERT of its audit
# rows (one for a whole page). For example:
#
# me, 7: + the user's board ids (one guardian lookup, cached for the request); the user's
#   memberships, board and specialty joined.
# cases list, 12: + board ids; COUNT for the paginator; the page (patient, board, current
#   presentation and author joined); the boards' expected specialties and the submitted
#   assessments (two prefetches: missing_specialties); the audit INSERT; the board ids where
#   the user may manage cases (allowed_transitions: once per permission, not per row; a page
#   that also shows a ready case asks once more, for sign_decision: the worlds keep every
#   case referred or in work-up so that the count is one number).
# case detail, 11: the cases list without the COUNT.
# case scores, 9: board ids; the case with its board and patient (case_headers_for_user); the
#   audit INSERT; the current scores, their lesions joined.
# assessment detail, 10: board ids; the assessment (case, patient, board, presentation,
#   specialty, author joined); the case's lesions and clinical statuses (two prefetches: its
#   owned inputs, per lesion); the audit INSERT.
# meetings list, 8: + board ids; COUNT; the page (board and chair joined). Not audited: no
#   patient data. Filtered by board, 9: + the board named (the filter checks it is the user's).
# meeting detail and its .ics, 7: board ids; the meeting (board and chair joined).
# meeting agenda, 9: board ids; the meeting; its items (meeting, board, presentation, case,
#   presenter and author joined); the audit INSERT (items name a patient's case). Not paginated.
# agenda items list, 9: board ids; COUNT; the page (joined as above); the audit INSERT.
#   Filtered by meeting, 10: + the meeting named. Detail, 8: the list without the COUNT.
# meeting agenda, 15: + each item's pathway and readiness (the cases' expected specialties,
#   submitted assessments, lesions, clinical statuses, current scores: prefetched once for all
#   items, ``meetings.readiness``). Readiness, 15: the same without the items' serializer.
# attendance, 13: board ids; the meeting; the rows recorded; who of them is a guest; the
#   board's quorum specialties (their ids, later their codes); its memberships, their users.
# packet, 9: the meeting; the latest ready packet and the latest attempt (neither's HTML or
#   PDF). The document itself (?format=html), 9: one column of the packet; the audit INSERT.
# decisions list, 10: board ids; COUNT; the page (board, case, patient, presentation, item,
#   meeting, authors, pathway, amended version joined); the actions (prefetched); the audit
#   INSERT. Letter and patient summary, 10: the decision (joined); its actions; the version
#   amending it; the audit INSERT.
# fast tracks, 9 (detail 8; queue 8: board ids, the open ones joined, the audit INSERT): the
#   clocks are computed, not queried.
# calculators, 5: the session only.
QUERIES: dict[str, int] = {
    "GET /api/v1/": 5,
    "GET /api/v1/me/": 7,
    "GET /api/v1/specialties/": 6,
    "GET /api/v1/boards/": 11,
    "GET /api/v1/boards/{board}/": 10,
    "GET /api/v1/patients/": 9,
    "GET /api/v1/patients/?board={board}": 10,
    "GET /api/v1/patients/{patient}/": 8,
    "POST /api/v1/patients/lookup/ (found)": 8,
    "POST /api/v1/patients/lookup/ (none found)": 8,
    "GET /api/v1/cases/": 12,
    "GET /api/v1/cases/?missing_specialty=spine_surgery&status=in_workup": 13,
    "GET /api/v1/cases/?ordering=-urgency,referred_on": 12,
    "GET /api/v1/cases/{case}/": 11,
    "GET /api/v1/cases/{case}/scores/": 9,
    "GET /api/v1/cases/{case}/status-history/": 9,
    "GET /api/v1/clinical-statuses/": 9,
    "GET /api/v1/clinical-statuses/?case={case}": 10,
    "GET /api/v1/clinical-statuses/{status}/": 8,
    "GET /api/v1/lesions/": 9,
    "GET /api/v1/lesions/{lesion}/": 8,
    "GET /api/v1/prior-radiotherapy/": 9,
    "GET /api/v1/prior-radiotherapy/{course}/": 8,
    "GET /api/v1/presentations/": 9,
    "GET /api/v1/presentations/?case={case}": 10,
    "GET /api/v1/presentations/{presentation}/": 8,
    "GET /api/v1/assessments/": 11,
    "GET /api/v1/assessments/?case={case}": 12,
    "GET /api/v1/assessments/?specialty=radiology&status=submitted": 12,
    "GET /api/v1/assessments/{assessment}/": 10,
    "GET /api/v1/scores/": 9,
    "GET /api/v1/scores/?current=false": 9,
    "GET /api/v1/scores/?calculator=sins&current=true": 9,
    "GET /api/v1/scores/{score}/": 8,
    "GET /api/v1/notifications/": 7,
    "GET /api/v1/notifications/unread-count/": 6,
    "GET /api/v1/meeting-series/": 8,
    "GET /api/v1/meeting-series/?board={board}": 9,
    "GET /api/v1/meeting-series/{series}/": 7,
    "GET /api/v1/meetings/": 8,
    "GET /api/v1/meetings/?board={board}&status=scheduled&from=2020-01-01": 9,
    "GET /api/v1/meetings/{meeting}/": 7,
    "GET /api/v1/meetings/{meeting}/ics/": 7,
    "GET /api/v1/meetings/{meeting}/agenda/": 15,
    "GET /api/v1/agenda-items/": 9,
    "GET /api/v1/agenda-items/?meeting={meeting}": 10,
    "GET /api/v1/agenda-items/{item}/": 8,
    "GET /api/v1/agenda-items/{item}/pathways/": 14,
    "GET /api/v1/meetings/{meeting}/readiness/": 15,
    "GET /api/v1/meetings/{meeting}/attendance/": 13,
    "GET /api/v1/meetings/{meeting}/packet/": 9,
    "GET /api/v1/meetings/{meeting}/packet/?format=html": 9,
    "GET /api/v1/standard-pathways/": 8,
    "GET /api/v1/standard-pathways/?board={board}&live=true": 9,
    "GET /api/v1/standard-pathways/{pathway}/": 7,
    "GET /api/v1/decisions/": 10,
    "GET /api/v1/decisions/?board={board}&status=signed": 11,
    "GET /api/v1/decisions/{decision}/": 9,
    "GET /api/v1/decisions/{decision}/letter/": 10,
    "GET /api/v1/decisions/{decision}/patient-summary/": 10,
    "GET /api/v1/fast-tracks/": 9,
    "GET /api/v1/fast-tracks/{fasttrack}/": 8,
    "GET /api/v1/fast-tracks/queue/": 8,
    "GET /api/v1/calculators/": 5,
    "GET /api/v1/calculators/sins/": 5,
    "POST /api/v1/calculators/sins/": 5,
}

# What the POSTs send (reads all the same: an MRN look-up, a stateless calculation). A note in
# parentheses after a request names the variant; it is not part of the request.
BODIES: dict[str, dict[str, str]] = {
    "POST /api/v1/patients/lookup/ (found)": {"mrn": "{mrn}"},
    "POST /api/v1/patients/lookup/ (none found)": {"mrn": "NO-SUCH-MRN"},
    "POST /api/v1/calculators/sins/": {"location": "junctional", "pain": "mechanical"},
}


def _request(entry: str) -> str:
    return entry.split(" (", 1)[0]


@pytest.mark.parametrize("entry", QUERIES)
def test_exact_query_count(world: World, entry: str) -> None:
    client = client_for(world.surgeon)
    small, grown = measure_small_and_grown(client, _request(entry), build(world), BODIES.get(entry))
    assert_exact(entry, QUERIES[entry], small, grown)
    if not small.response["Content-Type"].startswith("application/json"):
        return  # an iCalendar file
    before: Any = small.response.json()
    after: Any = grown.response.json()
    if isinstance(after, dict) and "count" in after:  # a paginated list: it really grew
        assert after["count"] > before["count"], entry


#: Read without a login (a calendar client), so measured on its own: ``test_calendar_feed``.
WITHOUT_LOGIN = {"calendar-ics": 3}


def test_the_table_covers_every_read_endpoint() -> None:
    """Walk the URL configuration: every GET endpoint of /api/v1/ has its line in the table."""
    covered = {route_of(_request(entry)) for entry in QUERIES} | set(WITHOUT_LOGIN)
    assert api_read_routes() - covered == set()


def test_calendar_feed(world: World) -> None:
    """The personal feed, 3: the live feed with its user; the user's board ids; the meetings
    (board and chair joined). No session: a calendar client sends no cookie."""
    scene = build(world)
    _, token = meeting_services.calendar_feed_rotate(user=world.surgeon)
    request = f"GET /api/v1/calendar/{token}.ics"
    small = measure(APIClient(), request, scene, None, "small")
    grow(scene)
    grown = measure(APIClient(), request, scene, None, "grown")
    assert_exact(request, WITHOUT_LOGIN["calendar-ics"], small, grown)
    assert grown.response.content.count(b"BEGIN:VEVENT") > small.response.content.count(
        b"BEGIN:VEVENT"
    )


def test_fifty_rows_are_really_listed(world: World) -> None:
    """A full page (50 rows, the page size) is listed at the table's count, each row with its
    own missing specialties."""
    scene = build(world)  # in work-up, radiology submitted; and a fast-tracked case, discussed
    for _ in range(48):
        make_case(world)  # referred: no presentation yet, so every expected specialty missing
    run = measure(client_for(world.surgeon), "GET /api/v1/cases/", scene, None, "fifty-row")
    assert_exact("GET /api/v1/cases/", QUERIES["GET /api/v1/cases/"], run)
    body = run.response.json()
    assert body["count"] == 50
    assert len(body["results"]) == 50
    quorum = ("spine_surgery", "radiation_oncology", "medical_oncology", "radiology")
    missing = {row["id"]: tuple(row["missing_specialties"]) for row in body["results"]}
    assert missing.pop(scene.case.pk) == quorum[:3]
    assert set(missing.values()) == {quorum}
