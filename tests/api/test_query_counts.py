"""List and detail endpoints run a fixed number of queries whatever the number of rows.

Each endpoint is measured with 1 and with 50 rows: the counts must be equal, and below a
bound. The queries of a list, for the record: session, user (authentication); the user's
board ids (one guardian lookup, cached for the request); COUNT for the paginator; the page;
one query per prefetched relation; one bulk INSERT of the audit rows (inside a savepoint pair
on the test transaction).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import Case, Specialty
from tests.conftest import RADIOLOGY_LESION, World, client_for, make_case

BOUND = 14


def populate(world: World, n: int) -> list[Case]:
    cases = []
    for i in range(n):
        case = make_case(world, status="in_workup")
        services.clinical_status_record(
            by=world.coordinator, case=case, recorded_on=dt.date(2026, 11, 1), karnofsky=80
        )
        services.lesion_add(
            by=world.radiologist, case=case, level_from="T4", level_to="T5", **RADIOLOGY_LESION
        )
        services.prior_radiotherapy_add(
            by=world.coordinator,
            case=case,
            level_from="T4",
            level_to="T5",
            dose_gy="8",
            fractions=1,
            treated_on=dt.date(2025, 1, 1),
        )
        assessment = services.assessment_create(
            by=world.radiologist,
            case=case,
            specialty=world.specialties[Specialty.RADIOLOGY],
            details={"imaging_findings": f"finding {i}"},
            opinion="ok",
        )
        services.assessment_change_status(
            by=world.radiologist, assessment=assessment, transition="submit"
        )
        cases.append(case)
    return cases


def count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


ENDPOINTS: dict[str, Callable[[Case], str]] = {
    "cases list": lambda c: "/api/v1/cases/",
    "cases list filtered": (
        lambda c: "/api/v1/cases/?missing_specialty=spine_surgery&status=in_workup"
    ),
    "cases list by urgency": lambda c: "/api/v1/cases/?ordering=-urgency,referred_on",
    "case detail": lambda c: f"/api/v1/cases/{c.pk}/",
    # Filters that name an object check it among the user's boards: one query, whatever the rows.
    "patients list by board": lambda c: f"/api/v1/patients/?board={c.board_id}",
    "assessments list filtered": lambda c: (
        "/api/v1/assessments/?specialty=radiology&status=submitted"
    ),
    "scores list filtered": lambda c: "/api/v1/scores/?calculator=sins&current=true",
    "patients list": lambda c: "/api/v1/patients/",
    "patient detail": lambda c: f"/api/v1/patients/{c.patient_id}/",
    "clinical statuses list": lambda c: "/api/v1/clinical-statuses/",
    "clinical status detail": (
        lambda c: f"/api/v1/clinical-statuses/{c.clinical_statuses.get().pk}/"
    ),
    "lesions list": lambda c: "/api/v1/lesions/",
    "lesion detail": lambda c: f"/api/v1/lesions/{c.lesions.get().pk}/",
    "prior radiotherapy list": lambda c: "/api/v1/prior-radiotherapy/",
    "prior radiotherapy detail": (
        lambda c: f"/api/v1/prior-radiotherapy/{c.prior_radiotherapy.get().pk}/"
    ),
    "score detail": lambda c: f"/api/v1/scores/{c.score_records.filter(is_current=True)[0].pk}/",
    "assessments list": lambda c: "/api/v1/assessments/",
    "assessment detail": lambda c: f"/api/v1/assessments/{c.assessments.get().pk}/",
    "case scores": lambda c: f"/api/v1/cases/{c.pk}/scores/",
    "scores list": lambda c: "/api/v1/scores/",
    "scores history": lambda c: "/api/v1/scores/?current=false",
    "calculators": lambda c: "/api/v1/calculators/",
    "boards list": lambda c: "/api/v1/boards/",
    "board detail": lambda c: f"/api/v1/boards/{c.board_id}/",
    "specialties": lambda c: "/api/v1/specialties/",
    "me": lambda c: "/api/v1/me/",
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_query_count_is_independent_of_rows(
    world: World, endpoint: str, django_assert_max_num_queries: Any
) -> None:
    url = ENDPOINTS[endpoint]
    client = client_for(world.surgeon)
    first = populate(world, 1)[0]
    with_one = count(client, url(first))
    populate(world, 49)
    with_fifty = count(client, url(first))
    assert with_one == with_fifty, f"{endpoint}: {with_one} queries for 1 row, {with_fifty} for 50"
    with django_assert_max_num_queries(BOUND):
        client.get(url(first))


def test_fifty_rows_are_really_listed(world: World) -> None:
    populate(world, 50)
    body = client_for(world.coordinator).get("/api/v1/cases/").json()
    assert body["count"] == 50
    assert len(body["results"]) == 50
    # Radiology submitted everywhere: three quorum specialties still awaited on every case.
    assert {tuple(r["missing_specialties"]) for r in body["results"]} == {
        ("spine_surgery", "radiation_oncology", "medical_oncology")
    }
