"""The experiments package: its statistics and the quick pipeline."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
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


def test_relative_change_value():
    e = stats.relative_change([9.0, 9.0, 9.0, 9.0], [10.0, 10.0, 10.0, 10.0])
    assert e.value == pytest.approx(-0.1)
    assert e.low == pytest.approx(-0.1)
    assert e.high == pytest.approx(-0.1)


def test_relative_change_interval_brackets_value():
    a = [9.0, 11.0, 8.5, 10.0, 9.5]
    b = [10.0, 12.0, 10.0, 10.5, 10.0]
    e = stats.relative_change(a, b, resamples=1000, seed=2)
    assert e.value == pytest.approx(sum(a) / sum(b) - 1.0)
    assert e.low <= e.value <= e.high
    assert e.high < 0.0


def test_relative_change_of_medians():
    e = stats.relative_change([1.0, 8.0, 100.0], [2.0, 10.0, 3.0], statistic=np.median,
                              resamples=200)
    assert e.value == pytest.approx(8.0 / 3.0 - 1.0)
    assert e.low <= e.value <= e.high


def test_format_estimate():
    assert stats.format_estimate(stats.Estimate(0.0123, 0.01, 0.0146, 20), 2, 100) == \
        "1.23 [1.00, 1.46]"
    assert stats.format_estimate(stats.Estimate(2.0, math.nan, math.nan, 1)) == "2.00"


# ------------------------------------------------------------------ data and drivers

def test_optimal_tours_match_optima():
    from experiments import annealing

    optima = annealing.optima()
    for name in annealing.TSP_INSTANCES:
        tour = annealing.optimal_tour(name)
        assert sorted(tour) == list(range(len(tour))), name
        assert annealing.tour_length(name, tour) == optima[name], name


def test_traced_run_equals_library_run():
    from experiments import annealing

    problem = annealing.tsp_problem("eil51", 400)
    schedules = [annealing.default_schedule(),
                 annealing.geometric_schedule(1.0, 0.01, problem["steps"]),
                 [0.5, 2e-5, 0.005, 300.0, 0.3, 0.05, 0.01, 0.01]]
    for params in schedules:
        for seed in (0, 7):
            gap = annealing.evaluate(problem, params, seed)
            traced = annealing.trace(problem, params, seed, [0.05], samples=10)
            assert traced["gap"] == gap
            assert len(traced["temperatures"]) == 10


def test_traced_run_records_reheats():
    from experiments import annealing

    problem = annealing.tsp_problem("eil51", 400)
    params = [0.5, 2e-5, 0.005, 300.0, 0.3, 0.0, 0.01, 0.0]
    traced = annealing.trace(problem, params, 3, [0.05])
    assert traced["reheats"] > 0
    assert len(traced["reheat_steps"]) == min(traced["reheats"], 256)
    assert traced["reheat_steps"] == sorted(traced["reheat_steps"])


def test_first_hit_of_loose_target():
    from experiments import annealing

    problem = annealing.tsp_problem("eil51", 400)
    # Any tour is within 1000 % of the optimum, so the target is met from the start.
    traced = annealing.trace(problem, annealing.default_schedule(), 1, [10.0, -0.5, 0.5])
    assert traced["first_hits"][0] == 0
    assert traced["first_hits"][1] is None
    assert 0 < traced["first_hits"][2] <= problem["steps"]


def test_evaluation_is_reproducible():
    from experiments import annealing

    for problem in (annealing.tsp_problem("berlin52", 200),
                    annealing.continuous_problem("ackley", 10, 200)):
        params = annealing.default_schedule()
        first = annealing.evaluate(problem, params, 11)
        second = annealing.evaluate(problem, params, 11)
        other = annealing.evaluate(problem, params, 12)
        assert first == second
        assert first != other
        assert first >= 0.0


def test_simanneal_tuning_is_reproducible():
    import random

    from experiments import annealing

    problem = annealing.tsp_problem("eil51", 100)
    shared = random.getstate()
    first = annealing.tune_simanneal(problem, 3, 200)
    # the exploration draws from its own stream, never from the shared one
    assert random.getstate() == shared
    random.random()
    second = annealing.tune_simanneal(problem, 3, 200)
    assert first["tmax"] == second["tmax"]
    assert first["tmin"] == second["tmin"]
    assert first["exploration_moves"] == second["exploration_moves"]


def test_continuous_objectives_agree():
    from experiments import annealing
    from experiments.runner import compiled

    module = compiled(annealing.CONTINUOUS_PROGRAM)
    x = np.linspace(-2.0, 3.0, 10)
    for function, kind in annealing.FUNCTION_IDS.items():
        problem = annealing.continuous_problem(function, 10, 1)
        assert module.evaluate(kind, x) == pytest.approx(annealing.continuous_value(problem, x))
        assert module.evaluate(kind, np.zeros(10)) == pytest.approx(0.0, abs=1e-12)


def test_geometric_schedule_reaches_final():
    from experiments import annealing

    params = annealing.geometric_schedule(2.0, 0.01, 1000)
    assert params[0] * math.exp(-params[1] * 1000) == pytest.approx(0.01)
    assert params[5] == 0.0


def test_random_schedule_within_ranges():
    from experiments import annealing

    rng = np.random.default_rng(0)
    ranges = annealing.random_ranges(10_000)
    for _ in range(50):
        params = annealing.random_schedule(rng, 10_000)
        for value, (low, high) in zip(params, ranges):
            assert low <= value <= high


# ------------------------------------------------------------------ runner

def test_requirements_order():
    from experiments import runner

    class First:
        pass

    class Second:
        REQUIRES = ["first"]

    experiments = {"second": Second, "first": First}
    assert runner.order_by_requirements(["second"], experiments) == ["first", "second"]
    with pytest.raises(ValueError, match="unknown experiment"):
        runner.order_by_requirements(["third"], experiments)


def test_discover_finds_annealing_experiments():
    from experiments import runner

    found = runner.discover()
    assert "annealing_quality" in found
    assert "steps_to_target" in found
    assert "stats" not in found
    assert "annealing" not in found


def test_quick_pipeline(tmp_path):
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    done = subprocess.run([sys.executable, "-m", "experiments.run_all", "--quick", "--out",
                           str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    page = (tmp_path / "results.md").read_text()
    raw = json.loads((tmp_path / "results.json").read_text())
    assert "reduced `--quick` version" in page
    assert "task(s) failed" not in page
    for name, entry in raw["experiments"].items():
        assert entry["errors"] == [], name
        assert f"## {entry['title']}" in page, name
        assert len(entry["results"]) == len(entry["tasks"]), name

    assert "### TSP: mean gap to the optimum" in page
    assert "### Learned minus each baseline" in page
    assert "### Median moves to a gap of 5 %" in page
    assert "### Median moves to a gap of 10 %" in page
    assert "final loss 10-15 % better" in page
    assert "20-30 % fewer steps" in page
    quality = raw["experiments"]["annealing_quality"]["results"]
    methods = {r["method"] for r in quality}
    assert methods == {"default", "geometric", "random", "simanneal", "learned"}
    for r in quality:
        for gap in r["gaps"]:
            assert gap is not None and math.isfinite(gap)
            assert gap >= 0.0
            # a random 51-city tour is far worse than 100 % over the optimum
            assert gap < 1.0 if r["problem"]["kind"] == "tsp" else gap < 200.0
    steps = raw["experiments"]["steps_to_target"]["results"]
    assert sum(r["mismatches"] for r in steps) == 0
    for r in steps:
        for hits in r["hits"].values():
            for hit in hits:
                assert hit is None or 0 <= hit <= r["problem"]["steps"]
    if importlib.util.find_spec("matplotlib") is not None:
        assert (tmp_path / "figures" / "quality_gaps.png").exists()
        assert (tmp_path / "figures" / "temperature_schedules.png").exists()


def test_meta_train_respects_budget():
    from experiments import annealing

    problem = annealing.tsp_problem("eil51", 50)
    result = annealing.meta_train(problem, per_epoch=4, budget=10, learning_rate=0.05, seed=5)
    assert result["evaluations"] == 8
    assert len(result["curve"]) == 2
    assert result["estimator"] in ("pathwise", "score", "smoothed")
    assert len(result["params"]) == 8
    assert all(math.isfinite(v) for v in result["params"])
    assert result["params"] != annealing.default_schedule()
