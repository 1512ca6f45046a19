"""Every example runs with its output checked against its golden files: at -O2
in both modes, at -O0, as a built executable, and as the `sxc lower` printout
compiled again."""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT, check_golden, run_sxc

NAMES = sorted(p.stem for p in EXAMPLES.glob("*.sx"))
MODES = ["train", "release"]


def test_every_example_is_listed():
    assert set(NAMES) >= {"learnable_schedule", "soft_accept", "meta_optimizer", "example",
                          "tsp_anneal"}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", NAMES)
def test_example_golden(name, mode, update_golden):
    result = run_sxc("run", f"examples/{name}.sx", "--mode", mode)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    check_golden(f"{name}.{mode}.out", result.stdout, update_golden)


@pytest.mark.parametrize("name", NAMES)
def test_example_at_o0_matches_golden(name):
    # the golden files hold the -O2 output that test_example_golden checks
    slow = run_sxc("run", f"examples/{name}.sx", "-O0", "--mode", "train")
    assert slow.returncode == 0, slow.stderr
    check_golden(f"{name}.train.out", slow.stdout, update=False)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", NAMES)
def test_lowered_example_round_trips(name, mode, tmp_path):
    lowered = run_sxc("lower", f"examples/{name}.sx", "--mode", mode)
    assert lowered.returncode == 0, lowered.stderr
    assert "dual" not in re.sub(r"__dual_\w+", "", lowered.stdout.replace("Dual", "")), \
        "a `dual` type survived lowering"
    core = tmp_path / f"{name}.sx"
    core.write_text(lowered.stdout)
    # the lowered file lives elsewhere, so give tsp_anneal its instance explicitly
    # the lowered copy lives elsewhere, so it gets the data file the example finds beside it
    data = {"tsp_anneal": "berlin52.tsp", "training_pipeline": "digits.csv"}
    extra = [str(EXAMPLES / "data" / data[name])] if name in data else []
    again = run_sxc("run", str(core), "--mode", mode, *extra)
    assert again.returncode == 0, again.stderr
    check_golden(f"{name}.{mode}.out", again.stdout, update=False)


# ---------------------------------------------------------------- asserted values


def _tsp_result(stdout: str) -> dict:
    fields = dict(line.split(": ", 1) for line in stdout.splitlines() if ": " in line)
    return fields


def _read_tsplib(path: Path) -> list[tuple[float, float]]:
    coords = []
    in_section = False
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("NODE_COORD_SECTION"):
            in_section = True
        elif line.startswith("EOF"):
            break
        elif in_section and line:
            _, x, y = line.split()[:3]
            coords.append((float(x), float(y)))
    return coords


def _tour_length(coords, tour) -> int:
    total = 0
    for k in range(len(tour)):
        (x1, y1), (x2, y2) = coords[tour[k] - 1], coords[tour[(k + 1) % len(tour)] - 1]
        total += int(math.sqrt((x1 - x2) ** 2 + (y1 - y2) ** 2) + 0.5)
    return total


@pytest.mark.parametrize("instance, optimum, limit", [
    ("berlin52", 7542, 5.0),
    ("kroA100", 21282, 8.0),
])
def test_tsp_tour_is_valid_and_close(instance, optimum, limit):
    args = ["run", "examples/tsp_anneal.sx"]
    if instance != "berlin52":
        args.append(f"examples/data/{instance}.tsp")
    result = run_sxc(*args)
    assert result.returncode == 0, result.stderr
    fields = _tsp_result(result.stdout)
    tour = [int(c) for c in fields["tour"].split()]
    coords = _read_tsplib(EXAMPLES / "data" / f"{instance}.tsp")
    assert sorted(tour) == list(range(1, len(coords) + 1)), "not a permutation"
    length = _tour_length(coords, tour)
    assert float(fields["tour length"]) == length, "printed length is not the tour's"
    assert int(fields["optimum"]) == optimum
    gap = 100.0 * (length - optimum) / optimum
    assert gap <= limit, f"gap {gap:.2f}% above {limit}%"
    assert fields["gap"] == f"{gap:.2f}%"
    assert int(fields["steps"]) > 0
    assert "wall time" in fields


def test_learnable_schedule_matches_closed_form():
    result = run_sxc("run", "examples/learnable_schedule.sx")
    assert result.returncode == 0, result.stderr
    t0, alpha, tmin, beta, omega = 10.0, 0.01, 0.5, 0.25, 0.1
    rows = re.findall(r"step\s+(\d+): T = ([\d.]+)  dT/dT0 = ([\d.]+)", result.stdout)
    assert len(rows) == 6
    for step, temp, slope in rows:
        t = int(step)
        raw = t0 * math.exp(-alpha * t) + beta * math.sin(omega * t)
        expected = max(raw, tmin)
        expected_slope = math.exp(-alpha * t) if raw > tmin else 0.0
        assert float(temp) == pytest.approx(expected, abs=1e-6), step
        assert float(slope) == pytest.approx(expected_slope, abs=1e-6), step


def test_soft_accept_matches_closed_form():
    result = run_sxc("run", "examples/soft_accept.sx")
    assert result.returncode == 0, result.stderr
    temp = 2.0
    rows = re.findall(r"dE =\s+(-?\d+): p = ([\d.]+)  dp/dT = ([+-][\d.]+)", result.stdout)
    assert len(rows) == 5
    for de, p, slope in rows:
        x = -float(de) / temp
        expected = 1.0 / (1.0 + math.exp(-x))
        # d sigmoid(-dE/T)/dT = p (1 - p) dE / T^2
        expected_slope = expected * (1 - expected) * float(de) / temp ** 2
        assert float(p) == pytest.approx(expected, abs=1e-6)
        assert float(slope) == pytest.approx(expected_slope, abs=1e-6)
    p = 1.0 / (1.0 + math.exp(2.0 / temp))
    blended = re.search(r"energy after the move: ([\d.]+), d/dT = ([\d.]+)", result.stdout)
    assert float(blended.group(1)) == pytest.approx(p * 5.0 + (1 - p) * 3.0, abs=1e-6)
    # d/dT of p * 5 + (1 - p) * 3 = 2 dp/dT, with dp/dT = p (1 - p) * 2 / T^2
    assert float(blended.group(2)) == pytest.approx(2 * p * (1 - p) * 2.0 / temp ** 2, abs=1e-6)


def test_example_reaches_low_energy():
    result = run_sxc("run", "examples/example.sx")
    assert result.returncode == 0, result.stderr
    start = float(re.search(r"start energy: ([\d.]+)", result.stdout).group(1))
    final = float(re.search(r"final energy: ([\d.]+)", result.stdout).group(1))
    x0 = [3.1, -2.2, 4.0, 0.7, -3.6]
    rastrigin = 10.0 * len(x0) + sum(x * x - 10.0 * math.cos(2 * math.pi * x) for x in x0)
    assert start == pytest.approx(rastrigin, abs=1e-4)
    assert final < 0.01 * start


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", NAMES)
def test_built_example_matches_run(name, mode, tmp_path):
    exe = tmp_path / name
    built = run_sxc("build", f"examples/{name}.sx", "--mode", mode, "-o", str(exe))
    assert built.returncode == 0, built.stderr
    # `args()[0]` is the executable, as in Rust, so the examples that find
    # their data beside themselves get it as an argument
    data = {"tsp_anneal": "berlin52.tsp", "training_pipeline": "digits.csv"}
    extra = [str(EXAMPLES / "data" / data[name])] if name in data else []
    done = subprocess.run([str(exe), *extra], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    # the golden file contains what `sxc run` prints (test_example_golden)
    check_golden(f"{name}.{mode}.out", done.stdout, update=False)
