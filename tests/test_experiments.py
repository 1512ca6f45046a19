"""The experiments package: its statistics and the quick pipeline."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from experiments import stats  # noqa: E402

# Student-t quantiles t(0.975, df) as printed in standard tables, to three decimals.
T_TABLE = [(1, 12.706), (2, 4.303), (4, 2.776), (9, 2.262), (19, 2.093), (29, 2.045),
           (100, 1.984)]


@pytest.mark.parametrize("df,expected", T_TABLE)
def test_t_quantile_table(df, expected):
    assert stats.t_quantile(0.975, df) == pytest.approx(expected, abs=5e-4)


def test_t_quantile_symmetric():
    assert stats.t_quantile(0.025, 7) == pytest.approx(-stats.t_quantile(0.975, 7))
    assert stats.t_quantile(0.5, 7) == 0.0


def test_t_cdf_inverts_quantile():
    for df in (1, 3, 20):
        for p in (0.1, 0.6, 0.99):
            assert stats.t_cdf(stats.t_quantile(p, df), df) == pytest.approx(p, abs=1e-10)


def test_t_cdf_one_df_is_cauchy():
    # With one degree of freedom, t is Cauchy: P(T <= 1) = 3/4.
    assert stats.t_cdf(1.0, 1) == pytest.approx(0.75, abs=1e-12)


def test_mean_ci_by_hand():
    # 1..5: mean 3, sd sqrt(2.5), se sqrt(0.5), t(0.975, 4) = 2.776445.
    e = stats.mean_ci([1, 2, 3, 4, 5])
    half = 2.776445 * math.sqrt(0.5)
    assert e.value == 3.0
    assert e.n == 5
    assert e.low == pytest.approx(3.0 - half, abs=1e-5)
    assert e.high == pytest.approx(3.0 + half, abs=1e-5)
    assert e.half_width == pytest.approx(half, abs=1e-5)
    assert e.significant


def test_mean_ci_single_value():
    e = stats.mean_ci([4.0])
    assert e.value == 4.0
    assert math.isnan(e.low)
    assert math.isnan(e.high)
    assert not e.significant


def test_mean_ci_empty_raises():
    with pytest.raises(ValueError, match="empty"):
        stats.mean_ci([])


def test_paired_difference_by_hand():
    # differences 2, 3, 4: mean 3, sd 1, se 1/sqrt(3), t(0.975, 2) = 4.302653.
    e = stats.paired_difference([3, 5, 7], [1, 2, 3])
    half = 4.302653 / math.sqrt(3)
    assert e.value == 3.0
    assert e.low == pytest.approx(3.0 - half, abs=1e-5)
    assert e.high == pytest.approx(3.0 + half, abs=1e-5)


def test_paired_difference_straddles_zero():
    e = stats.paired_difference([1.0, 2.0, 3.0], [2.0, 1.0, 3.0])
    assert e.value == 0.0
    assert not e.significant


def test_paired_difference_lengths_must_match():
    with pytest.raises(ValueError, match="equal lengths"):
        stats.paired_difference([1, 2], [1, 2, 3])


def test_median():
    assert stats.median([5, 1, 3]) == 3.0
    assert stats.median([4, 1, 3, 2]) == 2.5


def test_bootstrap_ci_contains_median():
    xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    e = stats.bootstrap_ci(xs, resamples=500, seed=3)
    assert e.value == 5.5
    assert e.low <= 5.5 <= e.high
    assert 1.0 <= e.low
    assert e.high <= 10.0


def test_bootstrap_ci_is_reproducible():
    xs = [0.3, 1.2, 0.7, 2.5, 0.1]
    assert stats.bootstrap_ci(xs, seed=1) == stats.bootstrap_ci(xs, seed=1)


def test_format_estimate():
    assert stats.format_estimate(stats.Estimate(0.0123, 0.01, 0.0146, 20), 2, 100) == \
        "1.23 [1.00, 1.46]"
    assert stats.format_estimate(stats.Estimate(2.0, math.nan, math.nan, 1)) == "2.00"
