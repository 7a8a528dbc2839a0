"""Forms of the software catalogue and of licences: create, edit and delete products, their
versions and licences.

Thin adapters (DESIGN.md rule 1): every write is an action of `serval.assets.software`, which
checks permissions, validates (date order, one version string per product), journals and refuses
stale edits. The catalogue is administrators' work (`can_manage_catalogue`), licences are agents'
(`can_manage`): anyone else gets a 404, as for a record out of reach. A validation error is put
back on the form field it names; a stale edit says so; a refused deletion is a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from serval.assets import software as catalogue
from serval.assets.actions import can_manage
from serval.assets.models import Licence, SoftwareProduct, SoftwareVersion
from serval.assets.querysets import licences_visible_to, products_visible_to, versions_visible_to
from serval.assets.software_forms import LicenceForm, ProductForm, VersionForm
from serval.core.errors import NotFound, PermissionDenied, StaleVersion, ValidationFailed
from serval.people.models import User

STALE = gettext_lazy("Someone else saved this record meanwhile; reload it and try again.")


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _errors_to_form(form: Any, exc: ValidationFailed) -> None:
    for name, message in exc.as_dict().items():
        form.add_error(name if name in form.fields else None, str(message))


def _errors_to_messages(request: HttpRequest, exc: ValidationFailed) -> None:
    for message in exc.as_dict().values():
        messages.error(request, str(message))


def _product(user: User, pk: int) -> SoftwareProduct:
    """A product the user may change: visible and of a tenant they administer; else 404."""
    product = products_visible_to(user).filter(pk=pk).first()
    if product is None or not catalogue.can_manage_catalogue(user, product.tenant_id):
        raise Http404
    return product


def _version(user: User, pk: int) -> SoftwareVersion:
    version = versions_visible_to(user).select_related("product").filter(pk=pk).first()
    if version is None or not catalogue.can_manage_catalogue(user, version.tenant_id):
        raise Http404
    return version


def _licence(user: User, pk: int) -> Licence:
    licence = (
        licences_visible_to(user)
        .select_related("product")
        .prefetch_related("assigned_users")
        .filter(pk=pk)
        .first()
    )
    if licence is None or not can_manage(user, licence.tenant_id):
        raise Http404
    return licence


# --- products ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (pk None) or change a product of the catalogue; administrators of its tenant."""
    user = _user(request)
    product = _product(user, pk) if pk is not None else None
    if product is None and not catalogue.can_manage_catalogue(user, user.tenant_id):
        raise Http404
    form = ProductForm(request.POST or None, product=product)
    if request.method == "POST" and form.is_valid():
        try:
            values = form.action_values()
            if product is None:
                product = catalogue.create_product(actor=user, **values)
                messages.success(request, _("The product “%s” was created.") % product)
            else:
                product = catalogue.update_product(
                    actor=user,
                    product=product,
                    expected_version=form.cleaned_data.get("version"),
                    **values,
                )
                messages.success(request, _("The product “%s” was saved.") % product)
            return redirect("assets-software")
        except ValidationFailed as exc:
            _errors_to_form(form, exc)
        except StaleVersion:
            form.add_error(None, STALE)
    return render(request, "assets/catalogue/product_form.html", {"form": form, "product": product})


@login_required
@require_POST
def product_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a product and its versions; refused (a message) while installed or licensed."""
    user = _user(request)
    product = _product(user, pk)
    name = str(product)
    try:
        catalogue.delete_product(actor=user, product=product)
    except ValidationFailed as exc:
        _errors_to_messages(request, exc)
        return redirect("assets-software-product-edit", product.pk)
    messages.success(request, _("The product “%s” was deleted.") % name)
    return redirect("assets-software")


# --- versions ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def version_edit(
    request: HttpRequest, product_pk: int | None = None, pk: int | None = None
) -> HttpResponse:
    """Add a version to a product (product_pk) or change one (pk) with its lifecycle dates."""
    user = _user(request)
    software_version = _version(user, pk) if pk is not None else None
    product = (
        software_version.product
        if software_version is not None
        else _product(user, product_pk or 0)
    )
    form = VersionForm(request.POST or None, software_version=software_version)
    if request.method == "POST" and form.is_valid():
        try:
            values = form.action_values()
            if software_version is None:
                software_version = catalogue.create_version(actor=user, product=product, **values)
                done = _("The version %(version)s of %(product)s was created.")
            else:
                software_version = catalogue.update_version(
                    actor=user,
                    software_version=software_version,
                    expected_version=form.cleaned_data.get("row_version"),
                    **values,
                )
                done = _("The version %(version)s of %(product)s was saved.")
            messages.success(
                request, done % {"version": software_version.version, "product": product}
            )
            return redirect("assets-software")
        except ValidationFailed as exc:
            _errors_to_form(form, exc)
        except StaleVersion:
            form.add_error(None, STALE)
    context = {"form": form, "product": product, "software_version": software_version}
    return render(request, "assets/catalogue/version_form.html", context)


@login_required
@require_POST
def version_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a version; refused (a message) while a CI runs it."""
    user = _user(request)
    version = _version(user, pk)
    label = {"version": version.version, "product": version.product}
    try:
        catalogue.delete_version(actor=user, version=version)
    except ValidationFailed as exc:
        _errors_to_messages(request, exc)
        return redirect("assets-software-version-edit", version.pk)
    messages.success(request, _("The version %(version)s of %(product)s was deleted.") % label)
    return redirect("assets-software")


# --- licences ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def licence_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Record (pk None) or change a licence; agents of its tenant."""
    user = _user(request)
    licence = _licence(user, pk) if pk is not None else None
    if licence is None and not can_manage(user, user.tenant_id):
        raise Http404
    form = LicenceForm(request.POST or None, user=user, licence=licence)
    if request.method == "POST" and form.is_valid():
        try:
            values = form.action_values(user)
            if licence is None:
                licence = catalogue.create_licence(actor=user, **values)
                messages.success(request, _("The licence “%s” was recorded.") % licence.name)
            else:
                licence = catalogue.update_licence(
                    actor=user,
                    licence=licence,
                    expected_version=form.cleaned_data.get("version"),
                    **values,
                )
                messages.success(request, _("The licence “%s” was saved.") % licence.name)
            return redirect("assets-licences")
        except ValidationFailed as exc:
            _errors_to_form(form, exc)
        except StaleVersion:
            form.add_error(None, STALE)
        except (PermissionDenied, NotFound) as exc:
            form.add_error(None, str(exc.detail))
    return render(request, "assets/catalogue/licence_form.html", {"form": form, "licence": licence})


@login_required
@require_POST
def licence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    licence = _licence(user, pk)
    name = licence.name
    catalogue.delete_licence(actor=user, licence=licence)
    messages.success(request, _("The licence “%s” was deleted.") % name)
    return redirect("assets-licences")
