"""Asset tags and serial numbers identify one asset per tenant (DOMAIN.md §2.8 asset fields)."""

from __future__ import annotations

import pytest

from serval.assets import actions
from serval.core.errors import ValidationFailed


def test_a_second_asset_with_the_same_tag_or_serial_is_a_field_error(world):
    first = actions.create_asset(actor=world.agent, name="a", asset_tag="T-1", serial="S-1")
    with pytest.raises(ValidationFailed) as exc:
        actions.create_asset(actor=world.agent, name="b", asset_tag="T-1", serial="S-1")
    assert set(exc.value.as_dict()) == {"asset_tag", "serial"}
    other = actions.create_asset(actor=world.agent, name="b", asset_tag="T-2")
    with pytest.raises(ValidationFailed) as exc:
        actions.update_asset(actor=world.agent, asset=other, serial="S-1")
    assert f"asset {first.pk}" in exc.value.as_dict()["serial"]


def test_empty_tags_do_not_collide_and_other_tenants_may_reuse_them(world):
    actions.create_asset(actor=world.agent, name="a")
    actions.create_asset(actor=world.agent, name="b")
    actions.create_asset(actor=world.agent, name="c", asset_tag="T-1")
    actions.create_asset(actor=world.outsider_agent, name="c", asset_tag="T-1")
