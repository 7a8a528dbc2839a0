"""People over the API: users, teams, organizations (readable; admins write) and own tokens.

Reads go through `people.querysets`, writes through `people.actions`. No schema here has a
field for a password hash or a token digest, so none can leak (SECURITY-REFERENCE H2, A7).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field, field_validator

from serval.api.auth import actor
from serval.api.concurrency import etag, expected_version
from serval.api.paging import DEFAULT_LIMIT, MAX_LIMIT, page
from serval.api.schemas import Id, In, OrganizationRef, UserKey, UserRef, problems
from serval.api.workitems import user_ref
from serval.core.errors import NotFound, PermissionDenied, ValidationFailed
from serval.core.models import Tenant
from serval.core.tenancy import reach
from serval.people import actions
from serval.people.models import ApiToken, Organization, Role, Team, User
from serval.people.querysets import (
    organizations_visible_to,
    teams_visible_to,
    users_visible_to,
)

router = Router(tags=["people"])
tokens_router = Router(tags=["tokens"])

RoleName = Literal[tuple(Role.values)]  # type: ignore[valid-type]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]


# --- schemas ---------------------------------------------------------------------------------


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    first_name: str
    last_name: str
    email: str
    role: str
    tenant: str
    organization: OrganizationRef | None
    time_zone: str
    is_active: bool
    manager: UserRef | None = Field(
        None, description="Line manager: approves what this person asks for (DOMAIN.md §2.4)."
    )
    version: int


class UserPage(Schema):
    items: list[UserOut]
    next: str | None


class TeamOut(Schema):
    id: int
    name: str
    email: str
    tenant: str
    shared: bool
    manager: UserRef | None
    members: list[UserRef]
    version: int


class TeamPage(Schema):
    items: list[TeamOut]
    next: str | None


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    tenant: str
    shared: bool


class OrganizationPage(Schema):
    items: list[OrganizationOut]
    next: str | None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    active: bool


class TokenCreated(TokenOut):
    token: str = Field(..., description="The secret; shown this once and never again.")


def _email(value: str | None) -> str | None:
    if value:
        try:
            validate_email(value)
        except DjangoValidationError as exc:
            raise ValueError(_("Enter a valid e-mail address.")) from exc
    return value


class UserCreate(In):
    username: str = Field(..., min_length=1, max_length=150)
    role: RoleName = Role.REQUESTER  # type: ignore[valid-type]
    email: str = Field("", max_length=254)
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    organization: Id | None = None
    tenant: str | None = Field(None, max_length=64)
    password: str | None = Field(None, max_length=128)
    manager: UserKey | None = None

    _check_email = field_validator("email")(_email)


class UserUpdate(In):
    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    email: str | None = Field(None, max_length=254)
    organization: Id | None = None
    manager: UserKey | None = Field(None, description="Id or username; null clears it.")
    time_zone: str | None = Field(None, min_length=1, max_length=64)

    _check_email = field_validator("email")(_email)


class TeamCreate(In):
    name: str = Field(..., min_length=1, max_length=200)
    email: str = Field("", max_length=254)
    manager: UserKey | None = None
    members: list[UserKey] = Field(default_factory=list, max_length=500)
    shared: bool = False
    tenant: str | None = Field(None, max_length=64)

    _check_email = field_validator("email")(_email)


class TeamUpdate(In):
    name: str | None = Field(None, min_length=1, max_length=200)
    email: str | None = Field(None, max_length=254)
    manager: UserKey | None = None
    members: list[UserKey] | None = Field(None, max_length=500)
    shared: bool | None = None

    _check_email = field_validator("email")(_email)


class OrganizationCreate(In):
    name: str = Field(..., min_length=1, max_length=200)
    kind: Literal["customer", "department"] = "department"
    shared: bool = False
    tenant: str | None = Field(None, max_length=64)


class OrganizationUpdate(In):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: Literal["customer", "department"] | None = None
    shared: bool | None = None


class TokenCreate(In):
    name: str = Field("API token", min_length=1, max_length=100)
    days: int | None = Field(None, ge=0, le=3650, description="0 = never expires.")


class PageParams(Schema):
    limit: Limit = DEFAULT_LIMIT
    cursor: str | None = Field(None, max_length=1000)


# --- shapes and lookups ----------------------------------------------------------------------


def user_out(user: User) -> dict[str, Any]:
    org = user.organization
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "tenant": user.tenant.slug,
        "organization": {"id": org.pk, "name": org.name} if org else None,
        "time_zone": user.time_zone,
        "is_active": user.is_active,
        "manager": user_ref(user.manager),
        "version": user.version,
    }


def team_out(team: Team) -> dict[str, Any]:
    return {
        "id": team.pk,
        "name": team.name,
        "email": team.email,
        "tenant": team.tenant.slug,
        "shared": team.shared,
        "manager": user_ref(team.manager),
        "members": [user_ref(m) for m in sorted(team.members.all(), key=lambda m: m.username)],
        "version": team.version,
    }


def organization_out(org: Organization) -> dict[str, Any]:
    return {
        "id": org.pk,
        "name": org.name,
        "kind": org.kind,
        "tenant": org.tenant.slug,
        "shared": org.shared,
    }


def token_out(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
        "last_used_at": token.last_used_at,
        "active": token.is_active,
    }


def _users(request: HttpRequest) -> Any:
    return users_visible_to(actor(request)).select_related("tenant", "organization", "manager")


def _teams(request: HttpRequest) -> Any:
    return (
        teams_visible_to(actor(request))
        .select_related("tenant", "manager")
        .prefetch_related("members")
    )


def _organizations(request: HttpRequest) -> Any:
    return organizations_visible_to(actor(request)).select_related("tenant")


def _tenant(request: HttpRequest, slug: str | None) -> Tenant:
    user = actor(request)
    if slug is None:
        return user.tenant
    tenant = Tenant.objects.filter(pk__in=reach(user), slug=slug).first()
    if tenant is None:
        raise ValidationFailed({"tenant": _("Unknown tenant.")})
    return tenant


def _person(request: HttpRequest, key: int | str, *, field: str) -> User:
    qs = users_visible_to(actor(request))
    found = qs.filter(pk=key).first() if isinstance(key, int) else qs.filter(username=key).first()
    if found is None:
        raise ValidationFailed({field: _("Unknown user.")})
    return found  # type: ignore[no-any-return]


def _writable(request: HttpRequest, obj: Team | Organization) -> None:
    """Reference data inherited from a parent tenant is read-only down here."""
    user = actor(request)
    if not user.is_admin or obj.tenant_id not in reach(user):
        raise PermissionDenied(_("Only administrators of its tenant can change this."))


# --- users -----------------------------------------------------------------------------------


@router.get("/users", response={200: UserPage, **problems()})
def list_users(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    """People the caller may see: agents their tenants' people, requesters only themselves."""
    rows, next_link = page(
        request, _users(request), ordering="username", limit=params.limit, cursor=params.cursor
    )
    return {"items": [user_out(u) for u in rows], "next": next_link}


@router.get("/users/me", response={200: UserOut, **problems()})
def me(request: HttpRequest) -> dict[str, Any]:
    return user_out(_users(request).get(pk=actor(request).pk))


@router.get("/users/{id}", response={200: UserOut, **problems(404)})
def get_user(request: HttpRequest, id: Id, response: HttpResponse) -> dict[str, Any]:
    user = _users(request).filter(pk=id).first()
    if user is None:
        raise NotFound(_("No such user."))
    response["ETag"] = etag(user.pk, user.version)
    return user_out(user)


@router.patch("/users/{id}", response={200: UserOut, **problems(403, 404, 412)})
def update_user(
    request: HttpRequest, id: Id, payload: UserUpdate, response: HttpResponse
) -> dict[str, Any]:
    """Edit an account (administrators): names, e-mail, organization, manager, time zone.

    The manager must work in the user's tenant and not report (directly or not) to the user.
    Honours If-Match like teams do.
    """
    caller = actor(request)
    user = _users(request).filter(pk=id).first()
    if user is None:
        raise NotFound(_("No such user."))
    if not caller.is_admin:
        raise PermissionDenied(_("Only administrators can change accounts."))
    raw: dict[str, Any] = payload.model_dump(exclude_unset=True)
    if "manager" in raw:
        raw["manager"] = (
            _person(request, raw["manager"], field="manager") if raw["manager"] else None
        )
    if "organization" in raw and raw["organization"] is not None:
        org = organizations_visible_to(caller).filter(pk=raw["organization"]).first()
        if org is None:
            raise ValidationFailed({"organization": _("Unknown organization.")})
        raw["organization"] = org
    version = expected_version(request, pk=user.pk, current=user.version)
    actions.update_user(actor=caller, user=user, expected_version=version, **raw)
    fresh = _users(request).get(pk=user.pk)
    response["ETag"] = etag(fresh.pk, fresh.version)
    return user_out(fresh)


@router.post("/users", response={201: UserOut, **problems(403)})
def create_user(request: HttpRequest, payload: UserCreate) -> Status[dict[str, Any]]:
    """Create an account (administrators); without a password it cannot sign in yet."""
    user = actor(request)
    if not user.is_admin:
        raise PermissionDenied(_("Only administrators can create users."))
    organization = None
    if payload.organization is not None:
        organization = organizations_visible_to(user).filter(pk=payload.organization).first()
        if organization is None:
            raise ValidationFailed({"organization": _("Unknown organization.")})
    created = actions.create_user(
        actor=user,
        username=payload.username,
        tenant=_tenant(request, payload.tenant),
        role=payload.role,
        password=payload.password,
        email=payload.email,
        first_name=payload.first_name,
        last_name=payload.last_name,
        organization=organization,
        manager=_person(request, payload.manager, field="manager") if payload.manager else None,
    )
    return Status(201, user_out(_users(request).get(pk=created.pk)))


# --- teams -----------------------------------------------------------------------------------


@router.get("/teams", response={200: TeamPage, **problems()})
def list_teams(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    rows, next_link = page(
        request, _teams(request), ordering="name", limit=params.limit, cursor=params.cursor
    )
    return {"items": [team_out(t) for t in rows], "next": next_link}


def _team(request: HttpRequest, id: int) -> Team:
    team = _teams(request).filter(pk=id).first()
    if team is None:
        raise NotFound(_("No such team."))
    return team  # type: ignore[no-any-return]


@router.get("/teams/{id}", response={200: TeamOut, **problems(404)})
def get_team(request: HttpRequest, id: Id, response: HttpResponse) -> dict[str, Any]:
    team = _team(request, id)
    response["ETag"] = etag(team.pk, team.version)
    return team_out(team)


@router.post("/teams", response={201: TeamOut, **problems(403)})
def create_team(request: HttpRequest, payload: TeamCreate) -> Status[dict[str, Any]]:
    """Create an assignment group (administrators)."""
    if not actor(request).is_admin:
        raise PermissionDenied(_("Only administrators can change reference data."))
    team = actions.create_team(
        actor=actor(request),
        tenant=_tenant(request, payload.tenant),
        name=payload.name,
        email=payload.email,
        manager=_person(request, payload.manager, field="manager") if payload.manager else None,
        members=[_person(request, m, field="members") for m in payload.members],
        shared=payload.shared,
    )
    return Status(201, team_out(_team(request, team.pk)))


@router.patch("/teams/{id}", response={200: TeamOut, **problems(403, 404, 412)})
def update_team(
    request: HttpRequest, id: Id, payload: TeamUpdate, response: HttpResponse
) -> dict[str, Any]:
    """Change a team (administrators); honours If-Match like incidents do."""
    team = _team(request, id)
    _writable(request, team)
    raw: dict[str, Any] = payload.model_dump(exclude_unset=True)
    if "manager" in raw:
        raw["manager"] = (
            _person(request, raw["manager"], field="manager") if raw["manager"] else None
        )
    if "members" in raw:
        raw["members"] = [_person(request, m, field="members") for m in raw["members"] or []]
    version = expected_version(request, pk=team.pk, current=team.version)
    actions.update_team(actor=actor(request), team=team, expected_version=version, **raw)
    fresh = _team(request, team.pk)
    response["ETag"] = etag(fresh.pk, fresh.version)
    return team_out(fresh)


# --- organizations ---------------------------------------------------------------------------


@router.get("/organizations", response={200: OrganizationPage, **problems()})
def list_organizations(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    rows, next_link = page(
        request, _organizations(request), ordering="name", limit=params.limit, cursor=params.cursor
    )
    return {"items": [organization_out(o) for o in rows], "next": next_link}


def _organization(request: HttpRequest, id: int) -> Organization:
    org = _organizations(request).filter(pk=id).first()
    if org is None:
        raise NotFound(_("No such organization."))
    return org  # type: ignore[no-any-return]


@router.get("/organizations/{id}", response={200: OrganizationOut, **problems(404)})
def get_organization(request: HttpRequest, id: Id) -> dict[str, Any]:
    return organization_out(_organization(request, id))


@router.post("/organizations", response={201: OrganizationOut, **problems(403)})
def create_organization(
    request: HttpRequest, payload: OrganizationCreate
) -> Status[dict[str, Any]]:
    if not actor(request).is_admin:
        raise PermissionDenied(_("Only administrators can change reference data."))
    org = actions.create_organization(
        actor=actor(request),
        tenant=_tenant(request, payload.tenant),
        name=payload.name,
        kind=payload.kind,
        shared=payload.shared,
    )
    return Status(201, organization_out(_organization(request, org.pk)))


@router.patch("/organizations/{id}", response={200: OrganizationOut, **problems(403, 404)})
def update_organization(
    request: HttpRequest, id: Id, payload: OrganizationUpdate
) -> dict[str, Any]:
    org = _organization(request, id)
    _writable(request, org)
    actions.update_organization(
        actor=actor(request), organization=org, **payload.model_dump(exclude_unset=True)
    )
    return organization_out(_organization(request, id))


# --- the caller's own API tokens -------------------------------------------------------------


@tokens_router.get("", response={200: list[TokenOut], **problems()})
def list_tokens(request: HttpRequest) -> list[dict[str, Any]]:
    """Your tokens, newest first; only their prefixes, never the secret or its digest."""
    tokens = ApiToken.objects.filter(user=actor(request)).order_by("-created_at", "-pk")
    return [token_out(t) for t in tokens[:500]]


@tokens_router.post("", response={201: TokenCreated, **problems(403)})
def create_token(request: HttpRequest, payload: TokenCreate) -> Status[dict[str, Any]]:
    """Make a token for yourself; the secret is in this response and nowhere else, ever."""
    user = actor(request)
    token, secret = actions.create_token(
        actor=user, user=user, name=payload.name, days=payload.days
    )
    return Status(201, {**token_out(token), "token": secret})


@tokens_router.delete("/{id}", response={204: None, **problems(404)})
def revoke_token(request: HttpRequest, id: Id) -> Status[None]:
    token = ApiToken.objects.filter(user=actor(request), pk=id).select_related("user").first()
    if token is None:
        raise NotFound(_("No such token."))
    actions.revoke_token(actor=actor(request), token=token)
    return Status(204, None)
