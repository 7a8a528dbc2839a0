"""The policy's thresholds map a questionnaire total to a level (DOMAIN.md §2.3 seed: ≤12 Low,
13–18 Moderate, 19–24 High, ≥25 Very High): a total exactly at a threshold takes that level,
one below it the level underneath, for any strictly increasing thresholds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from serval.changes import risk
from serval.changes.models import RISK_ORDER, ChangePolicy, Risk

THRESHOLDS = st.lists(
    st.integers(min_value=1, max_value=32767), min_size=3, max_size=3, unique=True
).map(sorted)


def _policy(moderate: int, high: int, very_high: int) -> ChangePolicy:
    return ChangePolicy(moderate_from=moderate, high_from=high, very_high_from=very_high)


def test_the_seed_bands_of_domain_md():
    seed = ChangePolicy()
    expected = {8: "low", 12: "low", 13: "moderate", 18: "moderate", 19: "high", 24: "high"}
    expected.update({25: "very_high", 32: "very_high"})
    for score, level in expected.items():
        assert risk.level_for_score(score, seed) == level, score


@given(thresholds=THRESHOLDS)
def test_a_total_at_a_threshold_takes_its_level_and_one_below_the_one_under(thresholds):
    rules = _policy(*thresholds)
    for threshold, level, below in zip(
        thresholds,
        (Risk.MODERATE, Risk.HIGH, Risk.VERY_HIGH),
        (Risk.LOW, Risk.MODERATE, Risk.HIGH),
        strict=True,
    ):
        assert risk.level_for_score(threshold, rules) == level
        # One below may fall further when thresholds are adjacent, never to this level.
        assert RISK_ORDER[Risk(risk.level_for_score(threshold - 1, rules))] <= RISK_ORDER[below]


@given(thresholds=THRESHOLDS, a=st.integers(0, 40000), b=st.integers(0, 40000))
def test_a_higher_total_never_gives_a_lower_level(thresholds, a, b):
    rules = _policy(*thresholds)
    low, high = sorted((a, b))
    assert (
        RISK_ORDER[Risk(risk.level_for_score(low, rules))]
        <= RISK_ORDER[Risk(risk.level_for_score(high, rules))]
    )
