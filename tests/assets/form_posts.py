"""What the asset and contract forms post: every field, as a browser sends it, with overrides."""

from __future__ import annotations

from typing import Any

ASSET_FIELDS = {
    "name": "",
    "kind": "hardware",
    "asset_tag": "",
    "serial": "",
    "manufacturer": "",
    "model": "",
    "vendor": "",
    "lifecycle_stage": "inventory",
    "lifecycle_status": "available",
    "ci": "",
    "assigned_to": "",
    "location": "",
    "cost_centre": "",
    "cost": "",
    "purchase_order": "",
    "purchase_date": "",
    "warranty_end": "",
    "lease_end": "",
}

CONTRACT_FIELDS = {
    "name": "",
    "type": "support",
    "vendor": "",
    "start_date": "",
    "end_date": "",
    "renewal_notice_days": "30",
    "cost": "",
    "description": "",
}


def asset_form(**values: Any) -> dict[str, Any]:
    return {**ASSET_FIELDS, **values}


def contract_form(**values: Any) -> dict[str, Any]:
    return {**CONTRACT_FIELDS, **values}


def errors_of(response: Any) -> dict[str, list[str]]:
    """The form's errors as rendered, keyed by field ("__all__" for the form's own)."""
    form = response.context["form"]
    return {name: [str(e) for e in errs] for name, errs in form.errors.items()}
