"""People: users and roles, organizations, teams (assignment groups), tenant grants, tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from serval.core.models import Tenant, TenantOwned


class Role(models.TextChoices):
    REQUESTER = "requester", _("Requester")
    AGENT = "agent", _("Agent")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")


class ServalUserManager(UserManager["User"]):
    def create_superuser(self, username, email=None, password=None, **extra):  # type: ignore[no-untyped-def, override]
        extra.setdefault("role", Role.ADMIN)
        if "tenant" not in extra and "tenant_id" not in extra:
            extra["tenant"] = Tenant.objects.order_by("pk").first()
        return super().create_superuser(username, email, password, **extra)


class Organization(TenantOwned):
    """A customer or department whose people ask IT for help."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"),
        max_length=16,
        default="department",
        choices=[("customer", _("Customer")), ("department", _("Department"))],
    )
    shared = models.BooleanField(_("shared with sub-tenants"), default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="organization_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="users")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.REQUESTER)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    # Line manager: approves what their people ask for (changes, requests), DOMAIN.md §2.3/§2.4.
    manager = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        verbose_name=_("manager"),
    )
    version = models.PositiveIntegerField(default=1)

    objects = ServalUserManager()  # type: ignore[misc]

    class Meta:
        ordering = ["username"]

    @property
    def is_agent(self) -> bool:
        return self.role in {Role.AGENT, Role.MANAGER, Role.ADMIN}

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class TenantGrant(models.Model):
    """Lets a user work in another tenant, optionally in its whole subtree (MSP staff)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tenant_grants")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    include_descendants = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "tenant"], name="tenant_grant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.tenant_id}"


class Team(TenantOwned):
    """An assignment group: who can pick up work, who manages it, where its mail goes."""

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    manager = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_teams"
    )
    members = models.ManyToManyField(User, blank=True, related_name="teams")
    shared = models.BooleanField(_("shared with sub-tenants"), default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, so a database leak does not leak access."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class LoginFailure(models.Model):
    """Failed logins by username and address, counted to throttle guessing across processes."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.username} from {self.address}"
