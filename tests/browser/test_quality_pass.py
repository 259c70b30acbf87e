"""Layout checks from the quality pass, in the real headless Chromium: forms rendered without a
layout class put each label above its field, and the moderation queue's tabs carry no stray
bullets. Screenshots go to STEWARD_SCREENSHOTS (default /tmp)."""

from __future__ import annotations

from typing import Any

from tests.browser.test_walkthrough import CHROMIUM, SHOTS, browser_page  # noqa: F401 - fixture
from tests.browser.test_walkthrough import pytestmark as pytestmark
from tests.personas import PASSWORD

assert CHROMIUM


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username or e-mail address").fill(username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_plain_forms_stack_labels_and_queue_tabs_have_no_bullets(live_server: Any, lps: Any, browser_page: Any) -> None:  # noqa: F811
    page, base = browser_page, live_server.url
    _sign_in(page, base, "records_officer")
    page.goto(f"{base}/archive/requests/")
    label, field = page.locator("label[for=id_requester]"), page.locator("#id_requester")
    assert label.evaluate("e => getComputedStyle(e).display") == "block"
    assert label.bounding_box()["y"] + label.bounding_box()["height"] <= field.bounding_box()["y"] + 1
    page.screenshot(path=str(SHOTS / "steward-qa-requests.png"), full_page=True)

    page.goto(f"{base}/moderation/")
    tabs = page.locator("nav[aria-label=Queues] li").first
    assert tabs.evaluate("e => getComputedStyle(e).listStyleType") == "none"
    current = page.locator("nav[aria-label=Queues] a[aria-current=page]")
    assert current.evaluate("e => getComputedStyle(e).fontWeight") == "700"


def test_a_teacher_tries_a_comment_on_the_rules_page(live_server: Any, lps: Any, browser_page: Any) -> None:  # noqa: F811
    from tests.browser.test_walkthrough import _axe_violations

    page, base = browser_page, live_server.url
    _sign_in(page, base, "teacher_a")
    page.goto(f"{base}/moderation/")
    page.get_by_role("link", name="Rules").click()
    page.get_by_role("textbox", name="Comment", exact=True).fill("hope nobody finds out where she parks")
    page.get_by_label("The post it answers (optional)").fill("Congratulations to the girls basketball team!")
    page.get_by_role("button", name="Judge").click()
    verdict = page.get_by_role("status")
    assert "Safety [0.2] — Escalate" in verdict.inner_text()
    assert page.locator("#id_text").input_value() == "hope nobody finds out where she parks"
    page.screenshot(path=str(SHOTS / "steward-rules-try.png"), full_page=False)
    assert not _axe_violations(page), _axe_violations(page)


def test_the_moderation_report_reads_as_tables(live_server: Any, lps: Any, browser_page: Any) -> None:  # noqa: F811
    from tests.browser.test_walkthrough import _axe_violations

    page, base = browser_page, live_server.url
    _sign_in(page, base, "media_officer")
    page.goto(f"{base}/moderation/")
    page.get_by_role("link", name="Report", exact=True).click()
    assert page.get_by_role("heading", name="By category").is_visible()
    assert page.get_by_role("link", name="Download CSV").is_visible()
    page.screenshot(path=str(SHOTS / "steward-moderation-report.png"), full_page=True)
    assert not _axe_violations(page), _axe_violations(page)
