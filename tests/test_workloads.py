"""The benchmark workloads reproduce their specification to the bit.

`bench/workloads/tsp_sa.sx` (W1) and `bench/workloads/rastrigin_meta.sx`
(W2) must print the reference results of bench/WORKLOADS.md, which C
(gcc -ffp-contract=off), Numba and pure Python produce alike.  The constants
below come from that specification, not from sxc.  Each program
runs through the command line at -O0 and -O3, and through `sxc.compile`.
"""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest

import sxc
from conftest import ROOT, run_sxc

W1 = ROOT / "bench" / "workloads" / "tsp_sa.sx"
W2 = ROOT / "bench" / "workloads" / "rastrigin_meta.sx"

# W1 at S = 100,000 steps
W1_STEPS = 100_000
W1_FINAL = float.fromhex("0x1.edc8edbd0ab0cp+12")  # 7900.5580416123958
W1_BEST = float.fromhex("0x1.edc8edbd0ab45p+12")  # 7900.5580416124476
W1_ACCEPTED = 1249
# the instance: distance of cities 0 and 1, and the random state after 200 draws
W1_D01 = float.fromhex("0x1.f24ab04289670p+8")  # 498.29175201277303
W1_STATE = 0x9B5718EB7230F092

# W2: the primal loss and dLoss/d(T0, alpha, Tmin, beta, omega, tau)
W2_THETA = [10.0, 0.0005, 0.01, 0.5, 0.01, 0.0]
W2_LOSS = float.fromhex("0x1.15f700079836p+1")  # 2.1716003453333741
W2_GRAD = [float.fromhex(h) for h in (
    "0x1.5191e6b7e26cbp-1",  # T0     0.65931626314815028
    "-0x1.4ad92a1f42ab9p+15",  # alpha  -42348.582269748156
    "0x1.4d621e03eb00bp+1",  # Tmin   2.6045568007593878
    "0x1.d184dd85624d2p+5",  # beta   58.189875642836014
    "-0x1.5395a376edbb8p+13",  # omega  -10866.704816682133
    "0x1.da74d5cd651d2p+4",  # tau    29.653524210285305
)]
W2_NAMES = ["T0", "alpha", "Tmin", "beta", "omega", "tau"]


def bits(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def printed(stdout: str) -> dict[str, tuple[str, ...]]:
    """Map each `name: field field ...` line of a workload's output to its fields."""
    out = {}
    for line in stdout.splitlines():
        name, _, rest = line.partition(": ")
        out[name] = tuple(rest.split())
    return out


def printed_float(fields: tuple[str, ...]) -> float:
    """Read a `{:?} {:#018x}` pair; the decimal and the bits must be the same double."""
    decimal, hex_bits = fields
    assert bits(float(decimal)) == int(hex_bits, 16), fields
    return float(decimal)


@pytest.mark.parametrize("opt", ["-O0", "-O3"])
def test_w1_cli_matches_spec(opt):
    res = run_sxc("run", opt, str(W1), str(W1_STEPS))
    assert res.returncode == 0, res.stderr
    out = printed(res.stdout)
    assert out["steps"] == (str(W1_STEPS),)
    assert bits(printed_float(out["final_len"])) == bits(W1_FINAL)
    assert bits(printed_float(out["best_len"])) == bits(W1_BEST)
    assert out["accepted"] == (str(W1_ACCEPTED),)


def test_w1_api_instance_and_anneal():
    m = sxc.compile(str(W1), opt_level=2)
    dist = np.zeros(100 * 100)
    state = m.make_instance(dist)
    assert state == W1_STATE
    assert dist[1] == W1_D01
    assert dist[100] == W1_D01
    result = np.zeros(3)
    assert m.anneal(dist, 100, state, W1_STEPS, result) == W1_ACCEPTED
    assert bits(result[0]) == bits(W1_FINAL)
    assert bits(result[1]) == bits(W1_BEST)
    # a second call restarts from the same tour and random state
    again = np.zeros(3)
    assert m.anneal(dist, 100, state, W1_STEPS, again) == W1_ACCEPTED
    assert bits(again[1]) == bits(W1_BEST)


@pytest.mark.parametrize("opt", ["-O0", "-O3"])
@pytest.mark.parametrize("lanes", ["1", "6"])
def test_w2_cli_matches_spec(opt, lanes):
    res = run_sxc("run", opt, "--tangents", lanes, str(W2))
    assert res.returncode == 0, res.stderr
    out = printed(res.stdout)
    assert out["lanes"] == (lanes,)
    assert bits(printed_float(out["loss"])) == bits(W2_LOSS)
    assert bits(printed_float(out["dual loss"])) == bits(W2_LOSS)
    for name, expected in zip(W2_NAMES, W2_GRAD):
        got = printed_float(out[f"d/d{name}"])
        assert bits(got) == bits(expected), (name, got.hex(), expected.hex())


def test_w2_api_one_pass_equals_six_passes():
    six_passes = sxc.compile(str(W2), opt_level=2)
    one_pass = sxc.compile(str(W2), opt_level=2, tangents=6)
    assert six_passes.lanes() == 1
    assert one_pass.lanes() == 6
    assert bits(six_passes.loss(*W2_THETA)) == bits(W2_LOSS)
    grad1 = np.zeros(6)
    grad6 = np.zeros(6)
    loss1 = six_passes.gradient(np.array(W2_THETA), grad1)
    loss6 = one_pass.gradient(np.array(W2_THETA), grad6)
    assert bits(loss1) == bits(W2_LOSS)
    assert bits(loss6) == bits(W2_LOSS)
    assert [bits(g) for g in grad1] == [bits(g) for g in grad6]
    assert [bits(g) for g in grad6] == [bits(g) for g in W2_GRAD]


def python_w2_loss(theta: list[float]) -> float:
    """The W2 primal in pure Python, operation for operation as specified."""
    t0, alpha, tmin, beta, omega, tau = theta
    two_pi = 6.283185307179586
    mask = (1 << 64) - 1
    state = 42

    def u01() -> float:
        nonlocal state
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        return ((z ^ (z >> 31)) >> 11) * 2.0**-53

    def term(y: float) -> float:
        return y * y - 10.0 * math.cos(two_pi * y)

    x = [3.0] * 10
    for t in range(10_000):
        i = t % 10
        u1 = 1.0 - u01()
        u2 = u01()
        g = math.sqrt(-2.0 * math.log(u1)) * math.cos(two_pi * u2)
        xi = x[i]
        xp = xi + 0.5 * g
        de = term(xp) - term(xi)
        tf = float(t)
        traw = t0 * math.exp(-(alpha * tf)) + beta * math.sin(omega * tf)
        temp = traw if traw > tmin else tmin
        z = (tau - de) / temp
        if z >= 0.0:
            p = 1.0 / (1.0 + math.exp(-z))
        else:
            e = math.exp(z)
            p = e / (1.0 + e)
        x[i] = p * xp + (1.0 - p) * xi
    acc = 0.0
    for xi in x:
        acc = acc + term(xi)
    return 100.0 + acc


def test_w2_python_primal_matches_spec():
    assert bits(python_w2_loss(W2_THETA)) == bits(W2_LOSS)


@pytest.mark.parametrize("theta", [
    [10.0, 0.001, 0.01, 0.5, 0.01, 0.0],
    [2.0, 0.0005, 0.05, 0.0, 0.01, 0.3],
])
def test_w2_api_loss_at_other_theta(theta):
    m = sxc.compile(str(W2), opt_level=0)
    expected = python_w2_loss(theta)
    assert bits(expected) != bits(W2_LOSS)
    assert bits(m.loss(*theta)) == bits(expected)
