"""Home by role in a real browser: what each user has to do now, at laptop, projector and
phone sizes, with no serious accessibility problem."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import BROWSER, accessibility_problems, shoot, sign_in
from tests.conftest import World, make_case
from tests.querycount import build

pytestmark = BROWSER


@pytest.mark.parametrize(
    ("username", "sections"),
    [
        (
            "coordinator",
            [
                "Next meetings",
                "Cord-compression fast track",
                "Referrals waiting to be accepted",
                "Letters not yet sent to the referrer",
            ],
        ),
        ("surgeon", ["Assessments your specialty owes"]),
        ("attending", ["Next meetings", "Cord-compression fast track", "Decisions waiting"]),
    ],
)
def test_home_shows_each_role_its_work(
    page: Any, world: World, username: str, sections: list[str]
) -> None:
    build(world)
    make_case(world, urgency="emergency", clinical_question="Progressive weakness: surgery?")
    sign_in(page, username)
    for heading in sections:
        assert page.get_by_role("heading", name=heading).is_visible(), heading
    assert accessibility_problems(page) == []
    fits = shoot(page, f"home-{username}")
    assert fits == {"laptop": True, "projector": True, "phone": True}
