"""An asset and its CI are linked 1:1, and the CI's history shows it (DOMAIN.md §2.8)."""

from __future__ import annotations

import pytest

from serval.assets import actions
from serval.core.errors import ValidationFailed
from serval.core.models import JournalEvent
from tests.assets.conftest import make_ci


def test_a_ci_belongs_to_at_most_one_asset(world):
    ci = make_ci(world.agent, "srv01")
    first = actions.create_asset(actor=world.agent, name="srv01 box", ci=ci)
    with pytest.raises(ValidationFailed) as exc:
        actions.create_asset(actor=world.agent, name="second", ci=ci)
    assert f"asset {first.pk}" in exc.value.as_dict()["ci"]
    assert ci.asset == first


def test_moving_the_link_is_journaled_on_both_cis(world):
    a, b = make_ci(world.agent, "a"), make_ci(world.agent, "b")
    asset = actions.create_asset(actor=world.agent, name="box", ci=a)
    actions.update_asset(actor=world.agent, asset=asset, ci=b)
    verbs = {
        ci.pk: list(
            JournalEvent.objects.filter(subject_type="ci", subject_id=ci.pk)
            .order_by("seq")
            .values_list("verb", flat=True)
        )
        for ci in (a, b)
    }
    assert verbs[a.pk][-2:] == ["asset_linked", "asset_unlinked"]
    assert verbs[b.pk][-1] == "asset_linked"
    actions.create_asset(actor=world.agent, name="now free", ci=a)
