"""The service portfolio: business and technical services and their offerings (DOMAIN.md §2.11).

Service hours are a business calendar of `serval.sla` (working intervals, time zone, holidays),
the same kind of record SLA targets count on.

A service is a portfolio record with owners, customers, cost and value; it is *not* a CI. What
realizes it in the CMDB is recorded by `cmdb.ServiceCI` links (CSDM style: business service →
offering → the CIs that deliver it), which is what impact analysis follows up to the service.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from serval.core.models import TenantOwned


class ServiceKind(models.TextChoices):
    BUSINESS = "business", _("Business service")
    TECHNICAL = "technical", _("Technical service")
    OFFERING = "offering", _("Service offering")


class ServiceStatus(models.TextChoices):
    """The portfolio's three parts: pipeline, catalogue (live) and retired."""

    PIPELINE = "pipeline", _("Pipeline")
    LIVE = "live", _("Live")
    RETIRED = "retired", _("Retired")


class Criticality(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Service(TenantOwned):
    """One business service, technical service or offering; an offering has a parent service."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=16, choices=ServiceKind.choices, default=ServiceKind.BUSINESS
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="offerings",
        verbose_name=_("service"),
    )
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("lifecycle status"),
        max_length=16,
        choices=ServiceStatus.choices,
        default=ServiceStatus.PIPELINE,
    )
    criticality = models.CharField(
        _("criticality"), max_length=16, choices=Criticality.choices, default=Criticality.MEDIUM
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
    customers = models.ManyToManyField(
        "people.Organization", blank=True, related_name="services", verbose_name=_("customers")
    )
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True, blank=True)
    service_hours = models.ForeignKey(
        "sla.BusinessCalendar",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("service hours"),
        help_text=_("The business calendar the service is provided in; empty: not stated."),
    )
    shared = models.BooleanField(_("shared with sub-tenants"), default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="service_unique_name"),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="service_not_own_parent"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status"], name="service_tenant_status"),
            models.Index(fields=["tenant", "kind"], name="service_tenant_kind"),
            models.Index(fields=["tenant", "criticality"], name="service_tenant_crit"),
        ]

    def __str__(self) -> str:
        return self.name
