"""Patient search in a real browser: the coordinator types part of a name in the header, finds
the patient among the board's (never another board's namesake), opens the case; the query
never reaches the address bar; a too-short query is explained in place. Screenshots
"search" and "search-too-short"; no serious or critical axe finding; fits a phone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.browser.conftest import BROWSER, accessibility_problems, shoot, sign_in
from tests.conftest import World, make_case, make_patient

pytestmark = BROWSER


def test_coordinator_finds_a_patient_from_the_header_and_opens_the_case(
    page: Any, world: World
) -> None:
    lindqvist = make_patient(
        world,
        mrn="SU-20931",
        family_name="Lindqvist",
        given_name="Anna",
        date_of_birth=dt.date(1952, 3, 14),
    )
    case = make_case(world, patient=lindqvist, status="in_workup", urgency="urgent")
    older = make_case(world, patient=lindqvist, status="closed")
    make_case(
        world,
        patient=make_patient(world, family_name="Lindgren", given_name="Erik"),
        status="ready",
    )
    make_patient(world, family_name="Lindberg", given_name="Maja")  # registered, no case yet
    elsewhere = make_patient(
        world, world.other_board, mrn="OB-1", family_name="Lindqvist", given_name="Anna"
    )
    make_case(world, board=world.other_board, patient=elsewhere)

    sign_in(page, "coordinator")
    header = page.get_by_role("search", name="Patients")
    header.get_by_label("Search patients").fill("lind")
    header.get_by_role("button", name="Search").click()

    assert page.get_by_role("heading", name="Patient search").is_visible()
    assert page.url.endswith("/search/")  # the query is nowhere in the address
    assert "lind" not in page.url.lower()
    results = page.locator(".results-table")
    assert page.get_by_role("heading", name="3 patients of your boards").is_visible()
    text = results.inner_text()
    assert "LINDQVIST, Anna" in text and "SU-20931" in text and "1952-03-14" in text
    assert "OB-1" not in text  # the other board's namesake
    assert "No case on your boards yet" in text  # Lindberg
    assert page.get_by_role("link", name=f"Case #{older.pk}").is_visible()
    assert page.get_by_label("Name or MRN").input_value() == "lind"  # kept
    assert accessibility_problems(page) == []
    fits = shoot(page, "search")
    assert fits == {"laptop": True, "projector": True, "phone": True}

    page.get_by_role("link", name=f"Case #{case.pk}").click()
    assert page.url.endswith(f"/cases/{case.pk}/")
    assert page.get_by_role("heading", name=f"Case #{case.pk}").is_visible()


def test_a_too_short_query_is_explained_in_place(page: Any, world: World) -> None:
    make_case(world, patient=make_patient(world, family_name="Okafor"))
    sign_in(page, "surgeon")
    page.goto("/search/")
    field = page.get_by_label("Name or MRN")
    assert field.evaluate("element => element === document.activeElement")  # ready to type
    field.fill("O")
    page.get_by_role("main").get_by_role("button", name="Search").click()
    alert = page.get_by_role("alert")
    assert "at least 2 characters" in alert.inner_text()
    assert field.get_attribute("aria-invalid") == "true"
    assert "OKAFOR" not in page.inner_text("main")
    assert accessibility_problems(page) == []
    fits = shoot(page, "search-too-short")
    assert fits == {"laptop": True, "projector": True, "phone": True}
