"""List filters and ordering: an unknown value is a 400 naming the filter, never an empty list
that reads like "nothing matches"; urgency sorts clinically.

The walk is generated from the URL configuration and each view's filterset, so a new list
endpoint or a new filter is covered without touching this file.
"""

from __future__ import annotations

import re
from typing import Any

import django_filters
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.filters import OrderingFilter as DrfOrderingFilter
from rest_framework.settings import api_settings

from cases import services
from cases.models import Specialty
from tests.conftest import World, client_for, make_case
from tumorboard.api import OrderingFilter

BOGUS = "no-such-value"
UNKNOWN_ID = "999999"


def _list_routes() -> dict[str, Any]:
    """Every list action of the API: url name -> view class."""
    found: dict[str, Any] = {}

    def walk(patterns: list[Any]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                actions = getattr(pattern.callback, "actions", None) or {}
                if actions.get("get") == "list":
                    found[pattern.name] = pattern.callback.cls

    walk(get_resolver().url_patterns)
    return found


LIST_ROUTES = _list_routes()


def _backends(view: Any) -> list[Any]:
    return list(getattr(view, "filter_backends", api_settings.DEFAULT_FILTER_BACKENDS))


def _filter_cases() -> list[Any]:
    cases = []
    for name, view in sorted(LIST_ROUTES.items()):
        filterset = getattr(view, "filterset_class", None)
        if filterset is None:
            continue
        for field, declared in filterset.base_filters.items():
            values = [BOGUS]
            if isinstance(declared, django_filters.ModelChoiceFilter):
                values.append(UNKNOWN_ID)  # an id or code that is not one of the user's
            cases += [pytest.param(name, field, v, id=f"{name}?{field}={v}") for v in values]
    return cases


def _ordering_routes() -> list[str]:
    return [
        name
        for name, view in sorted(LIST_ROUTES.items())
        if any(issubclass(b, DrfOrderingFilter) for b in _backends(view))
    ]


def test_the_walk_finds_every_list_endpoint() -> None:
    assert {
        "patient-list",
        "case-list",
        "clinicalstatus-list",
        "lesion-list",
        "priorradiotherapy-list",
        "presentation-list",
        "assessment-list",
        "score-list",
        "notification-list",
        "board-list",
        "specialty-list",
    } <= set(LIST_ROUTES)


@pytest.mark.parametrize("name", sorted(LIST_ROUTES))
def test_filters_of_a_list_are_applied(name: str) -> None:
    """A view that declares a filterset really runs it (otherwise its filters are inert)."""
    view = LIST_ROUTES[name]
    if getattr(view, "filterset_class", None) is not None:
        assert any(
            issubclass(b, django_filters.rest_framework.DjangoFilterBackend)
            for b in _backends(view)
        ), name
    # Every ordering backend is the strict one.
    for backend in _backends(view):
        if issubclass(backend, DrfOrderingFilter):
            assert issubclass(backend, OrderingFilter), name


@pytest.mark.parametrize(("name", "field", "value"), _filter_cases())
def test_an_unknown_filter_value_is_a_400_naming_the_filter(
    world: World, name: str, field: str, value: str
) -> None:
    make_case(world, status="in_workup")
    response = client_for(world.coordinator).get(reverse(name), {field: value})
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize("name", _ordering_routes())
def test_an_unknown_ordering_field_is_a_400_naming_ordering(world: World, name: str) -> None:
    client = client_for(world.coordinator)
    for ordering in (BOGUS, f"-{BOGUS}", f"id,{BOGUS}"):
        response = client.get(reverse(name), {"ordering": ordering})
        assert response.status_code == 400, (ordering, response.content)
        errors = response.json()["errors"]
        assert list(errors) == ["ordering"]
        assert BOGUS in errors["ordering"][0]
    # A field the view offers, either way, is fine; so is an empty parameter.
    known = (getattr(LIST_ROUTES[name], "ordering_fields", None) or ["id"])[0]
    for ordering in (known, f"-{known}", ""):
        assert client.get(reverse(name), {"ordering": ordering}).status_code == 200, ordering


def test_the_internal_urgency_annotation_is_not_a_public_ordering(world: World) -> None:
    response = client_for(world.coordinator).get("/api/v1/cases/", {"ordering": "urgency_level"})
    assert response.status_code == 400
    assert "urgency" in response.json()["errors"]["ordering"][0]


# --- Known values still filter ----------------------------------------------------------------


def test_filters_by_code_name_and_flag_still_filter(world: World) -> None:
    case = make_case(world, status="in_workup")
    services.lesion_add(by=world.coordinator, case=case, level_from="T4")
    services.assessment_create(
        by=world.radiologist,
        case=case,
        specialty=world.specialties[Specialty.RADIOLOGY],
        details={"imaging_findings": "x"},
    )
    client = client_for(world.coordinator)

    def count(url: str, **query: Any) -> int:
        response = client.get(url, query)
        assert response.status_code == 200, response.content
        return int(response.json()["count"])

    assert count("/api/v1/assessments/", specialty="radiology") == 1
    assert count("/api/v1/assessments/", specialty="spine_surgery") == 0
    assert count("/api/v1/assessments/", case=case.pk, presentation_round=1) == 1
    assert count("/api/v1/scores/", calculator="sins", current="true") == 1
    assert count("/api/v1/scores/", calculator="sins", current="false") == 0
    assert count("/api/v1/lesions/", case=case.pk) == 1
    assert count("/api/v1/cases/", patient=case.patient_id) == 1
    assert count("/api/v1/patients/", board=world.board.pk) == 1


# --- Urgency, clinically ------------------------------------------------------------------------


@pytest.fixture
def by_urgency(world: World) -> dict[str, int]:
    """Cases referred in this order (oldest first)."""
    made = {}
    for label, urgency in [
        ("routine_old", "routine"),
        ("emergency_old", "emergency"),
        ("urgent", "urgent"),
        ("routine_new", "routine"),
        ("emergency_new", "emergency"),
    ]:
        made[label] = make_case(world, urgency=urgency).pk
    return made


def order(world: World, query: dict[str, str]) -> list[int]:
    response = client_for(world.coordinator).get("/api/v1/cases/", query)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_cases_are_listed_most_urgent_first_then_newest(
    world: World, by_urgency: dict[str, int]
) -> None:
    expected = ["emergency_new", "emergency_old", "urgent", "routine_new", "routine_old"]
    assert order(world, {}) == [by_urgency[k] for k in expected]
    assert order(world, {"ordering": "-urgency"}) == [by_urgency[k] for k in expected]


def test_ascending_urgency_is_least_urgent_first(world: World, by_urgency: dict[str, int]) -> None:
    expected = ["routine_new", "routine_old", "urgent", "emergency_new", "emergency_old"]
    assert order(world, {"ordering": "urgency"}) == [by_urgency[k] for k in expected]


def test_other_orderings_still_work(world: World, by_urgency: dict[str, int]) -> None:
    oldest_first = list(by_urgency.values())
    assert order(world, {"ordering": "created_at"}) == oldest_first


def test_the_case_list_page_is_most_urgent_first(world: World, by_urgency: dict[str, int]) -> None:
    html = client_for(world.coordinator).get("/").content.decode()
    shown = [int(n) for n in re.findall(r'href="/cases/(\d+)/"', html)]
    expected = ["emergency_new", "emergency_old", "urgent", "routine_new", "routine_old"]
    assert shown == [by_urgency[k] for k in expected]
