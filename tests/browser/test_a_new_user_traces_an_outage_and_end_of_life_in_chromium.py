"""Issue 4 "done means", in Chromium: a new agent imports a small estate from CSV (a dry run,
then the real import, then its relationships), links the business service to its application
on the CI page, follows the service map by clicking, marks the database as failing, links it to
a new incident and sees the business service it hits; then reads on the end-of-life report the
server whose software leaves support within 90 days, with the service it puts at risk.

The service portfolio and the software catalogue (products and versions) are set up through
actions: services are a manager's, and the catalogue has no pages that write it yet. Which
version each server runs is recorded on the server's page.
No CSP violation and no JavaScript error on any page (SECURITY-REFERENCE B5). Screenshots go to
test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.chromium import ARGS, ARTIFACTS, CHROMIUM, PASSWORD, sign_in, watched_page
from tests.cmdb.conftest import _seeded  # noqa: F401  (autouse: the CI classes)

ESTATE = """class,name,hostname,environment,criticality
server,srv-db-01,srv-db-01,production,high
server,srv-app-01,srv-app-01,production,medium
db_instance,pg-payroll,,production,high
business_application,app-payroll,,production,high
"""
RELATIONSHIPS = """parent,type,child
app-payroll,depends_on,pg-payroll
pg-payroll,runs_on,srv-db-01
"""


def _data() -> None:
    from serval.core.models import Tenant
    from serval.people import actions as people
    from serval.services import actions as services

    tenant = Tenant.objects.order_by("pk").first() or Tenant.objects.create(
        name="Browser test", slug="browser-test"
    )
    people.create_user(
        actor=None,
        username="alice",
        tenant=tenant,
        role="agent",
        password=PASSWORD,
        first_name="Alice",
        last_name="Novak",
    )
    manager = people.create_user(
        actor=None, username="mona", tenant=tenant, role="manager", password=PASSWORD
    )
    people.create_user(actor=None, username="adam", tenant=tenant, role="admin", password=PASSWORD)
    people.create_user(
        actor=None, username="rita", tenant=tenant, role="requester", password=PASSWORD
    )
    services.create_service(actor=manager, name="Payroll", status="live", criticality="high")


def _catalogue() -> None:
    """The software catalogue (administrators keep it; it has no pages that write it yet):
    PostgreSQL 13 leaves support in 60 days, inside the 90-day horizon; Ubuntu 24.04 in 400."""
    from serval.assets import software
    from serval.people.models import User
    from tests.assets.conftest import days

    admin = User.objects.get(username="adam")
    pg = software.create_product(actor=admin, vendor="PGDG", name="PostgreSQL")
    software.create_version(actor=admin, product=pg, version="13", end_of_support=days(60))
    ubuntu = software.create_product(actor=admin, vendor="Canonical", name="Ubuntu")
    software.create_version(actor=admin, product=ubuntu, version="24.04", end_of_support=days(400))


@pytest.mark.browser
def test_a_new_agent_traces_an_outage_and_reads_end_of_life(live_server, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install it or set SERVAL_CHROMIUM.")
    from playwright.sync_api import expect, sync_playwright

    _data()
    _catalogue()
    estate = tmp_path / "estate.csv"
    estate.write_text(ESTATE, encoding="utf-8")
    relationships = tmp_path / "relationships.csv"
    relationships.write_text(RELATIONSHIPS, encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = watched_page(browser, problems)
            sign_in(page, live_server.url, "alice")
            expect(page.get_by_role("heading", name="My work")).to_be_visible()

            # 1. The CI list leads to the import; a dry run first, then the real import.
            page.locator('a[data-nav="cmdb"]').click()
            page.get_by_role("link", name="Import CIs").click()
            expect(page.get_by_role("heading", name="Import configuration items")).to_be_visible()
            page.get_by_label("File (UTF-8 CSV").set_input_files(str(estate))
            page.get_by_role("button", name="Check (dry run)").click()
            result = page.locator("#h-result")
            expect(result).to_have_text("Dry run: ready to import")
            expect(page.get_by_role("status")).to_contain_text("4 rows: 4 to create, 0 to update.")
            page.get_by_label("File (UTF-8 CSV").set_input_files(str(estate))
            page.get_by_role("button", name="Import", exact=True).click()
            expect(result).to_have_text("Imported")
            expect(page.get_by_role("status")).to_contain_text("4 rows: 4 to create")

            page.goto(f"{live_server.url}/cmdb/cis/")
            expect(page.locator("table")).to_contain_text("pg-payroll")
            page.get_by_role("link", name="Import relationships").click()
            page.get_by_label("File (UTF-8 CSV").set_input_files(str(relationships))
            page.get_by_role("button", name="Check (dry run)").click()
            expect(result).to_have_text("Dry run: ready to import")
            expect(page.get_by_role("status")).to_contain_text("2 rows: 2 to create")
            page.get_by_label("File (UTF-8 CSV").set_input_files(str(relationships))
            page.get_by_role("button", name="Import", exact=True).click()
            expect(result).to_have_text("Imported")

            # The business service is realized by the application: linked on the CI's page.
            page.goto(f"{live_server.url}/cmdb/cis/?q=app-payroll")
            page.locator("table").get_by_role("link", name="app-payroll").click()
            expect(page.get_by_role("heading", name="app-payroll", level=1)).to_be_visible()
            page.get_by_label("Link a service this CI realizes").select_option(label="Payroll")
            page.get_by_role("button", name="Link", exact=True).click()
            expect(page.get_by_role("alert").first).to_contain_text(
                "app-payroll now realizes Payroll."
            )
            services_card = page.locator("section", has=page.locator("#h-services"))
            expect(services_card.get_by_role("link", name="Payroll", exact=True)).to_be_visible()

            # 2. The database CI's page and its service map; a node click moves to that CI.
            page.goto(f"{live_server.url}/cmdb/cis/?q=pg-payroll")
            page.locator("table").get_by_role("link", name="pg-payroll").click()
            expect(page.get_by_role("heading", name="pg-payroll", level=1)).to_be_visible()
            service_map = page.locator("svg[aria-labelledby='map-title']")
            expect(service_map).to_be_visible()
            for name in ("Payroll", "app-payroll", "pg-payroll", "srv-db-01"):
                expect(service_map.locator(f'a[aria-label^="{name} ("]')).to_have_count(1)
            impact = page.locator("section", has=page.locator("#h-impact"))
            expect(impact).to_contain_text("Services hit")
            expect(impact.get_by_role("link", name="Payroll", exact=True)).to_be_visible()
            db_url = page.url
            page.screenshot(path=str(ARTIFACTS / "cmdb-service-map.png"), full_page=True)
            problems += page.evaluate("window.__cspViolations")

            service_map.locator('a[aria-label^="srv-db-01 ("]').click()
            expect(page.get_by_role("heading", name="srv-db-01", level=1)).to_be_visible()
            problems += page.evaluate("window.__cspViolations")
            page.locator("svg[aria-labelledby='map-title'] a[aria-label^='pg-payroll (']").click()
            expect(page.get_by_role("heading", name="pg-payroll", level=1)).to_be_visible()
            assert page.url == db_url

            # 3. The database fails: its operational status, set on its page.
            page.get_by_label("Operational status").select_option(label="Non-operational")
            page.get_by_role("button", name="Set status").click()
            expect(page.get_by_role("alert").first).to_contain_text(
                "pg-payroll is now Non-operational."
            )
            details = page.locator("section", has=page.locator("#h-fields"))
            expect(details.locator("dd").first).to_have_text("Non-operational")

            # An incident from the desk form; the failing CI linked on its page.
            page.keyboard.press("c")
            expect(page.get_by_role("heading", name="New incident")).to_be_visible()
            page.get_by_label("Title").fill("Payroll cannot reach its database")
            page.get_by_label("Description").fill("Payslips fail with a connection error.")
            page.get_by_label("Caller").fill("rita")
            page.get_by_label("Impact").select_option("2")
            page.get_by_label("Urgency").select_option("1")
            page.get_by_role("button", name="Create incident").click()
            expect(page.locator("h1.incident-title")).to_have_text(
                "Payroll cannot reach its database"
            )
            card = page.locator("#impact")
            expect(card.locator("[data-impacted-services]")).to_have_count(0)
            expect(card).to_contain_text("No service is known to be impacted.")
            # Suggestions arrive as the agent types (htmx); picking one names the CI exactly.
            field = card.get_by_label("Add an affected CI")
            field.press_sequentially("pg-pay")
            suggestion = card.locator("#impact-ci-options option")
            expect(suggestion).to_have_count(1)
            value = suggestion.first.get_attribute("value")
            assert value and value.startswith("pg-payroll #")
            field.fill(value)
            card.get_by_role("button", name="Link").first.click()
            expect(page.locator("[data-linked-cis]")).to_contain_text("pg-payroll")
            hit = page.locator("[data-impacted-services]")
            expect(hit).to_contain_text("Payroll")
            expect(hit.locator("[data-impact-path]")).to_have_text(
                "Payroll ← app-payroll ← pg-payroll"
            )
            expect(page.locator("#timeline")).to_contain_text("pg-payroll")
            page.screenshot(path=str(ARTIFACTS / "incident-impacted-services.png"), full_page=True)
            problems += page.evaluate("window.__cspViolations")

            # 4. The end-of-life report, through Assets, at the 90-day horizon.
            # Which version each server runs, recorded on the server's page.
            for server, version in (
                ("srv-db-01", "PGDG PostgreSQL 13"),
                ("srv-app-01", "Canonical Ubuntu 24.04"),
            ):
                page.goto(f"{live_server.url}/cmdb/cis/?q={server}")
                page.locator("table").get_by_role("link", name=server).click()
                expect(page.get_by_role("heading", name=server, level=1)).to_be_visible()
                page.get_by_label("Record a version this CI runs").select_option(label=version)
                page.get_by_role("button", name="Record").click()
                expect(page.get_by_role("alert").first).to_contain_text(f"{server} runs {version}.")
                software = page.locator("section", has=page.locator("#h-software"))
                expect(software).to_contain_text(version)
            problems += page.evaluate("window.__cspViolations")

            page.locator('a[data-nav="assets"]').click()
            page.get_by_role("link", name="End-of-life report").click()
            expect(page.get_by_role("heading", name="End-of-life report")).to_be_visible()
            page.get_by_label("Support or life ends within").select_option(label="90 days")
            page.get_by_role("button", name="Show").click()
            expect(page).to_have_url(f"{live_server.url}/assets/eol/?within=90")
            rows = page.locator("table tbody tr")
            expect(rows).to_have_count(1)
            row = rows.first
            expect(row).to_contain_text("PostgreSQL")
            expect(row).to_contain_text("in 60 days")
            expect(row.get_by_role("link", name="srv-db-01")).to_be_visible()
            expect(row.get_by_role("link", name="Payroll", exact=True)).to_be_visible()
            expect(page.locator("table")).not_to_contain_text("srv-app-01")
            page.screenshot(path=str(ARTIFACTS / "eol-report-90-days.png"), full_page=True)
            row.get_by_role("link", name="srv-db-01").click()
            expect(page.get_by_role("heading", name="srv-db-01", level=1)).to_be_visible()
            software = page.locator("section", has=page.locator("#h-software"))
            expect(software).to_contain_text("PGDG PostgreSQL 13")
            expect(software).to_contain_text("End of support due")
            problems += page.evaluate("window.__cspViolations")
        finally:
            browser.close()
    assert problems == [], problems
