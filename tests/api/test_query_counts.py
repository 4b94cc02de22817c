"""Every read endpoint of /api/v1/ runs an exact number of queries, whatever the world holds.

Each endpoint is measured on a small world (one case with one of each child) and again on that
world grown (more rows in every list, more children of every object a detail shows: see
``tests.querycount.grow``); both counts must equal the endpoint's number in ``QUERIES``. A
failure prints the numbered SQL of the run that missed.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World, client_for, make_case
from tests.querycount import (
    add_records,
    api_read_routes,
    assert_exact,
    build,
    measure_small_and_grown,
    route_of,
)

# Every request as the surgeon (a specialist of the board; a member of a third board and a
# second specialty once the world grows), signed in with a session.
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
    "GET /api/v1/cases/{case}/scores/": 11,
    "GET /api/v1/cases/{case}/status-history/": 11,
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
    "GET /api/v1/calculators/": 5,
    "GET /api/v1/calculators/sins/": 5,
    "POST /api/v1/calculators/sins/": 5,
}

# What the POSTs send (a read all the same: an MRN look-up, a stateless calculation).
BODIES: dict[str, dict[str, str]] = {
    "POST /api/v1/patients/lookup/ (found)": {"mrn": "{mrn}"},
    "POST /api/v1/patients/lookup/ (none found)": {"mrn": "NO-SUCH-MRN"},
    "POST /api/v1/calculators/sins/": {"location": "junctional", "pain": "mechanical"},
}


@pytest.mark.parametrize("request_line", QUERIES)
def test_exact_query_count(world: World, request_line: str) -> None:
    client = client_for(world.surgeon)
    scene = build(world)
    small, grown = measure_small_and_grown(
        client, request_line.split(" (")[0], scene, BODIES.get(request_line)
    )
    assert_exact(request_line, QUERIES[request_line], small, grown)
    body: Any = grown.response.json()
    if isinstance(body, dict) and "count" in body:  # a paginated list: it really grew
        assert body["count"] > small.response.json()["count"], request_line


def test_the_table_covers_every_read_endpoint() -> None:
    """Walk the URL configuration: a new GET endpoint needs its line in ``QUERIES``."""
    assert api_read_routes() - {route_of(r.split(" (")[0]) for r in QUERIES} == set()


def test_fifty_rows_are_really_listed(world: World) -> None:
    """A full page (the page size is 50) lists every row with its own missing specialties."""
    cases = [make_case(world, status="in_workup") for _ in range(50)]
    add_records(world, cases[0])  # radiology submitted on one case only
    body = client_for(world.coordinator).get("/api/v1/cases/").json()
    assert body["count"] == 50
    assert len(body["results"]) == 50
    missing = {r["id"]: tuple(r["missing_specialties"]) for r in body["results"]}
    quorum = ("spine_surgery", "radiation_oncology", "medical_oncology", "radiology")
    assert missing.pop(cases[0].pk) == quorum[:3]
    assert set(missing.values()) == {quorum}
