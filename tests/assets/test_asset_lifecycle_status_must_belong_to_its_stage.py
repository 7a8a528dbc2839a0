"""An asset's lifecycle status is one of its stage's statuses (DOMAIN.md §2.8 table)."""

from __future__ import annotations

import pytest

from serval.assets import actions
from serval.core.errors import ValidationFailed
from serval.core.models import JournalEvent


def test_a_status_of_another_stage_is_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        actions.create_asset(
            actor=world.agent, name="laptop", lifecycle_stage="operational", lifecycle_status="sold"
        )
    assert "lifecycle_status" in exc.value.as_dict()


def test_changing_the_stage_alone_takes_its_first_status(world):
    asset = actions.create_asset(actor=world.agent, name="laptop")
    assert (asset.lifecycle_stage, asset.lifecycle_status) == ("inventory", "available")
    asset = actions.update_asset(actor=world.agent, asset=asset, lifecycle_stage="missing")
    assert asset.lifecycle_status == "lost"
    asset = actions.update_asset(actor=world.agent, asset=asset, lifecycle_status="stolen")
    assert asset.version == 3
    with pytest.raises(ValidationFailed):
        actions.update_asset(actor=world.agent, asset=asset, lifecycle_status="in_use")
    verbs = JournalEvent.objects.filter(subject_type="asset", subject_id=asset.pk)
    assert list(verbs.order_by("seq").values_list("verb", flat=True)) == [
        "created",
        "updated",
        "updated",
    ]


def test_warranty_cannot_end_before_the_purchase(world):
    with pytest.raises(ValidationFailed) as exc:
        actions.create_asset(
            actor=world.agent, name="x", purchase_date="2026-05-01", warranty_end="2026-04-01"
        )
    assert list(exc.value.as_dict()) == ["warranty_end"]


def test_requesters_cannot_record_assets(world):
    from serval.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.create_asset(actor=world.requester, name="x")
