"""The case page's workflow in a real browser: a coordinator accepts a referral, and a
decline without a reason is stopped by the form before it is sent."""

from __future__ import annotations

from typing import Any

from cases.models import Case
from tests.browser.conftest import BROWSER, accessibility_problems, shoot, sign_in
from tests.conftest import World, make_case

pytestmark = BROWSER


def test_a_coordinator_accepts_a_referral_and_must_give_a_reason_to_decline(
    page: Any, world: World
) -> None:
    case = make_case(world, urgency="urgent", clinical_question="New T11 lesion: stabilise?")
    sign_in(page, "coordinator")
    page.goto(f"/cases/{case.pk}/")
    assert page.get_by_role("heading", name="Workflow").is_visible()
    assert accessibility_problems(page) == []
    shoot(page, "case-workflow")
    page.get_by_role("button", name="Decline the referral").click()
    # The reason is required: the browser keeps the form and nothing is sent.
    assert page.url.endswith(f"/cases/{case.pk}/")
    assert Case.objects.get(pk=case.pk).status == "referred"
    page.get_by_role("button", name="Accept for the board").click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    assert Case.objects.get(pk=case.pk).status == "in_workup"
    assert "In work-up" in page.locator(".workflow h2").inner_text()
