"""Browser tests: Debian's headless Chromium driven by Playwright against a live server.

Playwright's sync API runs an event loop in the test's thread, so Django's async-safety check
is lifted while a module's browser is open (``DJANGO_ALLOW_ASYNC_UNSAFE``); they run in one
xdist group. The server sees the test's data only when it is committed, so every browser test
uses a transactional database. Screenshots go to ``docs/screenshots/`` (README, "Screens").
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CHROMIUM, PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
#: The sizes a board works at: a laptop, the meeting room's projector, a phone.
VIEWPORTS = {"laptop": (1440, 900), "projector": (1280, 720), "phone": (390, 844)}


#: Every browser test module's marks: ``pytestmark = BROWSER``.
BROWSER = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One browser per test module. Playwright's loop lives only as long, and so does the
    lifted async-safety check: the tests after it in the same worker run with it again
    (``check --deploy`` refuses the variable, rightly)."""
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(chromium: Any, live_server: Any) -> Iterator[Any]:
    width, height = VIEWPORTS["laptop"]
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": width, "height": height}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():  # the next page (or the refusal) has loaded
        page.get_by_role("button", name="Sign in").click()


def fits_the_width(page: Any) -> bool:
    """No sideways scrolling: the document is no wider than the viewport."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def shoot(page: Any, name: str) -> dict[str, bool]:
    """Screenshots of the page at each size (``docs/screenshots/<name>-<size>.png``); answers,
    per size, whether the page fits the width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    fits = {}
    for size, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{size}.png"))
        fits[size] = fits_the_width(page)
    width, height = VIEWPORTS["laptop"]
    page.set_viewport_size({"width": width, "height": height})
    return fits


def accessibility_problems(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now (axe-core ships in
    the axe-playwright-python package: no download at test time)."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
