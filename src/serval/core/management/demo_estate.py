"""A small, realistic IT estate for `serval demo`, written through the same actions people use.

Without it the service portfolio, the CMDB, the service map, incident impact and the EOL report
open empty for a new user. In the root tenant: five business services, fifteen CIs with
identifiers and dependency edges (apps on a shared ERP database on a server on a storage array),
the services they realize, assets for the main servers, software versions whose support ends in
the past, within 90 and within 180 days, a per-device licence short by one and a support
contract (DOMAIN.md §2.7, §2.8). Dates are relative to today so the horizons stay meaningful.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from serval.assets import actions as assets
from serval.assets import software
from serval.cmdb import actions as cmdb
from serval.cmdb import worklinks
from serval.cmdb.models import CI, CIClass, RelationshipType
from serval.services import actions as services
from serval.services.models import Service

if TYPE_CHECKING:
    from serval.core.management.demo_data import DemoBuilder

# (key, name, owner, support team key, criticality, description)
SERVICES = [
    ("email", "E-mail", "mei", "desk", "critical", "Mailboxes, calendars and the mail gateway."),
    ("erp", "ERP", "mei", "desk", "critical", "Finance, purchasing and invoice posting."),
    ("payroll", "Payroll", "mei", "desk", "high", "Monthly payroll and the bank export."),
    ("website", "Public website", "mei", "network", "high", "www.example.com and its forms."),
    ("wifi", "Wi-Fi", "lukas", "network", "medium", "Staff and guest wireless in the offices."),
]

# (name, class, hostname, serial, team key, operational status, attributes, vendor, model)
CIS: list[tuple[str, str, str, str, str, str, dict[str, Any], str]] = [
    ("san-01", "storage", "san-01", "CZ3041ABCD", "network", "operational",
     {"capacity_gb": 96000, "manufacturer": "HPE", "model": "Alletra 6010"}, "HPE"),
    ("srv-db-01", "server", "srv-db-01", "CZJ2120D01", "network", "operational",
     {"cpu_count": 32, "ram_mb": 262144, "os": "Red Hat Enterprise Linux 9", "virtual": False,
      "manufacturer": "Dell", "model": "PowerEdge R750"}, "Dell"),
    ("srv-app-01", "server", "srv-app-01", "CZJ2120A01", "network", "operational",
     {"cpu_count": 16, "ram_mb": 65536, "os": "Windows Server 2016", "virtual": False,
      "manufacturer": "Dell", "model": "PowerEdge R650"}, "Dell"),
    ("srv-mail-01", "server", "srv-mail-01", "CZJ2120M01", "desk", "operational",
     {"cpu_count": 8, "ram_mb": 32768, "os": "Windows Server 2016", "virtual": False,
      "manufacturer": "Dell", "model": "PowerEdge R450"}, "Dell"),
    ("srv-mail-02", "server", "srv-mail-02", "CZJ2120M02", "desk", "operational",
     {"cpu_count": 8, "ram_mb": 32768, "os": "Windows Server 2016", "virtual": False,
      "manufacturer": "Dell", "model": "PowerEdge R450"}, "Dell"),
    ("web-prod-01", "server", "web-prod-01", "", "network", "operational",
     {"cpu_count": 4, "ram_mb": 8192, "os": "Ubuntu 20.04 LTS", "virtual": True}, "VMware"),
    ("web-prod-02", "server", "web-prod-02", "", "network", "degraded",
     {"cpu_count": 4, "ram_mb": 8192, "os": "Ubuntu 20.04 LTS", "virtual": True}, "VMware"),
    ("db-erp-01", "db_instance", "db-erp-01", "", "desk", "degraded",
     {"engine": "postgresql", "port": 5432}, "PostgreSQL"),
    ("app-erp-01", "app_server", "app-erp-01", "", "desk", "operational",
     {"port": 8443}, "SAP"),
    ("app-payroll-01", "app_server", "app-payroll-01", "", "desk", "operational",
     {"port": 8080}, "ADP"),
    ("mail-cluster-01", "app_server", "mail", "", "desk", "operational",
     {"port": 443}, "Microsoft"),
    ("site-www", "app_server", "www", "", "network", "operational",
     {"port": 443}, "WordPress"),
    ("lb-01", "network_gear", "lb-01", "FGT60F0001", "network", "operational",
     {"ports": 10, "manufacturer": "Fortinet", "model": "FortiGate 60F"}, "Fortinet"),
    ("wlc-01", "network_gear", "wlc-01", "FCW2233L0AB", "network", "operational",
     {"ports": 8, "manufacturer": "Cisco", "model": "Catalyst 9800-L"}, "Cisco"),
    ("ap-2f-orion", "network_gear", "ap-2f-orion", "FGL2231A0XY", "network", "degraded",
     {"ports": 1, "manufacturer": "Cisco", "model": "Catalyst 9120AX"}, "Cisco"),
]  # fmt: skip

# (parent, type, child): the parent depends on / runs on / is hosted on the child.
RELATIONSHIPS = [
    ("srv-db-01", "depends_on", "san-01"),
    ("srv-app-01", "depends_on", "san-01"),
    ("srv-mail-01", "depends_on", "san-01"),
    ("srv-mail-02", "depends_on", "san-01"),
    ("web-prod-01", "hosted_on", "san-01"),
    ("web-prod-02", "hosted_on", "san-01"),
    ("db-erp-01", "runs_on", "srv-db-01"),
    ("app-erp-01", "runs_on", "srv-app-01"),
    ("app-erp-01", "depends_on", "db-erp-01"),
    ("app-payroll-01", "runs_on", "srv-app-01"),
    ("app-payroll-01", "depends_on", "db-erp-01"),
    ("mail-cluster-01", "members", "srv-mail-01"),
    ("mail-cluster-01", "members", "srv-mail-02"),
    ("site-www", "runs_on", "web-prod-01"),
    ("site-www", "runs_on", "web-prod-02"),
    ("site-www", "depends_on", "lb-01"),
    ("ap-2f-orion", "depends_on", "wlc-01"),
]

# service key → the CIs that realize it
SERVICE_LINKS = {
    "email": ["mail-cluster-01"],
    "erp": ["app-erp-01"],
    "payroll": ["app-payroll-01"],
    "website": ["site-www"],
    "wifi": ["wlc-01", "ap-2f-orion"],
}

# Incidents (by title, in demo_data) caused by the failing ERP database.
DATABASE_INCIDENTS = [
    "Payroll export fails with timeout",
    "ERP posting job stuck",
    "Invoices stuck in approval workflow",
]

# (CI, asset tag, cost, months since purchase)
ASSETS = [
    ("san-01", "AST-1001", 84000, 30),
    ("srv-db-01", "AST-1002", 21500, 26),
    ("srv-app-01", "AST-1003", 12800, 40),
    ("srv-mail-01", "AST-1004", 7400, 52),
    ("srv-mail-02", "AST-1005", 7400, 52),
]

# (vendor, product, version, days from today to end of support, to end of life, installed on)
SOFTWARE = [
    ("Canonical", "Ubuntu Server", "20.04 LTS", -45, 1780, ["web-prod-01", "web-prod-02"]),
    ("PostgreSQL Global Development Group", "PostgreSQL", "13", 60, 60, ["srv-db-01"]),
    (
        "Microsoft",
        "Windows Server",
        "2016 Standard",
        150,
        150,
        ["srv-app-01", "srv-mail-01", "srv-mail-02"],
    ),
    ("Red Hat", "Enterprise Linux", "9", 1800, 2900, ["srv-db-01"]),
]


class Estate:
    """Builds the estate in a few steps after the people, teams and incidents exist."""

    def __init__(self, builder: DemoBuilder) -> None:
        self.b = builder
        self.services: dict[str, Service] = {}
        self.cis: dict[str, CI] = {}

    def steps(self) -> list[tuple[str, Any]]:
        return [
            ("services", self._services),
            ("configuration items", self._cis),
            ("relationships", self._relationships),
            ("incident impact", self._impact),
            ("assets", self._assets),
            ("software", self._software),
        ]

    def _services(self) -> None:
        from serval.sla.models import BusinessCalendar
        from serval.sla.seed import OFFICE_HOURS

        admin = self.b.users["admin"]
        # The seeded office-hours calendar, where migrations made it, is the services' hours.
        office = BusinessCalendar.objects.filter(tenant=self.b.root, name=OFFICE_HOURS).first()
        for key, name, owner, team, criticality, description in SERVICES:
            self.services[key] = services.create_service(
                actor=admin,
                tenant=self.b.root,
                name=name,
                kind="business",
                status="live",
                criticality=criticality,
                description=description,
                owner=self.b.users[owner],
                support_team=self.b.teams[team],
                service_hours=office,
            )

    def _cis(self) -> None:
        admin = self.b.users["admin"]
        classes = {c.name: c for c in CIClass.objects.filter(tenant__isnull=True)}
        for name, cls, host, serial, team, status, attrs, vendor in CIS:
            self.cis[name] = cmdb.create_ci(
                actor=admin,
                tenant=self.b.root,
                name=name,
                ci_class=classes[cls],
                hostname=host,
                fqdn=f"{host}.corp.example.com",
                serial=serial,
                environment="production",
                operational_status=status,
                support_team=self.b.teams[team],
                owner=self.b.users["mei"],
                location="Data centre FRA-1" if cls != "network_gear" else "Head office",
                vendor=vendor,
                attributes=attrs,
                criticality="critical" if name in ("san-01", "db-erp-01") else "high",
            )

    def _relationships(self) -> None:
        admin = self.b.users["admin"]
        types = {t.name: t for t in RelationshipType.objects.all()}
        for parent, type_, child in RELATIONSHIPS:
            cmdb.create_relationship(
                actor=admin, parent=self.cis[parent], child=self.cis[child], type=types[type_]
            )
        for key, names in SERVICE_LINKS.items():
            for name in names:
                cmdb.link_service(actor=admin, service=self.services[key], ci=self.cis[name])

    def _impact(self) -> None:
        lukas = self.b.users["lukas"]
        admin = self.b.users["admin"]
        by_title = {i.title: i for i in self.b.incidents if i.tenant_id == self.b.root.pk}
        for title in DATABASE_INCIDENTS:
            item = by_title[title]
            item.refresh_from_db()
            actor = lukas if worklinks.can_link(lukas, item) else admin
            worklinks.link_ci(actor=actor, item=item, ci=self.cis["db-erp-01"])

    def _assets(self) -> None:
        admin = self.b.users["admin"]
        today = timezone.localdate()
        covered = []
        for name, tag, cost, months in ASSETS:
            ci = self.cis[name]
            attrs = ci.attributes
            bought = today - timedelta(days=30 * months)
            covered.append(
                assets.create_asset(
                    actor=admin,
                    tenant=self.b.root,
                    name=name,
                    kind="hardware",
                    asset_tag=tag,
                    serial=ci.serial,
                    model=attrs.get("model", ""),
                    manufacturer=attrs.get("manufacturer", ""),
                    vendor=ci.vendor,
                    location=ci.location,
                    cost_centre="IT-INFRA",
                    cost=cost,
                    purchase_date=bought,
                    warranty_end=bought + timedelta(days=365 * 5),
                    lifecycle_stage="operational",
                    lifecycle_status="in_use",
                    ci=ci,
                )
            )
        assets.create_contract(
            actor=admin,
            tenant=self.b.root,
            name="Dell ProSupport Plus — data centre servers",
            vendor="Dell Technologies",
            type="support",
            description="24x7 hardware support, four-hour on-site response.",
            start_date=today - timedelta(days=300),
            end_date=today + timedelta(days=65),
            renewal_notice_days=90,
            cost=9600,
            covered_assets=[a for a in covered if a.manufacturer == "Dell"],
        )

    def _software(self) -> None:
        admin = self.b.users["admin"]
        today = timezone.localdate()
        products = {}
        for vendor, name, version, eos, eol, hosts in SOFTWARE:
            product = software.create_product(
                actor=admin, tenant=self.b.root, vendor=vendor, name=name
            )
            products[name] = product
            release = software.create_version(
                actor=admin,
                product=product,
                version=version,
                ga_date=today - timedelta(days=5 * 365),
                end_of_support=today + timedelta(days=eos),
                end_of_life=today + timedelta(days=eol),
                dates_source="publisher",
            )
            for host in hosts:
                software.create_installation(
                    actor=admin, ci=self.cis[host], software_version=release, discovered=True
                )
        # Three servers run Windows Server, two are licensed: a shortfall of one.
        software.create_licence(
            actor=admin,
            tenant=self.b.root,
            name="Windows Server 2016 Standard (per device)",
            product=products["Windows Server"],
            metric="device",
            quantity=2,
            term_start=today - timedelta(days=3 * 365),
            cost=2200,
        )
