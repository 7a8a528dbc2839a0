"""Realistic demo data for a fresh install, written through the same actions people use.

A managed-service-provider shape: the root tenant "Default" runs the service desk and shares its
teams down to the sub-tenant "Acme Retail". Incidents cover every state and priority, with
comments, work notes, a parent with children and major-incident proposals (DOMAIN.md §2.1).
A small estate — services, CIs, assets and software — comes from `demo_estate`.
Tenants and tenant grants have no actions yet, so those two are created directly.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import transaction

from serval.assets.models import Asset
from serval.cmdb.models import CI
from serval.core.management.demo_changes import Changes
from serval.core.management.demo_estate import Estate
from serval.core.models import Tenant
from serval.incidents import actions as inc
from serval.incidents import states as S
from serval.people import actions as people
from serval.people.models import Organization, Role, Team, TenantGrant, User
from serval.services.models import Service
from serval.work.models import WorkItem

ADMIN_USERNAME = "admin"


@dataclass
class DemoResult:
    admin_password: str
    people_password: str
    counts: dict[str, int] = field(default_factory=dict)
    usernames: list[str] = field(default_factory=list)


def database_is_empty() -> bool:
    """No people and no work yet: what a first `make run` sees after migrating."""
    return not User.objects.exists() and not WorkItem.objects.exists()


# (username, first, last, role, tenant key, organization key)
PEOPLE = [
    ("jordan", "Jordan", "Reyes", Role.AGENT, "root", None),
    ("priya", "Priya", "Natarajan", Role.AGENT, "root", None),
    ("lukas", "Lukas", "Berg", Role.AGENT, "root", None),
    ("mei", "Mei", "Tanaka", Role.MANAGER, "root", None),
    ("sofia", "Sofia", "Marín", Role.REQUESTER, "root", "finance"),
    ("daniel", "Daniel", "Okafor", Role.REQUESTER, "root", "sales"),
    ("hannah", "Hannah", "Schulz", Role.REQUESTER, "root", "hr"),
    ("carlos", "Carlos", "Mendes", Role.AGENT, "acme", None),
    ("emma", "Emma", "Wilson", Role.REQUESTER, "acme", "stores"),
    ("noah", "Noah", "Fischer", Role.REQUESTER, "acme", "office"),
]

Spec = tuple[str, str, int, int, str, str, str, str]


def parse_incidents(text: str) -> list[Spec]:
    """Three lines per incident: title; description; "impact urgency | service | CI | category |
    channel". Kept as text so the data reads like a list, not like code."""
    rows = [line.strip() for line in text.strip().splitlines()]
    specs: list[Spec] = []
    for title, description, rest in zip(rows[0::3], rows[1::3], rows[2::3], strict=True):
        levels, service, ci, category, channel = (part.strip() for part in rest.split("|"))
        impact, urgency = (int(n) for n in levels.split())
        specs.append((title, description, impact, urgency, service, ci, category, channel))
    return specs


INCIDENTS = parse_incidents(
    """
Cannot log in to the expense portal
    Login page says *invalid session* after the SSO redirect.
    2 2 | Expense management | expense-web-01 | access | portal
Laptop fan very loud and hot
    Since this morning the fan runs at full speed even when idle.
    3 3 | End-user computing | LT-0457 | hardware | phone
Shared drive S: not mapped after reboot
    Finance team share is missing; `net use` shows it as unavailable.
    2 2 | File services | fs-cluster-02 | storage | email
VPN drops every 10 minutes
    Working from home; the client reconnects but calls drop.
    2 1 | Remote access | vpn-gw-01 | network | chat
Printer on floor 3 jams on every job
    HP LaserJet near the kitchen. Paper tray 2.
    3 2 | Printing | PRN-3F-01 | hardware | walk_up
CRM very slow when opening accounts
    Takes 20-30 seconds to open an account page.
    2 2 | CRM | crm-app-03 | performance | portal
New starter has no e-mail account
    Starts Monday; the onboarding request was approved last week.
    2 1 | E-mail | exchange-online | access | email
Payroll export fails with timeout
    Monthly payroll export to the bank stops at 80 %.
    1 1 | Payroll | payroll-db-01 | application | phone
Teams calls have no audio
    Others cannot hear me; the headset works in other apps.
    3 2 | Collaboration | teams | application | chat
Monitor flickers
    External monitor flickers when the laptop is docked.
    3 3 | End-user computing | DOCK-1182 | hardware | portal
Wi-Fi weak in meeting room Orion
    Signal drops to one bar; video calls freeze.
    3 2 | Network | ap-2f-orion | network | portal
Password reset e-mail never arrives
    Tried three times, nothing in spam either.
    2 2 | Identity | idp-01 | access | phone
Sales dashboard shows yesterday's numbers
    The nightly refresh seems not to have run.
    2 3 | Reporting | bi-etl-01 | data | email
Phishing e-mail reported
    Suspicious mail asking to confirm payroll details; link not clicked.
    2 1 | Security | mail-gateway | security | email
Cannot install approved software
    Software centre says I am not entitled to the PDF editor.
    3 3 | End-user computing | sccm-01 | software | portal
ERP posting job stuck
    Invoice posting job has been *running* for 3 hours.
    1 2 | ERP | erp-batch-01 | application | phone
Badge reader at main entrance offline
    Staff are let in by reception.
    2 1 | Facilities | door-ctrl-main | hardware | walk_up
Excel crashes when opening large files
    Files over 50 MB crash Excel immediately.
    3 2 | Office apps | m365-apps | software | chat
Calendar invites arrive twice
    Every invite from external partners appears twice.
    3 3 | E-mail | exchange-online | application | email
Mobile phone cannot sync mail
    iPhone shows *cannot get mail* since the update.
    3 2 | Mobile devices | mdm | mobile | phone
File server running out of space
    Monitoring warns 92 % used on volume D:.
    2 3 | File services | fs-cluster-02 | storage | event
Website contact form returns an error
    Customers get *500 Internal Server Error* on submit.
    2 1 | Public website | web-prod-02 | application | email
Headset not recognised
    USB headset not detected on the new laptop.
    3 3 | End-user computing | LT-0612 | hardware | walk_up
Time tracking app shows wrong week
    Week starts on Sunday instead of Monday.
    3 3 | Time tracking | timetrack-saas | application | portal
Scanner sends e-mails to the wrong address
    Scan-to-mail goes to a former employee.
    3 2 | Printing | MFP-2F-02 | hardware | portal
Backup job failed on database server
    Nightly backup of erp-db-01 failed with I/O error.
    2 2 | Backup | backup-01 | infrastructure | event
Cannot access HR portal from home
    Works in the office, not over VPN.
    3 2 | HR portal | hr-web-01 | access | portal
Duplicate customer records in CRM
    Import created duplicates for about 40 accounts.
    3 3 | CRM | crm-app-03 | data | email
Conference room display shows no signal
    HDMI and wireless casting both fail in room Vega.
    3 2 | Meeting rooms | disp-vega | hardware | walk_up
Invoices stuck in approval workflow
    Approvers get no task; 12 invoices waiting since Friday.
    2 2 | ERP | erp-wf-01 | application | portal
Account locked after password change
    Locked out again every few minutes.
    3 1 | Identity | ad-dc-01 | access | phone
"""
)

ACME_INCIDENTS = parse_incidents(
    """
Till 4 in store 12 does not print receipts
    Receipt printer shows a red light.
    2 1 | Point of sale | POS-12-04 | hardware | phone
Stock levels not updating in store app
    Sales since 9:00 are not reflected.
    2 2 | Inventory | inv-sync | application | portal
Card payments declined in store 7
    All card terminals in store 7 decline since 14:10.
    1 1 | Payments | pay-gw-01 | application | phone
Price labels printer offline
    Shelf-label printer in store 3 is unreachable.
    3 2 | Printing | LBL-03-01 | hardware | email
Head office Wi-Fi guest network down
    Visitors cannot connect to the guest network.
    3 2 | Network | ap-ho-guest | network | portal
Loyalty app shows wrong points
    Customers report points missing after purchases.
    2 3 | Loyalty | loyalty-api | application | email
"""
)

PLANS = [
    # What happens to each incident, cycled over the list above so states spread evenly.
    "new",
    "in_progress",
    "on_hold_caller",
    "resolved",
    "in_progress",
    "closed",
    "new",
    "on_hold_vendor",
    "resolved",
    "cancelled",
    "in_progress",
    "closed",
    "on_hold_change",
    "resolved",
]


class DemoBuilder:
    """Builds the data step by step; `steps()` lets the command draw a progress bar."""

    def __init__(self) -> None:
        self.admin_password = secrets.token_urlsafe(18)
        self.people_password = secrets.token_urlsafe(12)
        self.users: dict[str, User] = {}
        self.orgs: dict[str, Organization] = {}
        self.teams: dict[str, Team] = {}
        self.incidents: list[WorkItem] = []
        self.root: Tenant
        self.acme: Tenant

    def steps(self) -> list[tuple[str, Callable[[], Any]]]:
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("tenants", self._tenants),
            ("organizations", self._organizations),
            ("people", self._people),
            ("teams", self._teams),
        ]
        for where, specs in (("root", INCIDENTS), ("acme", ACME_INCIDENTS)):
            for n, spec in enumerate(specs):
                steps.append(("incidents", partial(self._incident, n, spec, where)))
        steps += [("parent and children", self._parents), ("major incidents", self._majors)]
        estate = Estate(self)
        steps += estate.steps()
        steps += Changes(self, estate).steps()
        return steps

    def run(self) -> Iterator[str]:
        for label, step in self.steps():
            with transaction.atomic():
                step()
            yield label

    def result(self) -> DemoResult:
        return DemoResult(
            admin_password=self.admin_password,
            people_password=self.people_password,
            counts={
                "tenants": Tenant.objects.count(),
                "organizations": Organization.objects.count(),
                "users": User.objects.count(),
                "teams": Team.objects.count(),
                "incidents": WorkItem.objects.filter(kind="incident").count(),
                "changes": WorkItem.objects.filter(kind="change").count(),
                "services": Service.objects.count(),
                "cis": CI.objects.count(),
                "assets": Asset.objects.count(),
            },
            usernames=[p[0] for p in PEOPLE],
        )

    # --- reference data ---------------------------------------------------------------------

    def _tenants(self) -> None:
        root = Tenant.objects.filter(parent__isnull=True).order_by("pk").first()
        if root is None:
            root = Tenant.objects.create(name="Default", slug="default")
        self.root = root
        self.acme = Tenant.objects.create(name="Acme Retail", slug="acme-retail", parent=root)

    def _organizations(self) -> None:
        for key, tenant, name, kind in [
            ("finance", self.root, "Finance", "department"),
            ("sales", self.root, "Sales", "department"),
            ("hr", self.root, "Human Resources", "department"),
            ("stores", self.acme, "Acme Stores", "customer"),
            ("office", self.acme, "Acme Head Office", "customer"),
        ]:
            self.orgs[key] = people.create_organization(
                actor=None, tenant=tenant, name=name, kind=kind
            )

    def _people(self) -> None:
        tenants = {"root": self.root, "acme": self.acme}
        admin = people.create_user(
            actor=None,
            username=ADMIN_USERNAME,
            tenant=self.root,
            role=Role.ADMIN,
            password=self.admin_password,
            email="admin@example.com",
            first_name="Ada",
            last_name="Admin",
        )
        self.users[ADMIN_USERNAME] = admin
        for username, first, last, role, tenant_key, org_key in PEOPLE:
            self.users[username] = people.create_user(
                actor=None,
                username=username,
                tenant=tenants[tenant_key],
                role=role,
                password=self.people_password,
                email=f"{username}@example.com",
                first_name=first,
                last_name=last,
                organization=self.orgs[org_key] if org_key else None,
            )
        # The provider's desk works Acme's tickets too (an MSP grant; no action exists yet).
        for username in ("jordan", "mei", "admin"):
            TenantGrant.objects.create(
                user=self.users[username], tenant=self.acme, include_descendants=True
            )
        self.users = {name: User.objects.get(pk=u.pk) for name, u in self.users.items()}

    def _teams(self) -> None:
        u = self.users
        specs = [
            ("desk", self.root, "Service Desk", ["jordan", "priya", "mei"], "mei", True),
            ("network", self.root, "Network Operations", ["lukas", "priya"], "mei", True),
            ("workplace", self.root, "Workplace Services", ["priya", "lukas"], "mei", False),
            ("stores", self.acme, "Acme Store Support", ["carlos", "jordan"], "carlos", False),
        ]
        for key, tenant, name, members, manager, shared in specs:
            self.teams[key] = people.create_team(
                actor=None,
                tenant=tenant,
                name=name,
                email=f"{key}@example.com",
                members=[u[m] for m in members],
                manager=u[manager],
                shared=shared,
            )

    # --- incidents --------------------------------------------------------------------------

    def _route(self, n: int, where: str, category: str) -> tuple[Team, User]:
        if where == "acme":
            team = self.teams["stores"] if n % 2 == 0 else self.teams["desk"]
            agent = self.users["carlos"] if team == self.teams["stores"] else self.users["jordan"]
            return team, agent
        if category in ("network", "infrastructure", "storage"):
            return self.teams["network"], self.users["lukas" if n % 2 else "priya"]
        if category in ("hardware", "mobile"):
            return self.teams["workplace"], self.users["priya" if n % 2 else "lukas"]
        return self.teams["desk"], self.users[("jordan", "priya", "mei")[n % 3]]

    def _incident(self, n: int, spec: Spec, where: str) -> WorkItem:
        title, description, impact, urgency, service, ci, category, channel = spec
        if where == "acme":
            callers = ["emma", "noah"]
        else:
            callers = ["sofia", "daniel", "hannah"]
        caller = self.users[callers[n % len(callers)]]
        team, agent = self._route(n, where, category)
        tenant = self.acme if where == "acme" else self.root
        plan = PLANS[(n + (2 if where == "acme" else 0)) % len(PLANS)]
        if channel == "portal" and plan == "new":
            # The caller logs it in the portal; the desk has not picked it up yet.
            item = inc.create_incident(
                actor=caller,
                tenant=tenant,
                title=title,
                description=description,
                impact=impact,
                urgency=urgency,
                service=service,
                configuration_item=ci,
                category=category,
                channel=channel,
            )
        else:
            desk_agent = self.users["carlos"] if where == "acme" else self.users["jordan"]
            item = inc.create_incident(
                actor=desk_agent,
                tenant=tenant,
                title=title,
                description=description,
                impact=impact,
                urgency=urgency,
                service=service,
                configuration_item=ci,
                category=category,
                channel=channel,
                caller=caller.pk,
                assignment_group=team.pk,
            )
        self._play(item, plan, caller=caller, agent=agent, team=team)
        self.incidents.append(item)
        return item

    def _play(self, item: WorkItem, plan: str, *, caller: User, agent: User, team: Team) -> None:
        if plan == "new":
            if item.caller_id == caller.pk and item.opened_by_id != caller.pk:
                inc.comment_on_incident(
                    actor=agent, item=item, body="Thanks, we have picked this up.", internal=False
                )
            return
        start = {"assignment_group": team.pk, "assignee": agent.pk}
        if plan == "cancelled":
            inc.transition_incident(
                actor=agent,
                item=item,
                to=S.CANCELLED,
                cancel_reason="Duplicate of an incident already being worked on.",
            )
            return
        inc.transition_incident(actor=agent, item=item, to=S.IN_PROGRESS, **start)
        inc.comment_on_incident(
            actor=agent,
            item=item,
            body=f"Hi {caller.first_name}, I am looking into this now.",
            internal=False,
        )
        inc.comment_on_incident(
            actor=agent,
            item=item,
            body="Checked the logs on the affected system; see the attached notes soon.",
            internal=True,
        )
        if plan == "in_progress":
            return
        if plan.startswith("on_hold"):
            reason = {
                "on_hold_caller": "awaiting_caller",
                "on_hold_vendor": "awaiting_vendor",
                "on_hold_change": "awaiting_change",
            }[plan]
            comment = (
                "Could you tell us when this last worked, and send a screenshot of the error?"
                if reason == "awaiting_caller"
                else None
            )
            fields: dict[str, Any] = {"hold_reason": reason}
            if comment:
                fields["comment"] = comment
            inc.transition_incident(actor=agent, item=item, to=S.ON_HOLD, **fields)
            return
        inc.comment_on_incident(
            actor=caller, item=item, body="It seems to work again, thank you!", internal=False
        )
        inc.transition_incident(
            actor=agent,
            item=item,
            to=S.RESOLVED,
            close_code="solved_permanently" if item.pk % 2 else "solved_workaround",
            close_notes="Restarted the affected service and confirmed with the caller.",
        )
        if plan == "closed":
            inc.transition_incident(actor=caller, item=item, to=S.CLOSED)

    def _parents(self) -> None:
        desk, jordan = self.teams["desk"], self.users["jordan"]
        parent = inc.create_incident(
            actor=jordan,
            title="E-mail delivery delayed for all users",
            description="Outbound mail queues at the gateway; delays of 30+ minutes.",
            impact=1,
            urgency=1,
            service="E-mail",
            configuration_item="mail-gateway",
            category="application",
            channel="event",
            assignment_group=desk.pk,
            assignee=jordan.pk,
        )
        inc.transition_incident(actor=jordan, item=parent, to=S.IN_PROGRESS)
        inc.comment_on_incident(
            actor=jordan,
            item=parent,
            body="Gateway queue at 14,000 messages; vendor case opened.",
            internal=True,
        )
        for username, title in [
            ("sofia", "My e-mails to the bank are not arriving"),
            ("daniel", "Customer says they did not get our quote e-mail"),
        ]:
            child = inc.create_incident(
                actor=jordan,
                title=title,
                description="Reported by phone.",
                impact=2,
                urgency=2,
                service="E-mail",
                category="application",
                channel="phone",
                caller=self.users[username].pk,
                assignment_group=desk.pk,
                parent=parent.number,
            )
            inc.comment_on_incident(
                actor=jordan,
                item=child,
                body=f"Linked to {parent.number}; we will update you there.",
                internal=False,
            )
            self.incidents.append(child)
        self.incidents.append(parent)

    def _majors(self) -> None:
        def first_open(tenant: Tenant, max_priority: int) -> WorkItem | None:
            for item in self.incidents:
                item.refresh_from_db()
                if (
                    item.tenant_id == tenant.pk
                    and item.state in S.OPEN_STATES
                    and item.priority <= max_priority
                    and item.parent_id is None
                ):
                    return item
            return None

        candidate = first_open(self.root, 2)
        if candidate is not None:
            inc.propose_major(
                actor=self.users["priya"],
                item=candidate,
                business_impact="Many people cannot work; finance deadlines are at risk today.",
            )
        accepted = first_open(self.acme, 2)
        if accepted is not None:
            inc.propose_major(
                actor=self.users["jordan"],
                item=accepted,
                business_impact="Stores cannot serve customers normally; revenue loss every hour.",
            )
            inc.decide_major(actor=self.users["mei"], item=accepted, accept=True)
