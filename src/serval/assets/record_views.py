"""Forms to create, edit and delete assets and contracts: thin adapters over `assets.actions`.

Who may: exactly what the actions enforce — agents of the record's tenant (`actions.can_manage`).
Anyone else, requesters and agents of other tenants alike, gets a 404 on every page here. Field
errors of the action go back on the form; a stale hidden version is a clear message, never a
silent overwrite (DESIGN.md rule 6).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from serval.assets import actions
from serval.assets.models import Asset, Contract
from serval.assets.querysets import assets_visible_to, contracts_visible_to
from serval.assets.record_forms import AssetForm, ContractForm, status_choices
from serval.cmdb.models import LifecycleStage
from serval.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from serval.people.models import User


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _asset(user: User, pk: int) -> Asset:
    asset = (
        assets_visible_to(user).select_related("tenant", "ci", "assigned_to").filter(pk=pk).first()
    )
    if asset is None or not actions.can_manage(user, asset.tenant_id):
        raise Http404
    return asset


def _contract(user: User, pk: int) -> Contract:
    contract = contracts_visible_to(user).select_related("tenant").filter(pk=pk).first()
    if contract is None or not actions.can_manage(user, contract.tenant_id):
        raise Http404
    return contract


def _may_create(user: User) -> None:
    if not actions.can_manage(user, user.tenant_id):
        raise Http404


def _put_errors(form: AssetForm | ContractForm, exc: ValidationFailed) -> None:
    for name, message in exc.as_dict().items():
        form.add_error(name if name in form.fields else None, str(message))


@login_required
@require_http_methods(["GET", "POST"])
def asset_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (pk None) or change an asset; agents of its tenant."""
    user = _user(request)
    asset = None
    if pk is not None:
        asset = _asset(user, pk)
    else:
        _may_create(user)
    form = AssetForm(request.POST or None, user=user, asset=asset)
    if request.method == "POST" and form.is_valid():
        try:
            values = form.action_values()
            if asset is None:
                asset = actions.create_asset(actor=user, tenant=form.chosen_tenant(), **values)
                messages.success(request, _("The asset “%s” was recorded.") % asset.name)
            else:
                asset = actions.update_asset(
                    actor=user,
                    asset=asset,
                    expected_version=form.cleaned_data.get("version"),
                    **values,
                )
                messages.success(request, _("The asset “%s” was saved.") % asset.name)
            return redirect("assets-detail", asset.pk)
        except ValidationFailed as exc:
            _put_errors(form, exc)
        except StaleVersion:
            form.add_error(
                None, _("Someone else saved this asset meanwhile; reload it and try again.")
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc.detail))
    context = {"form": form, "asset": asset, "options": form.options()}
    return render(request, "assets/records/asset_form.html", context)


@login_required
@require_GET
def lifecycle_statuses(request: HttpRequest) -> HttpResponse:
    """The status options of a stage, for the asset form's htmx refresh (agents only)."""
    user = _user(request)
    if not user.is_agent:
        raise Http404
    stage = request.GET.get("lifecycle_stage", "")
    if stage not in LifecycleStage.values:
        stage = LifecycleStage.INVENTORY
    return render(
        request, "assets/records/_status_options.html", {"statuses": status_choices(stage)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def asset_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then remove an asset (its contract coverage goes with it); POST only deletes."""
    user = _user(request)
    asset = _asset(user, pk)
    if request.method == "POST":
        name = asset.name
        actions.delete_asset(actor=user, asset=asset)
        messages.success(request, _("The asset “%s” was deleted.") % name)
        return redirect("assets-list")
    context = {
        "record": asset,
        "what": _("asset"),
        "cancel": asset,
        "covered_by": asset.contracts.count(),
    }
    return render(request, "assets/records/confirm_delete.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contract_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (pk None) or change a contract and the assets it covers; agents of its tenant."""
    user = _user(request)
    contract = None
    if pk is not None:
        contract = _contract(user, pk)
    else:
        _may_create(user)
    form = ContractForm(request.POST or None, user=user, contract=contract)
    if request.method == "POST" and form.is_valid():
        try:
            values = form.action_values()
            if contract is None:
                contract = actions.create_contract(
                    actor=user, tenant=form.chosen_tenant(), **values
                )
                messages.success(request, _("The contract “%s” was recorded.") % contract.name)
            else:
                contract = actions.update_contract(
                    actor=user,
                    contract=contract,
                    expected_version=form.cleaned_data.get("version"),
                    **values,
                )
                messages.success(request, _("The contract “%s” was saved.") % contract.name)
            return redirect("assets-contracts")
        except ValidationFailed as exc:
            _put_errors(form, exc)
        except StaleVersion:
            form.add_error(
                None, _("Someone else saved this contract meanwhile; reload it and try again.")
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc.detail))
    return render(
        request, "assets/records/contract_form.html", {"form": form, "contract": contract}
    )


@login_required
@require_http_methods(["GET", "POST"])
def contract_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then remove a contract (the assets it covered stay); POST only deletes."""
    user = _user(request)
    contract = _contract(user, pk)
    if request.method == "POST":
        name = contract.name
        actions.delete_contract(actor=user, contract=contract)
        messages.success(request, _("The contract “%s” was deleted.") % name)
        return redirect("assets-contracts")
    context = {"record": contract, "what": _("contract"), "cancel": None, "covered_by": 0}
    return render(request, "assets/records/confirm_delete.html", context)
