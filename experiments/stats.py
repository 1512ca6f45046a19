"""Summary statistics for the experiments: means with Student-t confidence
intervals, paired differences, medians and a percentile bootstrap.

Only NumPy is needed.  The Student-t distribution function is computed from
the regularized incomplete beta function, whose continued fraction is
evaluated by the modified Lentz method.  Bisection inverts it, so the
quantile is available for any number of degrees of freedom.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple, Sequence

import numpy as np

__all__ = [
    "Estimate",
    "mean",
    "median",
    "t_cdf",
    "t_quantile",
    "mean_ci",
    "paired_difference",
    "bootstrap_ci",
    "relative_change",
    "format_estimate",
]


class Estimate(NamedTuple):
    """A point estimate with the bounds of its confidence interval."""

    value: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0

    @property
    def significant(self) -> bool:
        """Whether the interval excludes 0 (false when it is undefined)."""
        return bool(self.low > 0.0 or self.high < 0.0)


def _as_array(xs: Sequence[float]) -> np.ndarray:
    arr = np.asarray(xs, dtype=np.float64).ravel()
    if arr.size == 0:
        raise ValueError("need at least one value, got an empty sequence")
    return arr


def mean(xs: Sequence[float]) -> float:
    return float(np.mean(_as_array(xs)))


def median(xs: Sequence[float]) -> float:
    return float(np.median(_as_array(xs)))


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """Evaluate the continued fraction of I_x(a, b) by the modified Lentz method."""
    tiny = 1e-300
    qab = a + b
    qap = a + 1.0
    qam = a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    if abs(d) < tiny:
        d = tiny
    d = 1.0 / d
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = tiny if abs(d) < tiny else d
        c = 1.0 + aa / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        h *= d * c

        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = tiny if abs(d) < tiny else d
        c = 1.0 + aa / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        step = d * c
        h *= step
        if abs(step - 1.0) < 1e-15:
            break
    return h


def _regularized_beta(a: float, b: float, x: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    front = math.exp(log_front)
    # The continued fraction converges fast only for x < (a + 1) / (a + b + 2);
    # otherwise use the symmetry I_x(a, b) = 1 - I_(1-x)(b, a).
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1.0 - front * _beta_continued_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """Return P(T <= t) for Student's t distribution with `df` degrees of freedom."""
    if df <= 0:
        raise ValueError(f"degrees of freedom must be positive, got {df}")
    x = df / (df + t * t)
    tail = 0.5 * _regularized_beta(df / 2.0, 0.5, x)
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: float) -> float:
    """Return t such that P(T <= t) = p, by bisection on `t_cdf` (to about 1e-12)."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must lie in (0, 1), got {p}")
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2.0
    for _ in range(200):
        mid = 0.5 * (low + high)
        if t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
        if high - low < 1e-13 * max(1.0, high):
            break
    return 0.5 * (low + high)


def mean_ci(xs: Sequence[float], level: float = 0.95) -> Estimate:
    """Return the mean with its Student-t confidence interval.

    With a single value, or with a non-finite value among them, the bounds
    are NaN.
    """
    arr = _as_array(xs)
    n = arr.size
    m = float(np.mean(arr))
    if n < 2 or not np.all(np.isfinite(arr)):
        return Estimate(m, math.nan, math.nan, n)
    sd = float(np.std(arr, ddof=1))
    half = t_quantile(0.5 + level / 2.0, n - 1) * sd / math.sqrt(n)
    return Estimate(m, m - half, m + half, n)


def paired_difference(a: Sequence[float], b: Sequence[float],
                      level: float = 0.95) -> Estimate:
    """Return the mean of a[i] - b[i] with its Student-t confidence interval.

    The pairs must come from the same seeds, so `a` and `b` need equal lengths.
    """
    xa = _as_array(a)
    xb = _as_array(b)
    if xa.size != xb.size:
        raise ValueError(f"paired samples need equal lengths, got {xa.size} and {xb.size}")
    return mean_ci(xa - xb, level)


def bootstrap_ci(xs: Sequence[float], statistic: Callable[[np.ndarray], float] = np.median,
                 level: float = 0.95, resamples: int = 2000, seed: int = 0) -> Estimate:
    """Return `statistic(xs)` with a percentile-bootstrap confidence interval."""
    arr = _as_array(xs)
    value = float(statistic(arr))
    if arr.size < 2:
        return Estimate(value, math.nan, math.nan, arr.size)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, arr.size, size=(resamples, arr.size))
    stats = np.array([statistic(arr[row]) for row in picks], dtype=np.float64)
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(stats, [alpha, 1.0 - alpha])
    return Estimate(value, float(low), float(high), arr.size)


def relative_change(a: Sequence[float], b: Sequence[float], level: float = 0.95,
                    resamples: int = 2000, seed: int = 0,
                    statistic: Callable[..., np.ndarray] = np.mean) -> Estimate:
    """Return statistic(a) / statistic(b) - 1 with a paired percentile-bootstrap interval.

    Pairs (a[i], b[i]) are resampled together, as they come from the same
    seed.  `statistic` must accept `axis=1`, as np.mean and np.median do.
    """
    xa = _as_array(a)
    xb = _as_array(b)
    if xa.size != xb.size:
        raise ValueError(f"paired samples need equal lengths, got {xa.size} and {xb.size}")
    value = float(statistic(xa) / statistic(xb) - 1.0)
    if xa.size < 2:
        return Estimate(value, math.nan, math.nan, xa.size)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, xa.size, size=(resamples, xa.size))
    ratios = statistic(xa[picks], axis=1) / statistic(xb[picks], axis=1) - 1.0
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(ratios, [alpha, 1.0 - alpha])
    return Estimate(value, float(low), float(high), xa.size)


def format_estimate(e: Estimate, digits: int = 2, scale: float = 1.0) -> str:
    """Format as `value [low, high]`, each multiplied by `scale` (100 for percent)."""
    if math.isnan(e.low):
        return f"{e.value * scale:.{digits}f}"
    return f"{e.value * scale:.{digits}f} [{e.low * scale:.{digits}f}, {e.high * scale:.{digits}f}]"
