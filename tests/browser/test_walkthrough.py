"""The walkthrough in a real headless Chromium (Debian's, driven by Playwright's Python package):
the communications office signs in, registers an account, records a posting grant on it, and sees
it on the dashboard. Screenshots go to /tmp/steward-*.png.

Playwright's sync API cannot run inside an asyncio loop, so this is a plain test function.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from steward.authorizations.models import Authorization
from steward.registry.models import Account
from tests.personas import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
SHOTS = Path(os.environ.get("STEWARD_SCREENSHOTS", "/tmp"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (./dev test installs Debian's chromium)"),
]


@pytest.fixture
def browser_page() -> Any:
    # Django refuses ORM calls from a thread with a running event loop; Playwright's sync API runs
    # one in this thread, and the test touches the ORM between steps.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        page = context.new_page()
        page.set_default_timeout(20_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def _axe_violations(page: Any) -> list[str]:
    """Serious and critical axe-core findings, when axe-playwright-python is installed."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        return []
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}x)"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def test_walkthrough(live_server: Any, lps: Any, browser_page: Any) -> None:
    page = browser_page
    base = live_server.url

    # Sign in as the communications office.
    page.goto(f"{base}/")
    assert "/accounts/login/" in page.url
    page.screenshot(path=str(SHOTS / "steward-1-signin.png"), full_page=True)
    assert page.locator("html").get_attribute("lang") == "en"
    assert not _axe_violations(page), _axe_violations(page)
    page.get_by_label("Username or e-mail address").fill("media_officer")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("heading", name="Dashboard", level=1).is_visible()

    # Register an account (the communications office records registration, 1.4).
    page.goto(f"{base}/accounts-registry/new/")
    page.select_option("#id_platform", "instagram")
    page.fill("#id_handle", "lhs_media_club")
    page.fill("#id_display_name", "LHS Media Club")
    page.select_option("#id_owning_unit", str(lps.school_a.pk))
    page.select_option("#id_kind", "school")
    page.fill("#id_purpose", "Student media club news and events.")
    page.select_option("#id_responsible_administrator", str(lps.principal_a.pk))
    if page.locator("#id_register").count():
        page.check("#id_register")
    page.screenshot(path=str(SHOTS / "steward-2-register.png"), full_page=True)
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    account = Account.objects.get(handle="lhs_media_club")
    assert account.status == Account.Status.REGISTERED, account.status
    assert f"/accounts-registry/{account.pk}/" in page.url

    # Record a posting grant on it: the principal's signed document, recorded by LPS Media (1.3).
    page.goto(f"{base}/authorizations/new/?account={account.pk}")
    page.select_option("#id_kind", "posting")
    if page.locator("select#id_grantor").count():
        page.select_option("#id_grantor", str(lps.principal_a.pk))
    page.select_option("#id_grantee", str(lps.teacher_a.pk))
    if page.locator("select#id_account").count():
        page.select_option("#id_account", str(account.pk))
    until = timezone.localtime() + dt.timedelta(days=20)
    page.fill("#id_valid_until", until.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_purpose", "Media club posts for the spring semester.")
    page.set_input_files("#id_evidence_document", files=[{
        "name": "signed-authorization.pdf", "mimeType": "application/pdf",
        "buffer": b"%PDF-1.4\n% Signed by Daniel Murphy, school leader\n%%EOF\n",
    }])
    page.screenshot(path=str(SHOTS / "steward-3-grant.png"), full_page=True)
    page.get_by_role("button", name="Record").click()
    page.wait_for_load_state()
    grant = Authorization.objects.get(account=account)
    assert grant.grantor == lps.principal_a and grant.grantee == lps.teacher_a
    assert grant.evidence_sha256
    assert f"/authorizations/{grant.pk}/" in page.url

    # See it on the dashboard: it expires within 30 days.
    page.goto(f"{base}/")
    expiring = page.locator("section", has=page.get_by_role("heading", name="Grants expiring within 30 days"))
    assert expiring.get_by_text("LHS Media Club").first.is_visible()
    assert page.get_by_role("heading", name="Accounts by status and platform").is_visible()
    page.screenshot(path=str(SHOTS / "steward-4-dashboard.png"), full_page=True)
    assert not _axe_violations(page), _axe_violations(page)
    # The link leads to the account page.
    expiring.get_by_role("link", name="LHS Media Club").first.click()
    page.wait_for_url(f"{base}/accounts-registry/{account.pk}/")

    # Keyboard users: the skip link is the first thing Tab reaches and it moves focus to main.
    page.goto(f"{base}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
