"""Two people editing one case at the same moment: nobody's work is lost, nobody sees a 500.

The race tests run real concurrent transactions on PostgreSQL (threads, each with its own
connection, released together by a barrier). The version tests (If-Match, 412) run anywhere.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection

from cases import services
from cases.models import Case, ScoreRecord, SpinalLesion
from tests.conftest import World, client_for, make_case
from tumorboard.api import exception_handler


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released at the same instant; return their results."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # reported to the test, not lost in the thread
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def post(user: Any, url: str, body: dict[str, Any]) -> Callable[[], Any]:
    client = client_for(user)
    return lambda: client.post(url, body, format="json")


def patch(user: Any, url: str, body: dict[str, Any]) -> Callable[[], Any]:
    client = client_for(user)
    return lambda: client.patch(url, body, format="json")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_specialists_add_lesions_at_the_same_moment(world: World) -> None:
    case = make_case(world, status="in_workup")
    for _ in range(3):  # a race is a race: repeat it
        results = at_once(
            post(world.surgeon, "/api/v1/lesions/", {"case": case.pk, "level_from": "T4"}),
            post(world.radiologist, "/api/v1/lesions/", {"case": case.pk, "level_from": "L2"}),
        )
        assert [r.status_code for r in results] == [201, 201], [r.content for r in results]
    assert SpinalLesion.objects.filter(case=case).count() == 6
    current = ScoreRecord.objects.filter(case=case, is_current=True)
    per_case = list(current.filter(lesion=None).values_list("calculator", flat=True))
    assert sorted(per_case) == sorted(set(per_case))  # one current row per score
    assert current.exclude(lesion=None).count() == 6 * 3  # SINS, ESCC, NOMS per lesion


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_edits_of_different_fields_both_survive(world: World) -> None:
    case = make_case(world, status="in_workup")
    lesion = services.lesion_add(by=world.coordinator, case=case, level_from="T7")
    url = f"/api/v1/lesions/{lesion.pk}/"
    results = at_once(
        patch(world.surgeon, url, {"sins_pain": "mechanical"}),
        patch(world.radiologist, url, {"sins_bone_lesion": "lytic"}),
        patch(world.coordinator, url, {"notes": "Biopsy planned"}),
    )
    assert [r.status_code for r in results] == [200, 200, 200], [r.content for r in results]
    lesion.refresh_from_db()
    assert (lesion.sins_pain, lesion.sins_bone_lesion, lesion.notes) == (
        "mechanical",
        "lytic",
        "Biopsy planned",
    )
    assert lesion.version == 4
    assert lesion.history.count() == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_edits_of_the_same_version_one_is_refused(world: World) -> None:
    case = make_case(world, status="in_workup")
    url = f"/api/v1/cases/{case.pk}/"
    version = case.version

    def edit(text: str) -> Callable[[], Any]:
        client = client_for(world.coordinator)
        return lambda: client.patch(
            url, {"comorbidities": text}, format="json", HTTP_IF_MATCH=f'"{version}"'
        )

    results = at_once(edit("COPD"), edit("Diabetes"))
    assert sorted(r.status_code for r in results) == [200, 412]
    winner = next(r for r in results if r.status_code == 200).json()["comorbidities"]
    case.refresh_from_db()
    assert case.comorbidities == winner
    refused = next(r for r in results if r.status_code == 412).json()
    assert refused["current_version"] == case.version == version + 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_mrn_registered_twice_at_once_is_never_a_500(world: World) -> None:
    body = {
        "registered_board": world.board.pk,
        "mrn": "RACE-1",
        "family_name": "Doe",
        "given_name": "Jane",
        "date_of_birth": "1950-01-01",
        "sex": "female",
    }
    results = at_once(
        post(world.coordinator, "/api/v1/patients/", body),
        post(world.coordinator, "/api/v1/patients/", body),
    )
    codes = sorted(r.status_code for r in results)
    assert codes[0] == 201
    assert codes[1] in (400, 409), [r.content for r in results]


# --- Versions: If-Match, ETag, 412 (any database) -------------------------------------------


def test_detail_and_write_responses_carry_the_version(world: World) -> None:
    case = make_case(world, status="in_workup")
    client = client_for(world.coordinator)
    read = client.get(f"/api/v1/cases/{case.pk}/")
    assert read["ETag"] == f'"{read.json()["version"]}"'
    written = client.patch(
        f"/api/v1/cases/{case.pk}/",
        {"comorbidities": "COPD"},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert written.status_code == 200
    assert written.json()["version"] == read.json()["version"] + 1
    assert written["ETag"] == f'"{written.json()["version"]}"'


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        ("lesions", {"notes": "x"}),
        ("clinical-statuses", {"notes": "x"}),
        ("prior-radiotherapy", {"notes": "x"}),
        ("cases", {"comorbidities": "x"}),
        ("patients", {"given_name": "Janet"}),
    ],
)
def test_a_stale_version_is_refused_with_the_current_one(
    world: World, endpoint: str, body: dict[str, Any]
) -> None:
    case = make_case(world, status="in_workup")
    objects = {
        "lesions": lambda: services.lesion_add(by=world.coordinator, case=case, level_from="T4"),
        "clinical-statuses": lambda: services.clinical_status_record(
            by=world.coordinator, case=case, recorded_on=case.referred_on
        ),
        "prior-radiotherapy": lambda: services.prior_radiotherapy_add(
            by=world.coordinator,
            case=case,
            level_from="T4",
            level_to="T4",
            dose_gy=8,
            fractions=1,
            treated_on=case.referred_on,
        ),
        "cases": lambda: case,
        "patients": lambda: case.patient,
    }
    obj = objects[endpoint]()
    url = f"/api/v1/{endpoint}/{obj.pk}/"
    client = client_for(world.coordinator)
    read = client.get(url)["ETag"]
    first = client.patch(url, body, format="json", HTTP_IF_MATCH=read)
    assert first.status_code == 200, first.content
    stale = client.patch(url, {**body}, format="json", HTTP_IF_MATCH=read)
    assert stale.status_code == 412
    assert stale["ETag"] == first["ETag"] != read
    assert stale.json()["current_version"] == first.json()["version"]
    assert "version" in stale.json()["errors"]
    # Clients that send no version keep working.
    assert client.patch(url, body, format="json").status_code == 200


def test_a_stale_transition_changes_nothing(world: World) -> None:
    case = make_case(world, status="in_workup")
    client = client_for(world.coordinator)
    client.patch(f"/api/v1/cases/{case.pk}/", {"comorbidities": "COPD"}, format="json")
    response = client.post(
        f"/api/v1/cases/{case.pk}/transition/",
        {"transition": "mark_ready"},
        format="json",
        HTTP_IF_MATCH=f'"{case.version}"',
    )
    assert response.status_code == 412
    assert Case.objects.get(pk=case.pk).status == "in_workup"


def test_a_malformed_if_match_is_a_400_naming_the_header(world: World) -> None:
    case = make_case(world)
    response = client_for(world.coordinator).patch(
        f"/api/v1/cases/{case.pk}/", {"comorbidities": "x"}, format="json", HTTP_IF_MATCH="abc"
    )
    assert response.status_code == 400
    assert "If-Match" in response.json()["errors"]


def test_put_is_not_offered(world: World) -> None:
    case = make_case(world)
    response = client_for(world.coordinator).put(
        f"/api/v1/cases/{case.pk}/", {"comorbidities": "x"}, format="json"
    )
    assert response.status_code == 405


def test_an_unforeseen_integrity_error_is_a_409() -> None:
    response = exception_handler(IntegrityError("duplicate key"), {})
    assert response is not None
    assert response.status_code == 409
    assert "non_field_errors" in response.data["errors"]
