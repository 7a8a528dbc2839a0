"""IT asset management: assets, software products and versions, installations, licences, contracts.

DOMAIN.md §2.8. An asset is the financial and contractual view of a thing; its CI (if any) is the
operational view, linked 1:1. Lifecycle stages and their statuses are the CMDB's (one table in
`serval.cmdb.models`). Software products and versions are reference data of a tenant (shareable
down the tree like CI classes); installations say which CI runs which version; licences hold
entitlements per metric, and `serval.assets.compliance` sets them against consumption. Contracts
cover assets. Every filter the API and pages offer is backed by an index below.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from serval.cmdb.models import LifecycleStage
from serval.core.models import TenantOwned


class AssetKind(models.TextChoices):
    HARDWARE = "hardware", _("Hardware")
    SOFTWARE = "software", _("Software")


def _unique_when_set(field: str) -> models.UniqueConstraint:
    """One asset per tag or serial per tenant, when the value is set."""
    return models.UniqueConstraint(
        fields=["tenant", field], condition=~Q(**{field: ""}), name=f"asset_unique_{field}"
    )


class Asset(TenantOwned):
    """A financially valuable component, through its lifecycle from ideation to end of life."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=16, choices=AssetKind.choices, default=AssetKind.HARDWARE
    )
    asset_tag = models.CharField(_("asset tag"), max_length=100, blank=True)
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    model = models.CharField(_("model"), max_length=200, blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=200, blank=True)
    ci = models.OneToOneField(
        "cmdb.CI",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="asset",
        verbose_name=_("configuration item"),
    )
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=20,
        choices=LifecycleStage.choices,
        default=LifecycleStage.INVENTORY,
    )
    lifecycle_status = models.CharField(_("lifecycle status"), max_length=32, default="available")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    cost_centre = models.CharField(_("cost centre"), max_length=100, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, null=True, blank=True)
    purchase_order = models.CharField(_("purchase order"), max_length=100, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    vendor = models.CharField(_("vendor"), max_length=200, blank=True)
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True)
    lease_end = models.DateField(_("lease end"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [_unique_when_set("asset_tag"), _unique_when_set("serial")]
        indexes = [
            models.Index(fields=["tenant", "name"], name="asset_tenant_name"),
            models.Index(fields=["tenant", "kind"], name="asset_tenant_kind"),
            models.Index(fields=["tenant", "lifecycle_stage"], name="asset_tenant_stage"),
            models.Index(fields=["tenant", "lifecycle_status"], name="asset_tenant_status"),
            models.Index(fields=["tenant", "assigned_to"], name="asset_tenant_assignee"),
            models.Index(fields=["tenant", "location"], name="asset_tenant_location"),
            models.Index(fields=["tenant", "vendor"], name="asset_tenant_vendor"),
            models.Index(fields=["tenant", "warranty_end"], name="asset_tenant_warranty"),
            models.Index(fields=["tenant", "lease_end"], name="asset_tenant_lease"),
            models.Index(fields=["tenant", "updated_at"], name="asset_tenant_updated"),
            # Exact look-ups of tag and serial (the partial unique indexes need their condition).
            models.Index(fields=["asset_tag"], name="asset_tag"),
            models.Index(fields=["serial"], name="asset_serial"),
        ]

    def __str__(self) -> str:
        return self.name


class SoftwareProduct(TenantOwned):
    """A publisher's product (vendor + name), the unit licences are bought for."""

    vendor = models.CharField(_("vendor"), max_length=200)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    shared = models.BooleanField(_("shared with sub-tenants"), default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["vendor", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "vendor", "name"], name="swproduct_unique"),
        ]
        indexes = [
            models.Index(fields=["tenant", "name"], name="swproduct_tenant_name"),
        ]

    def __str__(self) -> str:
        return f"{self.vendor} {self.name}"


class DatesSource(models.TextChoices):
    """Where lifecycle dates come from (DOMAIN.md §2.8); custom dates win over the others."""

    PUBLISHER = "publisher", _("Publisher")
    APPROXIMATED = "approximated", _("Approximated")
    CALCULATED = "calculated", _("Calculated")
    CUSTOM = "custom", _("Custom")


class SoftwareVersion(TenantOwned):
    """One version (or release cycle) of a product with its lifecycle dates; tenant = product's."""

    product = models.ForeignKey(SoftwareProduct, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(_("version"), max_length=100)
    ga_date = models.DateField(_("general availability"), null=True, blank=True)
    end_of_support = models.DateField(_("end of support"), null=True, blank=True)
    end_of_extended_support = models.DateField(_("end of extended support"), null=True, blank=True)
    end_of_life = models.DateField(_("end of life"), null=True, blank=True)
    dates_source = models.CharField(
        _("dates source"), max_length=16, choices=DatesSource.choices, default=DatesSource.CUSTOM
    )
    row_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product", "version"]
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="swversion_unique"),
        ]
        indexes = [
            # The end-of-life report starts from versions whose dates fall before its horizon.
            models.Index(fields=["end_of_support"], name="swversion_eos"),
            models.Index(fields=["end_of_life"], name="swversion_eol"),
            models.Index(fields=["tenant", "product"], name="swversion_tenant_product"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.version}"


class Installation(TenantOwned):
    """This CI runs this software version (found by discovery or recorded by hand)."""

    ci = models.ForeignKey("cmdb.CI", on_delete=models.CASCADE, related_name="installations")
    software_version = models.ForeignKey(
        SoftwareVersion, on_delete=models.PROTECT, related_name="installations"
    )
    installed_at = models.DateTimeField(_("installed at"), null=True, blank=True)
    discovered = models.BooleanField(_("discovered"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["ci", "software_version"], name="installation_unique"),
        ]
        indexes = [
            models.Index(fields=["software_version", "ci"], name="installation_version"),
            models.Index(fields=["tenant", "ci"], name="installation_tenant_ci"),
        ]

    def __str__(self) -> str:
        return f"{self.ci_id} runs {self.software_version_id}"


class LicenceMetric(models.TextChoices):
    """What one unit of a licence entitles: a device, a named user or a processor core."""

    DEVICE = "device", _("Per device")
    USER = "user", _("Per user")
    CORE = "core", _("Per core")


class Licence(TenantOwned):
    """An entitlement: `quantity` units of `metric` for a product, valid over its term."""

    product = models.ForeignKey(SoftwareProduct, on_delete=models.PROTECT, related_name="licences")
    name = models.CharField(_("name"), max_length=200)
    metric = models.CharField(
        _("metric"), max_length=16, choices=LicenceMetric.choices, default=LicenceMetric.DEVICE
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_end = models.DateField(_("term end"), null=True, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, null=True, blank=True)
    assigned_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("assigned users")
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["tenant", "name"], name="licence_tenant_name"),
            models.Index(fields=["tenant", "product", "metric"], name="licence_tenant_pool"),
            models.Index(fields=["tenant", "metric"], name="licence_tenant_metric"),
            models.Index(fields=["tenant", "term_end"], name="licence_tenant_term_end"),
        ]

    def __str__(self) -> str:
        return self.name


class ContractType(models.TextChoices):
    SUPPORT = "support", _("Support")
    MAINTENANCE = "maintenance", _("Maintenance")
    LEASE = "lease", _("Lease")
    LICENCE = "licence", _("Software licence")
    WARRANTY = "warranty", _("Warranty")
    PURCHASE = "purchase", _("Purchase")
    SUBSCRIPTION = "subscription", _("SaaS subscription")
    UNDERPINNING = "underpinning", _("Underpinning contract")


class Contract(TenantOwned):
    """A vendor contract with its term, renewal notice period and the assets it covers."""

    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(
        _("type"), max_length=16, choices=ContractType.choices, default=ContractType.SUPPORT
    )
    vendor = models.CharField(_("vendor"), max_length=200)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    renewal_notice_days = models.PositiveIntegerField(_("renewal notice (days)"), default=30)
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    covered_assets = models.ManyToManyField(
        Asset, blank=True, related_name="contracts", verbose_name=_("covered assets")
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["tenant", "name"], name="contract_tenant_name"),
            models.Index(fields=["tenant", "type"], name="contract_tenant_type"),
            models.Index(fields=["tenant", "vendor"], name="contract_tenant_vendor"),
            models.Index(fields=["tenant", "end_date"], name="contract_tenant_end"),
        ]

    def __str__(self) -> str:
        return self.name


class ReminderKind(models.TextChoices):
    """The dates people are reminded of before they pass (DOMAIN.md §2.8)."""

    WARRANTY_END = "warranty_end", _("Warranty ends")
    LEASE_END = "lease_end", _("Lease ends")
    CONTRACT_NOTICE = "contract_notice", _("Last day to give contract notice")
    CONTRACT_END = "contract_end", _("Contract ends")
    END_OF_SUPPORT = "end_of_support", _("End of support")
    END_OF_LIFE = "end_of_life", _("End of life")


class LifecycleReminder(TenantOwned):
    """One reminder sent (or being sent) for one date of one record, at one horizon.

    The unique constraint is what makes the periodic job idempotent: a reminder is recorded in
    the transaction that enqueues its mail, so a second run, or a second worker, finds the row
    and sends nothing. `due_date` is part of the key, so a renewed contract or a moved end of
    support is reminded of again. A software version is reminded per tenant that runs it
    (`tenant`), so nobody hears about another tenant's installations.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    subject_type = models.CharField(max_length=20)  # "asset" | "contract" | "software_version"
    subject_id = models.BigIntegerField()
    due_date = models.DateField(_("date"))
    horizon = models.PositiveSmallIntegerField(_("days before"))
    created_at = models.DateTimeField(auto_now_add=True)
    sent = models.PositiveIntegerField(_("mails sent"), default=0)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind", "subject_type", "subject_id", "due_date", "horizon"],
                name="lifecycle_reminder_once",
            )
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="reminder_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_type} {self.subject_id} {self.due_date} -{self.horizon}"
