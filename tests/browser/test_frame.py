"""The frame every page shares, in a real browser: signing in (product name, heading, the
authorised-use notice), who is signed in with their roles, a wrong password, another board's
case answered by a helpful 404, the screenshots at laptop, projector and phone sizes, and no
serious or critical accessibility problem (axe-core) on any of these pages."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import BROWSER, accessibility_problems, shoot, sign_in
from tests.conftest import World, make_case

pytestmark = BROWSER


def test_sign_in_page_names_the_product_and_the_authorised_use(page: Any, world: World) -> None:
    page.goto("/")
    assert "/accounts/login/" in page.url  # every page needs a login
    assert page.get_by_role("heading", name="Sign in").is_visible()
    assert page.get_by_role("link", name="Spine Tumor Board").is_visible()
    assert "Authorised use only" in page.inner_text("main")
    assert accessibility_problems(page) == []
    fits = shoot(page, "sign-in")
    assert fits == {"laptop": True, "projector": True, "phone": True}


def test_a_wrong_password_is_refused_in_words(page: Any, world: World) -> None:
    sign_in(page, "coordinator", "not-the-password")
    assert page.get_by_role("alert").is_visible()
    assert "did not match" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Username").input_value() == "coordinator"  # kept


def test_each_role_signs_in_and_sees_who_they_are(page: Any, world: World) -> None:
    world.coordinator.first_name, world.coordinator.last_name = "Carla", "Coordinator"
    world.coordinator.save()
    make_case(world, status="in_workup")
    sign_in(page, "coordinator")
    account = page.locator(".account").inner_text()
    assert "Carla Coordinator" in account
    assert "Coordinator · Spine Board" in account
    assert page.get_by_role("navigation", name="Main").is_visible()
    assert accessibility_problems(page) == []
    fits = shoot(page, "home-coordinator")
    assert fits["laptop"] and fits["projector"]
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "surgeon")
    assert "Specialist (Spine surgery) · Spine Board" in page.locator(".account").inner_text()


def test_another_boards_case_is_a_helpful_404(page: Any, world: World) -> None:
    elsewhere = make_case(world, board=world.other_board, status="in_workup")
    sign_in(page, "surgeon")
    response = page.goto(f"/cases/{elsewhere.pk}/")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", name="not one of your boards'").is_visible()
    assert elsewhere.patient.family_name not in page.content()
    assert page.get_by_role("link", name="Back to your cases").is_visible()
    assert accessibility_problems(page) == []
    fits = shoot(page, "not-found")
    assert fits == {"laptop": True, "projector": True, "phone": True}


def test_keyboard_users_can_skip_to_the_content(page: Any, world: World) -> None:
    sign_in(page, "attending")
    page.evaluate("document.activeElement.blur()")  # start where a keyboard user starts
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
