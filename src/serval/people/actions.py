"""Actions on people: accounts, teams, organizations, API tokens and login throttling."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from functools import cache
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.utils import timezone

from serval.core import journal
from serval.core.errors import NotFound, PermissionDenied, ValidationFailed, check_version
from serval.core.models import Tenant
from serval.core.rawrows import RowReader, column, select_list, table
from serval.core.tenancy import reach, reference_visible_in
from serval.core.text import optional_email, optional_text, required_text
from serval.people.models import ApiToken, LoginFailure, Organization, Role, Team, User

TOKEN_PREFIX = "srv_"
# `last_used_at` is written at most this often per token, not on every request.
TOKEN_USE_RESOLUTION = timedelta(minutes=5)


def _require_admin(actor: User | None) -> None:
    if actor is not None and not actor.is_admin:
        raise PermissionDenied("Only administrators can change reference data.")


def _tenant_in_reach(actor: User | None, tenant: Tenant) -> None:
    if actor is not None and tenant.pk not in reach(actor):
        raise NotFound("Unknown tenant.")


def create_user(
    *,
    actor: User | None,
    username: str,
    tenant: Tenant,
    role: str = Role.REQUESTER,
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    organization: Organization | None = None,
    manager: User | None = None,
) -> User:
    """Create an account; `actor=None` is the operator at the command line."""
    _require_admin(actor)
    _tenant_in_reach(actor, tenant)
    errors: dict[str, str] = {}
    try:
        username = required_text(username, field="username", limit=150)
        email = optional_email(email)
        first_name = optional_text(first_name, field="first_name", limit=150)
        last_name = optional_text(last_name, field="last_name", limit=150)
    except ValidationFailed as exc:
        errors.update(exc.as_dict())
    if "username" not in errors and User.objects.filter(username=username).exists():
        errors["username"] = "That username is taken."
    if role not in Role.values:
        errors["role"] = f"One of {', '.join(Role.values)}."
    if organization is not None and not reference_visible_in(
        owner_tenant=organization.tenant, shared=organization.shared, target=tenant
    ):
        errors["organization"] = "Unknown organization."
    if manager is not None and (not manager.is_active or tenant.pk not in reach(manager)):
        errors["manager"] = "Unknown user."
    if password:
        try:
            validate_password(password, User(username=username, email=email))
        except DjangoValidationError as exc:
            errors["password"] = " ".join(exc.messages)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        user = User(
            username=username,
            tenant=tenant,
            role=role,
            email=email,
            first_name=first_name,
            last_name=last_name,
            organization=organization,
            manager=manager,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        journal.append(
            tenant=tenant,
            subject_type="user",
            subject_id=user.pk,
            verb="created",
            actor=actor,
            data={
                "username": username,
                "role": role,
                **({"manager": manager.username} if manager else {}),
            },
        )
    return user


USER_FIELDS = {"first_name", "last_name", "email", "organization", "manager", "time_zone"}


def _check_manager(user: User, manager: User | None) -> None:
    """A manager works in the user's tenant, is active, and is not below the user (no cycles)."""
    if manager is None:
        return
    if manager.pk == user.pk:
        raise ValidationFailed({"manager": "Nobody is their own manager."})
    if not manager.is_active or user.tenant_id not in reach(manager):
        raise ValidationFailed({"manager": "Unknown user."})
    seen = {user.pk}
    current: User | None = manager
    while current is not None:
        if current.pk in seen:
            raise ValidationFailed(
                {"manager": f"{manager.username} reports to {user.username}: that is a cycle."}
            )
        seen.add(current.pk)
        current = User.objects.filter(pk=current.manager_id).first() if current.manager_id else None
        if len(seen) > 1000:  # a chain this long is already wrong data; stop walking
            break


def update_user(
    *, actor: User, user: User, expected_version: int | None = None, **raw: Any
) -> User:
    """An administrator edits an account: names, e-mail, organization, manager, time zone."""
    _require_admin(actor)
    if user.tenant_id not in reach(actor):
        raise NotFound("Unknown user.")
    unknown = sorted(set(raw) - USER_FIELDS)
    if unknown:
        raise ValidationFailed({f: "This field cannot be changed here." for f in unknown})
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        check_version(expected_version, user.version)
        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        for name, value in raw.items():
            try:
                if name in ("first_name", "last_name"):
                    values[name] = optional_text(value, field=name, limit=150)
                elif name == "email":
                    values[name] = optional_email(value)
                elif name == "time_zone":
                    values[name] = _time_zone(value)
                elif name == "organization":
                    if value is not None and not reference_visible_in(
                        owner_tenant=value.tenant, shared=value.shared, target=user.tenant
                    ):
                        raise ValidationFailed({name: "Unknown organization."})
                    values[name] = value
                elif name == "manager":
                    _check_manager(user, value)
                    values[name] = value
            except ValidationFailed as exc:
                errors.update(exc.as_dict())
        if errors:
            raise ValidationFailed(errors)
        changes: dict[str, Any] = {}
        for name, value in values.items():
            old = getattr(user, name)
            if old != value:
                changes[name] = [_label(old), _label(value)]
                setattr(user, name, value)
        if not changes:
            return user
        user.version += 1
        user.save(update_fields=[*values, "version"])
        journal.append(
            tenant=user.tenant_id,
            subject_type="user",
            subject_id=user.pk,
            verb="updated",
            actor=actor,
            data={"changes": changes},
        )
    return user


def _label(value: Any) -> Any:
    """How a changed value is journaled: people by username, organizations by name."""
    if isinstance(value, User):
        return value.username
    if isinstance(value, Organization):
        return value.name
    return value


def _time_zone(value: Any) -> str:
    import zoneinfo

    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        raise ValidationFailed({"time_zone": "A time zone such as Europe/Paris."})
    try:
        zoneinfo.ZoneInfo(value.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed({"time_zone": "A time zone such as Europe/Paris."}) from None
    return value.strip()


def create_team(
    *,
    actor: User | None,
    tenant: Tenant,
    name: str,
    email: str = "",
    manager: User | None = None,
    members: list[User] | None = None,
    shared: bool = False,
) -> Team:
    _require_admin(actor)
    _tenant_in_reach(actor, tenant)
    name = required_text(name, field="name", limit=200)
    email = optional_email(email)
    if Team.objects.filter(tenant=tenant, name=name).exists():
        raise ValidationFailed({"name": "A team with this name exists."})
    people = [*(members or []), *([manager] if manager else [])]
    for person in people:
        if tenant.pk not in reach(person):
            raise ValidationFailed({"members": f"{person.username} does not work in this tenant."})
    with transaction.atomic():
        team = Team.objects.create(
            tenant=tenant, name=name, email=email, manager=manager, shared=shared
        )
        if members:
            team.members.set(members)
        journal.append(
            tenant=tenant,
            subject_type="team",
            subject_id=team.pk,
            verb="created",
            actor=actor,
            data={"name": name, "members": sorted(m.username for m in members or [])},
        )
    return team


def update_team(
    *, actor: User, team: Team, expected_version: int | None = None, **raw: Any
) -> Team:
    _require_admin(actor)
    allowed = {"name", "email", "manager", "members", "shared"}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ValidationFailed({f: "Unknown field." for f in unknown})
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        check_version(expected_version, team.version)
        changes: dict[str, Any] = {}
        if "name" in raw:
            name = required_text(raw["name"], field="name", limit=200)
            if Team.objects.filter(tenant=team.tenant, name=name).exclude(pk=team.pk).exists():
                raise ValidationFailed({"name": "A team with this name exists."})
            changes["name"] = [team.name, name]
            team.name = name
        if "email" in raw:
            email = optional_email(raw["email"])
            changes["email"] = [team.email, email]
            team.email = email
        if "shared" in raw:
            changes["shared"] = [team.shared, bool(raw["shared"])]
            team.shared = bool(raw["shared"])
        for key in ("manager", "members"):
            people = raw.get(key)
            if people is None:
                continue
            for person in people if key == "members" else [people]:
                if team.tenant_id not in reach(person):
                    raise ValidationFailed({key: f"{person.username} does not work here."})
        if raw.get("manager") is not None or "manager" in raw:
            old = team.manager.username if team.manager else None
            team.manager = raw.get("manager")
            changes["manager"] = [old, team.manager.username if team.manager else None]
        team.version += 1
        team.save()
        if raw.get("members") is not None:
            before = sorted(team.members.values_list("username", flat=True))
            team.members.set(raw["members"])
            changes["members"] = [before, sorted(m.username for m in raw["members"])]
        journal.append(
            tenant=team.tenant_id,
            subject_type="team",
            subject_id=team.pk,
            verb="updated",
            actor=actor,
            data={"changes": changes},
        )
    return team


def create_organization(
    *, actor: User | None, tenant: Tenant, name: str, kind: str = "department", shared: bool = False
) -> Organization:
    _require_admin(actor)
    _tenant_in_reach(actor, tenant)
    name = required_text(name, field="name", limit=200)
    if kind not in ("customer", "department"):
        raise ValidationFailed({"kind": "One of customer, department."})
    if Organization.objects.filter(tenant=tenant, name=name).exists():
        raise ValidationFailed({"name": "An organization with this name exists."})
    with transaction.atomic():
        org = Organization.objects.create(tenant=tenant, name=name, kind=kind, shared=shared)
        journal.append(
            tenant=tenant,
            subject_type="organization",
            subject_id=org.pk,
            verb="created",
            actor=actor,
            data={"name": name, "kind": kind},
        )
    return org


def update_organization(*, actor: User, organization: Organization, **raw: Any) -> Organization:
    """Rename an organization, change its kind or sharing (admins only), journaled."""
    _require_admin(actor)
    _tenant_in_reach(actor, organization.tenant)
    unknown = sorted(set(raw) - {"name", "kind", "shared"})
    if unknown:
        raise ValidationFailed({f: "Unknown field." for f in unknown})
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        changes: dict[str, Any] = {}
        if "name" in raw:
            name = required_text(raw["name"], field="name", limit=200)
            taken = Organization.objects.filter(tenant_id=org.tenant_id, name=name)
            if taken.exclude(pk=org.pk).exists():
                raise ValidationFailed({"name": "An organization with this name exists."})
            changes["name"], org.name = [org.name, name], name
        if "kind" in raw:
            if raw["kind"] not in ("customer", "department"):
                raise ValidationFailed({"kind": "One of customer, department."})
            changes["kind"], org.kind = [org.kind, raw["kind"]], raw["kind"]
        if "shared" in raw:
            changes["shared"], org.shared = [org.shared, bool(raw["shared"])], bool(raw["shared"])
        changes = {k: v for k, v in changes.items() if v[0] != v[1]}
        if changes:
            org.save()
            journal.append(
                tenant=org.tenant_id,
                subject_type="organization",
                subject_id=org.pk,
                verb="updated",
                actor=actor,
                data={"changes": changes},
            )
    return org


# --- API tokens ---------------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    *, actor: User | None, user: User, name: str = "API token", days: int | None = None
) -> tuple[ApiToken, str]:
    """Make a token and return it with its plain text, which is shown once and never stored."""
    if actor is not None and actor.pk != user.pk and not actor.is_admin:
        raise PermissionDenied("You can only create tokens for yourself.")
    name = optional_text(name, field="name", limit=100) or "API token"
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    if days < 0 or days > 3650:
        raise ValidationFailed({"days": "Between 0 (never expires) and 3650."})
    prefix = secrets.token_hex(5)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=prefix,
            digest=_digest(secret),
            expires_at=timezone.now() + timedelta(days=days) if days else None,
        )
        journal.append(
            tenant=user.tenant_id,
            subject_type="user",
            subject_id=user.pk,
            verb="token_created",
            actor=actor,
            data={"token": prefix, "name": name, "days": days},
        )
    return token, secret


def revoke_token(*, actor: User | None, token: ApiToken) -> None:
    """Revoke a token; `actor=None` is the operator at the command line."""
    if actor is not None and token.user_id != actor.pk and not actor.is_admin:
        raise NotFound()
    with transaction.atomic():
        if token.revoked_at is None:
            ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
            journal.append(
                tenant=token.user.tenant_id,
                subject_type="user",
                subject_id=token.user_id,
                verb="token_revoked",
                actor=actor,
                data={"token": token.prefix},
            )


@cache
def _token_statement(vendor: str) -> tuple[str, RowReader, RowReader]:
    """The bearer token's lookup, written once per process (`serval.core.rawrows`).

    One statement returns the token's id, digest and state with its user and the user's home
    tenant (creating an item there needs it). The ORM compiled this three-table query on every
    API request, ~1 ms of a queue request's CPU (issue 6). Parameters: now (for "active"),
    now minus the `last_used_at` resolution (for "stale") and the prefix.
    """
    revoked, expires, used = (
        column(ApiToken, name) for name in ("revoked_at", "expires_at", "last_used_at")
    )
    # Only identifiers from the models' metadata go into the text.
    sql = (
        f"SELECT {select_list(User, 'u')}, {select_list(Tenant, 'h')},"  # noqa: S608
        f" t.{column(ApiToken, 'id')}, t.{column(ApiToken, 'digest')},"
        f" CASE WHEN t.{revoked} IS NULL AND (t.{expires} IS NULL OR t.{expires} > %s)"
        f" THEN 1 ELSE 0 END,"
        f" CASE WHEN t.{used} IS NULL OR t.{used} < %s THEN 1 ELSE 0 END"
        f" FROM {table(ApiToken)} t"
        f" JOIN {table(User)} u ON u.{column(User, 'id')} = t.{column(ApiToken, 'user')}"
        f" JOIN {table(Tenant)} h ON h.{column(Tenant, 'id')} = u.{column(User, 'tenant')}"
        f" WHERE t.{column(ApiToken, 'prefix')} = %s"
    )
    return sql, RowReader(User), RowReader(Tenant)


def authenticate_token(raw: str) -> User | None:
    """The active user behind a bearer token, or None; constant-time on the secret part."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    try:
        prefix = raw[len(TOKEN_PREFIX) :].split("_", 1)[0]
    except IndexError:
        return None
    # Prefixes are 10 hex digits; anything else (a NUL would even be a PostgreSQL error) is no
    # token, and is refused before it reaches the database.
    if len(prefix) != 10 or prefix.strip("0123456789abcdef"):
        return None
    sql, read_user, read_tenant = _token_statement(connection.vendor)
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(sql, [adapt(now), adapt(now - TOKEN_USE_RESOLUTION), prefix])
        row = cursor.fetchone()
    if row is None:
        return None
    token_id, digest, active, stale = row[-4:]
    if not hmac.compare_digest(digest, _digest(raw)):
        return None
    user = cast(User, read_user(row))
    if not active or not user.is_active:
        return None
    tenant = read_tenant(row, read_user.width)
    User._meta.get_field("tenant").set_cached_value(user, tenant)
    if stale:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return user


# --- login throttling ---------------------------------------------------------------------


def _throttle_key(value: str, length: int) -> str:
    """Raw form input as a counter key: NUL dropped (PostgreSQL refuses it in text), cut."""
    return value.replace("\x00", "").lower()[:length]


def login_blocked(*, username: str, address: str) -> bool:
    """Too many recent failures for this username, or from this address."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW)
    recent = LoginFailure.objects.filter(at__gte=since)
    limit = settings.LOGIN_THROTTLE_LIMIT
    return (
        recent.filter(username=_throttle_key(username, 150)).count() >= limit
        or recent.filter(address=_throttle_key(address, 64)).count() >= limit * 4
    )


def record_login_failure(*, username: str, address: str) -> None:
    LoginFailure.objects.create(
        username=_throttle_key(username, 150), address=_throttle_key(address, 64)
    )


def clear_login_failures(*, username: str) -> None:
    LoginFailure.objects.filter(username=_throttle_key(username, 150)).delete()


def change_password(*, actor: User, current: str, new: str) -> None:
    if not actor.check_password(current):
        raise ValidationFailed({"old_password": "That is not your current password."})
    try:
        validate_password(new, actor)
    except DjangoValidationError as exc:
        raise ValidationFailed({"new_password1": " ".join(exc.messages)}) from exc
    with transaction.atomic():
        actor.set_password(new)
        actor.save(update_fields=["password"])
        journal.append(
            tenant=actor.tenant_id,
            subject_type="user",
            subject_id=actor.pk,
            verb="password_changed",
            actor=actor,
        )
