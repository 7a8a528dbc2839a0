"""Issue 2 "Tests": a browser test in Chromium that logs in, creates an incident, assigns it,
comments, resolves it and sees each step in the timeline, saving a screenshot as an artifact.

SECURITY-REFERENCE B5: the run also asserts that the browser reported no CSP violation and no
JavaScript error on any page it visited.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from serval.core.models import Tenant
from serval.people import actions as people
from tests.browser.chromium import ARGS, ARTIFACTS, CHROMIUM, PASSWORD, sign_in, watched_page


def _people():
    tenant = Tenant.objects.order_by("pk").first() or Tenant.objects.create(
        name="Browser test", slug="browser-test"
    )
    agent = people.create_user(
        actor=None,
        username="alice",
        tenant=tenant,
        role="agent",
        password=PASSWORD,
        first_name="Alice",
        last_name="Novak",
    )
    caller = people.create_user(
        actor=None, username="rita", tenant=tenant, role="requester", password=PASSWORD
    )
    team = people.create_team(actor=None, tenant=tenant, name="Service Desk", members=[agent])
    return agent, caller, team


@pytest.mark.browser
def test_agent_creates_assigns_comments_and_resolves(live_server):
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. Install it (apt-get install chromium) or set "
            "SERVAL_CHROMIUM to the browser's path; .ci/run installs it in CI."
        )
    from playwright.sync_api import expect, sync_playwright

    _people()
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = watched_page(browser, problems)

            # Sign in.
            sign_in(page, live_server.url, "alice")
            expect(page.get_by_role("heading", name="My work")).to_be_visible()

            # Create, reached with the "c" shortcut; priority follows impact x urgency.
            page.keyboard.press("c")
            expect(page.get_by_role("heading", name="New incident")).to_be_visible()
            page.get_by_label("Title").fill("Payroll export fails")
            page.get_by_label("Description").fill("The **export** stops at 80 %.")
            page.get_by_label("Caller").fill("rita")
            page.get_by_label("Impact").select_option("2")
            page.get_by_label("Urgency").select_option("1")
            expect(page.locator("#priority-preview")).to_contain_text("P2 High")
            page.get_by_role("button", name="Create incident").click()
            expect(page.locator("h1.incident-title")).to_have_text("Payroll export fails")
            number = page.url.rstrip("/").rsplit("/", 1)[-1]
            timeline = page.locator("#timeline")
            expect(timeline).to_contain_text("created the incident")
            # Issue 3: the SLA card is on the page (its clocks depend on the seeded definitions).
            expect(page.locator("#sla")).to_be_visible()

            # Assign: the group reloads the assignee choices through htmx.
            side = page.locator("form.side-form")
            side.get_by_label("Assignment group").select_option(label="Service Desk")
            expect(side.get_by_label("Assignee").locator("option")).to_have_count(2)
            side.get_by_label("Assignee").select_option(label="Alice Novak")
            side.get_by_role("button", name="Save changes").click()
            expect(page.get_by_role("alert").first).to_contain_text("saved")
            expect(timeline).to_contain_text("Assignment group")
            expect(timeline).to_contain_text("Alice Novak")

            # Edit the title: its form is fetched as "Edit" is first clicked (the page holds an
            # empty form), then has the focus and the current title.
            text = page.locator("#text-edit")
            expect(text.locator('[name="title"]')).to_have_count(0)
            page.locator('[data-toggle-hidden="text-edit"]').click()
            expect(text.get_by_label("Title")).to_be_focused()
            expect(text.get_by_label("Title")).to_have_value("Payroll export fails")
            text.get_by_label("Title").fill("Payroll export fails at 80 %")
            text.get_by_role("button", name="Save").click()
            expect(page.locator("h1.incident-title")).to_have_text("Payroll export fails at 80 %")

            # Comment: "r" focuses the composer; htmx swaps in the new timeline.
            page.locator("body").click(position={"x": 5, "y": 300})
            page.keyboard.press("r")
            expect(page.locator('[data-shortcut-focus="reply"]')).to_be_focused()
            page.keyboard.type("Found the cause: a locked temp file.")
            page.get_by_role("button", name="Post").click()
            expect(timeline).to_contain_text("Found the cause: a locked temp file.")
            expect(page.locator('[data-shortcut-focus="reply"]')).to_have_value("")

            # Resolve through the transition dialog drawn from the state machine; its form is
            # fetched as it first opens (the page holds only its title), then has the focus.
            dialog = page.locator("#dlg-transition-resolved")
            expect(dialog.locator('[name="close_code"]')).to_have_count(0)
            page.locator('button[data-transition="resolved"]').click()
            expect(dialog).to_be_visible()
            expect(dialog.get_by_label("Resolution code")).to_be_focused()
            dialog.get_by_label("Resolution code").select_option("solved_permanently")
            dialog.get_by_label("Resolution notes").fill("Removed the stale lock file.")
            dialog.get_by_role("button", name="Resolve").click()
            expect(page.locator(".incident-header .state-badge")).to_contain_text("Resolved")
            expect(timeline).to_contain_text("moved it from New to Resolved")
            expect(timeline).to_contain_text("Removed the stale lock file.")

            # Every step is in the timeline, in order.
            verbs = timeline.locator("li.timeline-entry").evaluate_all(
                "els => els.map(e => e.dataset.verb)"
            )
            # SLA clock events (sla_started, sla_met, ...) interleave; the work steps keep order.
            work_verbs = [v for v in verbs if not v.startswith("sla_")]
            assert work_verbs == ["created", "updated", "updated", "comment", "transition"], verbs
            page.screenshot(path=str(ARTIFACTS / "incident-resolved.png"), full_page=True)

            # The list shows it under "any state"; the shortcuts dialog opens with "?".
            page.goto(f"{live_server.url}/incidents/?state=all")
            expect(page.locator("#results")).to_contain_text(number)
            page.keyboard.press("?")
            expect(page.locator("#shortcuts-dialog")).to_be_visible()
            problems += page.evaluate("window.__cspViolations")
        finally:
            browser.close()
    assert problems == [], problems
