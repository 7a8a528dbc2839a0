"""The CMDB: CI classes with attribute schemas, CIs, typed relationships and service links.

DOMAIN.md §2.7. Classes form a tree; a class's attribute schema adds to its ancestors'. The
built-in classes (seeded by migration 0002) have no tenant and are visible everywhere; a tenant
may add its own. Relationship types are data (seeded too), each with its rules: self-loops are
never allowed, `single_parent` types (contains) give a child one parent, and `is_dependency`
types are the edges impact analysis walks — always from the child up to the parent, since the
parent depends on the child (DOMAIN.md "traverse … towards parents").

Services are portfolio records (`services.Service`), not CIs: a `ServiceCI` row says the service
(or offering) is realized by — depends on — that CI (the CSDM-style service model).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from serval.core.models import Tenant, TenantOwned
from serval.services.models import Criticality

ATTRIBUTE_TYPES = ("string", "int", "bool", "date", "choice")


class CIClass(models.Model):
    """A node of the class tree, e.g. hardware → server, with the attributes its CIs carry.

    `schema` is a list of {"name", "type" (string|int|bool|date|choice), "required",
    "choices" (choice only), "label"}; validated by the actions.
    """

    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.SlugField(_("name"), max_length=64)
    label = models.CharField(_("label"), max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(_("description"), blank=True)
    schema = models.JSONField(_("attribute schema"), default=list, blank=True)
    shared = models.BooleanField(_("shared with sub-tenants"), default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        verbose_name = _("CI class")
        verbose_name_plural = _("CI classes")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="ciclass_unique_name"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(tenant__isnull=True), name="ciclass_builtin_name"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class LifecycleStage(models.TextChoices):
    """DOMAIN.md §2.8 stages; each has the statuses listed in `LIFECYCLE_STATUSES`."""

    IDEATION = "ideation", _("Ideation")
    PURCHASE = "purchase", _("Purchase")
    INVENTORY = "inventory", _("Inventory")
    DEPLOY = "deploy", _("Deploy")
    OPERATIONAL = "operational", _("Operational")
    END_OF_OPERATION = "end_of_operation", _("End of operation")
    DEFECTIVE = "defective", _("Defective")
    MISSING = "missing", _("Missing")
    END_OF_LIFE = "end_of_life", _("End of life")


LIFECYCLE_STATUSES: dict[str, tuple[str, ...]] = {
    "ideation": ("under_evaluation", "pilot"),
    "purchase": ("on_order", "preallocated"),
    "inventory": ("available", "reserved", "pending_repair", "legal_hold", "quarantine"),
    "deploy": ("in_stock", "reserved", "pending_transfer", "in_transit", "test"),
    "operational": (
        "pending_fulfilment",
        "in_use",
        "in_maintenance",
        "end_of_support",
        "pending_retirement",
    ),
    "end_of_operation": (
        "pending_evaluation",
        "pending_return",
        "pending_resale",
        "pending_disposal",
        "pending_donation",
        "on_hold",
    ),
    "defective": ("in_stock", "in_transit"),
    "missing": ("lost", "stolen"),
    "end_of_life": (
        "disposed",
        "donated",
        "rma",
        "sold",
        "vendor_credit",
        "buyout",
        "lease_return",
    ),
}


class OperationalStatus(models.TextChoices):
    OPERATIONAL = "operational", _("Operational")
    NON_OPERATIONAL = "non_operational", _("Non-operational")
    DEGRADED = "degraded", _("Degraded")
    REPAIR_IN_PROGRESS = "repair_in_progress", _("Repair in progress")
    IN_MAINTENANCE = "in_maintenance", _("In maintenance")
    DR_STANDBY = "dr_standby", _("DR standby")
    READY = "ready", _("Ready")
    RETIRED = "retired", _("Retired")


class Environment(models.TextChoices):
    PRODUCTION = "production", _("Production")
    STAGING = "staging", _("Staging")
    TEST = "test", _("Test")
    DEVELOPMENT = "development", _("Development")
    DR = "dr", _("Disaster recovery")


IDENTIFIERS = ("serial", "hostname", "fqdn", "cloud_id")


def _unique_identifier(field: str) -> models.UniqueConstraint:
    """One CI per identifier value per tenant, when the identifier is set (de-duplication)."""
    return models.UniqueConstraint(
        fields=["tenant", field], condition=~Q(**{field: ""}), name=f"ci_unique_{field}"
    )


class CI(TenantOwned):
    """A configuration item: anything that must be managed to deliver a service."""

    name = models.CharField(_("name"), max_length=200)
    ci_class = models.ForeignKey(
        CIClass, on_delete=models.PROTECT, related_name="cis", verbose_name=_("class")
    )
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    hostname = models.CharField(_("host name"), max_length=253, blank=True)
    fqdn = models.CharField(_("FQDN"), max_length=253, blank=True)
    cloud_id = models.CharField(_("cloud id"), max_length=255, blank=True)
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=20,
        choices=LifecycleStage.choices,
        default=LifecycleStage.OPERATIONAL,
    )
    lifecycle_status = models.CharField(_("lifecycle status"), max_length=32, default="in_use")
    operational_status = models.CharField(
        _("operational status"),
        max_length=20,
        choices=OperationalStatus.choices,
        default=OperationalStatus.OPERATIONAL,
    )
    environment = models.CharField(
        _("environment"),
        max_length=16,
        choices=Environment.choices,
        default=Environment.PRODUCTION,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    support_team = models.ForeignKey(
        "people.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("support team"),
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    criticality = models.CharField(
        _("criticality"), max_length=16, choices=Criticality.choices, default=Criticality.MEDIUM
    )
    product_version = models.CharField(_("product version"), max_length=100, blank=True)
    vendor = models.CharField(_("vendor"), max_length=200, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    discovery_source = models.CharField(_("discovery source"), max_length=100, blank=True)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("configuration item")
        constraints = [_unique_identifier(f) for f in IDENTIFIERS]
        indexes = [
            models.Index(fields=["tenant", "name"], name="ci_tenant_name"),
            models.Index(fields=["tenant", "ci_class"], name="ci_tenant_class"),
            models.Index(fields=["tenant", "operational_status"], name="ci_tenant_opstatus"),
            models.Index(fields=["tenant", "lifecycle_stage"], name="ci_tenant_stage"),
            models.Index(fields=["tenant", "environment"], name="ci_tenant_env"),
            models.Index(fields=["tenant", "criticality"], name="ci_tenant_crit"),
            models.Index(fields=["tenant", "support_team"], name="ci_tenant_team"),
            models.Index(fields=["tenant", "updated_at"], name="ci_tenant_updated"),
            models.Index(fields=["tenant", "last_seen"], name="ci_tenant_last_seen"),
            # Identifier look-ups (filters, import matching); the unique constraints above are
            # partial, which SQLite's planner only uses when a query repeats their condition.
            *(models.Index(fields=[f], name=f"ci_{f}") for f in IDENTIFIERS),
        ]

    def __str__(self) -> str:
        return self.name


class RelationshipType(models.Model):
    """One kind of edge, parent → child, with its rules (DOMAIN.md §2.7 table)."""

    name = models.SlugField(_("name"), max_length=64, unique=True)
    label = models.CharField(_("label (parent → child)"), max_length=100)
    reverse_label = models.CharField(_("label (child → parent)"), max_length=100)
    is_dependency = models.BooleanField(
        _("dependency"),
        default=False,
        help_text=_("The parent depends on the child: impact travels from child to parent."),
    )
    single_parent = models.BooleanField(
        _("one parent"), default=False, help_text=_("A child has at most one parent of this type.")
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label


class CIRelationship(TenantOwned):
    """(parent CI, type, child CI); `single_parent` is copied from the type for its constraint."""

    parent = models.ForeignKey(CI, on_delete=models.CASCADE, related_name="child_links")
    child = models.ForeignKey(CI, on_delete=models.CASCADE, related_name="parent_links")
    type = models.ForeignKey(RelationshipType, on_delete=models.PROTECT, related_name="+")
    single_parent = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "type", "child"], name="cirel_unique"),
            models.CheckConstraint(condition=~Q(parent=models.F("child")), name="cirel_no_self"),
            models.UniqueConstraint(
                fields=["child", "type"], condition=Q(single_parent=True), name="cirel_one_parent"
            ),
        ]
        indexes = [
            # The impact walk: upstream joins on child, downstream on parent, both by type.
            models.Index(fields=["child", "type", "parent"], name="cirel_child_type"),
            models.Index(fields=["parent", "type", "child"], name="cirel_parent_type"),
        ]

    def __str__(self) -> str:
        return f"{self.parent_id} {self.type_id} {self.child_id}"


class ServiceCI(TenantOwned):
    """The service (or offering) is realized by, and so depends on, this CI."""

    service = models.ForeignKey(
        "services.Service", on_delete=models.CASCADE, related_name="ci_links"
    )
    ci = models.ForeignKey(CI, on_delete=models.CASCADE, related_name="service_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["service", "ci"], name="serviceci_unique"),
        ]
        indexes = [models.Index(fields=["ci", "service"], name="serviceci_ci")]

    def __str__(self) -> str:
        return f"{self.service_id} ← {self.ci_id}"


# --- work items ↔ CIs and services (serval.cmdb.worklinks) -------------------------------------


class WorkItemCI(TenantOwned):
    """A CI affected by a work item (an incident today; changes and alerts later)."""

    work_item = models.ForeignKey(
        "work.WorkItem", on_delete=models.CASCADE, related_name="ci_links"
    )
    ci = models.ForeignKey(CI, on_delete=models.CASCADE, related_name="work_links")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["work_item", "ci"], name="workitemci_unique"),
        ]
        # "Which open items name a CI near this change?" — the refresh after CMDB edits.
        indexes = [models.Index(fields=["ci", "work_item"], name="workitemci_ci")]

    def __str__(self) -> str:
        return f"{self.work_item_id} → ci {self.ci_id}"


class WorkItemService(TenantOwned):
    """A service (or offering) a work item affects directly, without naming a CI."""

    work_item = models.ForeignKey(
        "work.WorkItem", on_delete=models.CASCADE, related_name="service_links"
    )
    service = models.ForeignKey(
        "services.Service", on_delete=models.CASCADE, related_name="work_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["work_item", "service"], name="workitemsvc_unique"),
        ]
        indexes = [models.Index(fields=["service", "work_item"], name="workitemsvc_service")]

    def __str__(self) -> str:
        return f"{self.work_item_id} → service {self.service_id}"


class ImpactedService(TenantOwned):
    """A service a work item impacts: stored so lists show and filter without recomputing.

    Derived data, rewritten by `serval.cmdb.worklinks.recompute`: `via_ci` is the linked CI the
    impact starts from (null for a directly linked service), `path` the chain of
    ["ci" | "service", id] from there to this service, `severity` the rolled-up severity.
    """

    work_item = models.ForeignKey(
        "work.WorkItem", on_delete=models.CASCADE, related_name="impacted_services"
    )
    service = models.ForeignKey("services.Service", on_delete=models.CASCADE, related_name="+")
    via_ci = models.ForeignKey(
        CI, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    path = models.JSONField(default=list)
    # 1 warning … 4 critical (`serval.cmdb.impact`), the highest reaching it from the linked
    # CIs; 0 for a service linked directly, which carries no severity of its own.
    severity = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["depth", "service_id"]
        constraints = [
            models.UniqueConstraint(fields=["work_item", "service"], name="impactedsvc_unique"),
        ]
        # The list filter "incidents impacting service S".
        indexes = [models.Index(fields=["service", "work_item"], name="impactedsvc_service")]

    def __str__(self) -> str:
        return f"{self.work_item_id} impacts {self.service_id}"
