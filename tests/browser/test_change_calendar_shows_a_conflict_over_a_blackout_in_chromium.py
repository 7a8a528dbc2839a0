"""Issue 5 "Schedule and conflicts" in Chromium: a change manager creates a blackout window in
the window form; the change calendar then shows a change planned inside it as a bar marked with
its conflict over the blackout drawn behind it, lists the conflict, moves by keyboard and shows
the list view; a screenshot is kept as an artifact. No CSP violation, no JavaScript error."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from serval.changes import actions as changes
from serval.cmdb.seed import ensure_seed
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


def _sign_in(page, url):
    from playwright.sync_api import expect

    sign_in(page, url, "mona")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()


@pytest.mark.browser
def test_the_calendar_marks_a_change_planned_in_a_blackout(live_server):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; set SERVAL_CHROMIUM.")
    from playwright.sync_api import expect, sync_playwright

    ensure_seed()
    tenant = Tenant.objects.order_by("pk").first() or Tenant.objects.create(
        name="Browser test", slug="browser-test"
    )
    people.create_user(
        actor=None,
        username="mona",
        tenant=tenant,
        role="manager",
        password=PASSWORD,
        first_name="Mona",
        last_name="Lind",
    )
    agent = people.create_user(
        actor=None, username="alice", tenant=tenant, role="agent", password=PASSWORD
    )
    day = (timezone.now() + timedelta(days=40)).replace(hour=22, minute=0, second=0, microsecond=0)
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = watched_page(browser, problems)
            _sign_in(page, live_server.url)

            # The window form: a global blackout around the change, in UTC.
            page.goto(f"{live_server.url}/changes/windows/new")
            page.get_by_label("Name").fill("Year-end freeze")
            page.get_by_label("Kind").select_option("blackout")
            page.get_by_label("Time zone").select_option("UTC")
            page.get_by_label("Starts").fill((day - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
            page.get_by_label("Ends", exact=True).fill(
                (day + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
            )
            page.get_by_label("Applies everywhere").check()
            page.get_by_role("button", name="Create window").click()
            expect(page.get_by_role("alert").first).to_contain_text("was created")
            problems += page.evaluate("window.__cspViolations")
        finally:
            browser.close()

    # Planned inside the blackout: detection on creation stores the conflict. (Database work
    # stays outside Playwright's sync API, which runs an event loop.)
    change = changes.create_change(
        actor=agent,
        title="Upgrade the payroll database",
        change_type="normal",
        implementation_plan="Upgrade.",
        backout_plan="Restore.",
        planned_start=day,
        planned_end=day + timedelta(hours=2),
    )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = watched_page(browser, problems)
            _sign_in(page, live_server.url)
            page.goto(f"{live_server.url}/changes/calendar/?view=month&date={day:%Y-%m-%d}")
            bar = page.locator(f'.cal-bar[data-change="{change.number}"]').first
            expect(bar).to_be_visible()
            expect(bar).to_have_class(re.compile(r"has-conflict"))
            expect(bar).to_contain_text("Conflict")
            expect(page.locator(".cal-window-blackout").first).to_contain_text("Year-end freeze")
            expect(page.locator("[data-calendar-conflicts]")).to_contain_text(change.number)
            expect(page.locator("[data-calendar-conflicts]")).to_contain_text(
                "The change falls in the blackout window “Year-end freeze”"
            )
            page.screenshot(path=str(ARTIFACTS / "change-calendar-conflict.png"), full_page=True)

            # Keys: the week view, the next week, back, then the list view.
            page.locator("#cal-title").click()
            page.keyboard.press("w")
            expect(page).to_have_url(re.compile(r"view=week"))
            expect(page.locator(f'.cal-bar[data-change="{change.number}"]').first).to_be_visible()
            page.keyboard.press("n")
            following = (day + timedelta(days=7)).strftime("%Y-%m-%d")
            expect(page).to_have_url(re.compile(f"date={following}"))
            expect(page.locator(f'.cal-bar[data-change="{change.number}"]')).to_have_count(0)
            page.keyboard.press("p")
            expect(page).to_have_url(re.compile(f"date={day:%Y-%m-%d}"))
            expect(page.locator(f'.cal-bar[data-change="{change.number}"]').first).to_be_visible()
            page.keyboard.press("l")
            expect(page).to_have_url(re.compile(r"view=list"))
            expect(page.locator("table")).to_contain_text(change.number)
            problems += page.evaluate("window.__cspViolations")
        finally:
            browser.close()
    assert problems == [], problems
