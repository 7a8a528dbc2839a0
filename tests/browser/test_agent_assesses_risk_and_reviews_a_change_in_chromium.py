"""Issue 5 in a browser: an agent answers a change's risk questionnaire on its risk card (htmx
swaps the card: the level and its reasons follow at once), writes and completes the
post-implementation review of a failed change, and reads the outcome report — with no CSP
violation or script error on the way (SECURITY-REFERENCE B5)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from serval.changes import actions
from serval.core.models import Tenant
from serval.people import actions as people
from tests.browser.chromium import (
    ARGS,
    ARTIFACTS,
    CHROMIUM,
    PASSWORD,
    sign_in,
    watched_page,
)


def _world():
    tenant = Tenant.objects.order_by("pk").first() or Tenant.objects.create(
        name="Browser test", slug="browser-test"
    )
    agent = people.create_user(
        actor=None, username="alice", tenant=tenant, role="agent", password=PASSWORD
    )
    team = people.create_team(actor=None, tenant=tenant, name="Service Desk", members=[agent])
    start = timezone.now() + timedelta(days=10)
    plan = {
        "change_type": "normal",
        "justification": "Security fixes.",
        "implementation_plan": "Patch and restart.",
        "backout_plan": "Restore the snapshot.",
        "planned_start": start,
        "planned_end": start + timedelta(hours=2),
        "assignment_group": team.pk,
    }
    draft = actions.create_change(actor=agent, title="Patch the payroll database", **plan)
    failed = actions.create_change(actor=agent, title="Upgrade the mail relay", **plan)
    for to in ("assess", "implement"):
        actions.transition_change(actor=agent, item=failed, to=to)
    actions.transition_change(
        actor=agent, item=failed, to="review", close_code="unsuccessful", close_notes="Rolled back."
    )
    return draft, failed


@pytest.mark.browser
def test_agent_answers_the_questionnaire_and_reviews_a_failed_change(live_server):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; set SERVAL_CHROMIUM.")
    from playwright.sync_api import expect, sync_playwright

    draft, failed = _world()
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = watched_page(browser, problems, width=1300)

            sign_in(page, live_server.url, "alice")
            expect(page.get_by_role("heading", name="My work")).to_be_visible()

            # Risk: the worst answer to every question; the card is swapped in place.
            page.goto(f"{live_server.url}/changes/risk/{draft.number}/")
            card = page.locator("#risk-panel")
            expect(card.locator("[data-risk-level]")).to_have_text("Low")
            for fieldset in card.locator("fieldset.risk-question").all():
                fieldset.locator("input[type=radio]").last.check()
            card.get_by_role("button", name="Save answers").click()
            expect(page.locator("#risk-panel [data-risk-level]")).to_have_text("Very high")
            expect(page.locator("#risk-panel")).to_contain_text("Questionnaire score 32")
            assert page.url.endswith(f"/changes/risk/{draft.number}/")  # no page load
            # Keyboard: a radio group is one tab stop and arrows move the choice.
            first = page.locator("#risk-panel fieldset.risk-question").first
            first.locator("input[type=radio]").first.focus()
            page.keyboard.press("ArrowDown")
            expect(first.locator("input[type=radio]").nth(1)).to_be_checked()
            page.screenshot(path=str(ARTIFACTS / "change-risk.png"), full_page=True)

            # Review: required (unsuccessful); a draft, then complete.
            page.goto(f"{live_server.url}/changes/review/{failed.number}/")
            card = page.locator("#review-panel")
            expect(card.locator("[data-review-required]")).to_be_visible()
            expect(card).to_contain_text("cannot be closed until the review is complete")
            card.get_by_label("Were the change's objectives met?").select_option("no")
            card.get_by_label("Lessons learned").fill("Test the relay under load first.")
            card.get_by_role("button", name="Save draft").click()
            expect(page.locator("#review-panel [data-review-status]")).to_have_text("Draft")
            card = page.locator("#review-panel")
            card.get_by_role("button", name="Complete review").click()
            expect(page.locator("#review-panel")).to_contain_text(
                "Say whether the backout plan was executed."
            )
            card = page.locator("#review-panel")
            card.get_by_label("Was the backout plan executed?").select_option("yes")
            card.get_by_role("button", name="Complete review").click()
            expect(page.locator("#review-panel [data-review-status]")).to_have_text("Complete")
            page.screenshot(path=str(ARTIFACTS / "change-review.png"), full_page=True)

            # The outcome report counts the failure.
            page.goto(f"{live_server.url}/changes/reports/outcomes/")
            expect(page.locator('[data-summary="failure_rate"]')).to_have_text("100.0 %")
            problems += page.evaluate("window.__cspViolations")
        finally:
            browser.close()
    assert problems == [], problems
