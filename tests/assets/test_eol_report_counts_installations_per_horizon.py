"""The end-of-life report: installations due within 90 / 180 / 365 days, and past (DOMAIN.md §2.8,
§3.5 step 6). Dates are relative to today so the test never drifts with the clock."""

from __future__ import annotations

from serval.assets import eol
from tests.assets.conftest import days, install, make_ci, make_product, make_version


def _estate(world):
    product = make_product(world.admin, "Linux")
    past = make_version(world.admin, product, "6", end_of_support=days(-30), end_of_life=days(200))
    soon = make_version(world.admin, product, "7", end_of_support=days(45))
    later = make_version(world.admin, product, "8", end_of_support=days(120), end_of_life=days(150))
    next_year = make_version(world.admin, product, "9", end_of_life=days(300))
    safe = make_version(world.admin, product, "10", end_of_support=days(900))
    undated = make_version(world.admin, product, "11")
    for n, version in enumerate([past, soon, soon, later, next_year, safe, undated]):
        install(world.agent, make_ci(world.agent, f"host{n}"), version)
    return past, soon, later, next_year


def test_counts_are_cumulative_per_horizon_and_past_is_apart(world):
    _estate(world)
    result = eol.report(world.agent, within=90)
    assert result.counts == {"past": 1, "90": 2, "180": 3, "365": 4}


def test_the_horizon_chooses_the_versions_listed(world):
    past, soon, later, next_year = _estate(world)
    in_90 = eol.report(world.agent, within=90)
    assert [g.version.version for g in in_90.groups] == ["6", "7"]
    assert [len(g.installations) for g in in_90.groups] == [1, 2]
    assert in_90.groups[0].phase == "past_end_of_support"
    assert in_90.groups[0].days_to_end_of_support == -30
    assert in_90.groups[1].phase == "end_of_support_due"
    in_365 = eol.report(world.agent, within=365)
    assert [g.version.version for g in in_365.groups] == ["6", "7", "8", "9"]
    assert in_365.groups[2].days_to_end_of_life == 150
    # version 9 has no end of support: its end of life decides.
    assert in_365.groups[3].phase == "end_of_life_due"


def test_other_tenants_and_requesters_see_nothing(world):
    _estate(world)
    for user in (world.outsider_agent, world.requester):
        result = eol.report(user, within=365)
        assert result.groups == [] and result.counts["past"] == 0
