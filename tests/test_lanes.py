"""Duals with several tangent lanes, and the score of sampled soft decisions.

A program compiled with N lanes must give, in lane k, exactly the tangent
that a one-lane program gives when seeded along direction k: the rules are
the same formulas applied lane by lane.  The score of a sampled decision is
checked against its closed form.
"""

import math

import pytest

import sxc
from sxc import Dual
from sxc.derivatives import helper_source
from conftest import run_sxc
from test_derivatives import BINARY, SOURCE, UNARY

LANES = 3


@pytest.fixture(scope="module")
def one_lane():
    return sxc.compile(SOURCE, mode="train")


@pytest.fixture(scope="module")
def three_lanes():
    return sxc.compile(SOURCE, mode="train", tangents=LANES)


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_lanes_match_one_lane(one_lane, three_lanes, name):
    x = UNARY[name][3][0]
    seeds = (1.0, -2.5, 0.0)
    wide = getattr(three_lanes, f"r_{name}")(Dual(x, tangents=seeds))
    for k, s in enumerate(seeds):
        narrow = getattr(one_lane, f"r_{name}")(Dual(x, s))
        assert wide.val == narrow.val
        assert _same(wide.tangents[k], narrow.der), (name, k, wide, narrow)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_lanes_match_one_lane(one_lane, three_lanes, name):
    x, y = BINARY[name][3][0]
    xs, ys = (1.0, 0.0, 0.5), (0.0, 1.0, -2.0)
    wide = getattr(three_lanes, f"r_{name}")(Dual(x, tangents=xs), Dual(y, tangents=ys))
    for k in range(LANES):
        narrow = getattr(one_lane, f"r_{name}")(Dual(x, xs[k]), Dual(y, ys[k]))
        assert wide.val == narrow.val
        assert _same(wide.tangents[k], narrow.der), (name, k, wide, narrow)


def test_lane_helpers_generated_for_each_width():
    for lanes in (1, 2, 8):
        text = helper_source(lanes)
        for helper in ("lane", "unit", "clip_tangent", "blend", "powi"):
            assert f"fn __dual_{helper}(" in text


GRADIENT = """
#![tangents = 3]
fn f(a: dual, b: dual, c: dual) -> dual { (a * b).sin() + c.exp() * a / b }
fn grad(a: f64, b: f64, c: f64, k: usize) -> f64 {
    let r = f(dual::unit(a, 0), dual::unit(b, 1), dual::unit(c, 2));
    r.lane(k)
}
fn lanes() -> usize { dual::lanes() }
fn first(a: f64) -> f64 { dual::variable(a).lane(0) + 10.0 * dual::variable(a).lane(1) }
fn clipped(a: f64, limit: f64, k: usize) -> f64 {
    (dual::unit(a, 0) * 1000.0 - dual::unit(a, 1) * 0.5).clip_tangent(limit).lane(k)
}
fn seeded_lane(a: f64, seed: usize, k: usize) -> f64 { dual::unit(a, seed).lane(k) }
"""


@pytest.fixture(scope="module")
def gradient():
    return sxc.compile(GRADIENT, mode="train")


def test_one_pass_gradient_is_closed_form(gradient):
    a, b, c = 0.7, 1.3, -0.4
    expected = (math.cos(a * b) * b + math.exp(c) / b,
                math.cos(a * b) * a - math.exp(c) * a / (b * b),
                math.exp(c) * a / b)
    for k in range(3):
        assert math.isclose(gradient.grad(a, b, c, k), expected[k], rel_tol=1e-14)


def test_lane_builtins(gradient):
    assert gradient.lanes() == 3
    assert gradient.first(2.0) == 1.0  # `dual::variable` seeds lane 0 only
    assert gradient.clipped(1.0, 10.0, 0) == 10.0
    assert gradient.clipped(1.0, 10.0, 1) == -0.5
    assert gradient.seeded_lane(1.0, 2, 2) == 1.0
    assert gradient.seeded_lane(1.0, 2, 0) == 0.0


def test_lane_past_last_panics(gradient):
    with pytest.raises(sxc.RuntimeError,
                       match="lane index out of bounds: the dual has 3 tangent lanes but "
                             "the index is 3"):
        gradient.seeded_lane(1.0, 0, 3)
    with pytest.raises(sxc.RuntimeError, match="the index is 9"):
        gradient.seeded_lane(1.0, 9, 0)


PAST_LAST = "fn past_last(a: f64) -> f64 { dual::unit(a, 7).lane(7) + dual::unit(a, 0).lane(9) }\n"


def test_constant_lane_past_last_is_an_error():
    with pytest.raises(sxc.CompileError) as err:
        sxc.compile(PAST_LAST, mode="train", tangents=3)
    messages = [d.message for d in err.value.diagnostics]
    assert messages == ["lane 7 is out of range: the duals of this program have 3 tangent lanes",
                        "lane 7 is out of range: the duals of this program have 3 tangent lanes",
                        "lane 9 is out of range: the duals of this program have 3 tangent lanes"]
    assert "`#![tangents = 8]`" in err.value.diagnostics[0].help
    assert "`--tangents 10`" in err.value.diagnostics[2].help


def test_lane_from_constants_is_checked_at_compile_time():
    source = ("const K: usize = 2;\n"
              "fn f(a: f64) -> f64 { dual::unit(a, K).lane(K * 2 + 1) }\n")
    with pytest.raises(sxc.CompileError) as err:
        sxc.compile(source, mode="train", tangents=2)
    messages = [d.message for d in err.value.diagnostics]
    assert messages == ["lane 2 is out of range: the duals of this program have 2 tangent lanes",
                        "lane 5 is out of range: the duals of this program have 2 tangent lanes"]
    assert sxc.compile(source, mode="train", tangents=6).f(1.0) == 0.0


@pytest.mark.parametrize("mode, tangents", [("release", None), ("train", 0)])
def test_lanes_without_tangents_read_zero(mode, tangents):
    """Release mode and `--tangents 0` carry no tangents, so every lane reads 0."""
    m = sxc.compile(PAST_LAST + GRADIENT, mode=mode, tangents=tangents)
    assert m.past_last(1.0) == 0.0
    assert m.seeded_lane(1.0, 9, 9) == 0.0


def test_library_seeds_lanes_past_the_last():
    """The bundled schedule seeds eight lanes, and the lanes past the count are dropped."""
    m = sxc.compile("use simplex_training::LearnableSchedule;\n"
                    "fn f() -> f64 { LearnableSchedule::default().with_tangents().cool_rate.der }\n",
                    mode="train")
    assert m.f() == 0.0


def test_option_overrides_attribute_and_release_drops_lanes():
    m = sxc.compile(GRADIENT, mode="train", tangents=5)
    assert m.lanes() == 5
    r = sxc.compile(GRADIENT, mode="release")
    assert r.grad(0.7, 1.3, -0.4, 0) == 0.0
    assert r.clipped(1.0, 10.0, 0) == 0.0


@pytest.mark.parametrize("bad", ["-1", "65", "many"])
def test_bad_lane_count_is_an_error(bad):
    with pytest.raises(sxc.CompileError) as err:
        sxc.compile(f"#![tangents = {bad!r}]\nfn f() -> f64 {{ 1.0 }}".replace("'", '"'))
    assert "tangents" in str(err.value)


def test_bad_lane_count_from_the_cli(tmp_path):
    src = tmp_path / "p.sx"
    src.write_text("fn main() { println!(\"{}\", dual::lanes()); }\n")
    assert run_sxc("run", "--tangents", "4", str(src)).stdout == "4\n"
    bad = run_sxc("run", "--tangents", "65", str(src))
    assert bad.returncode == 1
    assert "--tangents must be a whole number from 0 to 64" in bad.stderr


SCORE = """
use simplex_training::soft_accept;
// decisions accepted with probability sigmoid((tau - de) / t), the score
// carrying d log P / d t in lane 0 and d log P / d tau in lane 1
fn accept_run(de: f64, t: f64, tau: f64, n: u64, seed: u64, out: &mut [f64]) {
    *default_rng() = Rng::new(seed);
    *soft_score() = dual::constant(0.0);
    let temp = dual::unit(t, 0);
    let threshold = dual::unit(tau, 1);
    let mut accepted = 0.0;
    let mut k: u64 = 0;
    while k < n {
        let take = if soft_accept(dual::constant(de), temp, threshold) { true } else { false };
        if take { accepted += 1.0; }
        k += 1;
    }
    let s = *soft_score();
    out[0] = accepted;
    out[1] = s.val;
    out[2] = s.lane(0);
    out[3] = s.lane(1);
}
fn coin_run(p: f64, n: u64, seed: u64, out: &mut [f64]) {
    *default_rng() = Rng::new(seed);
    *soft_score() = dual::constant(0.0);
    let q = dual::unit(p, 0);
    let mut heads = 0.0;
    let mut k: u64 = 0;
    while k < n {
        let h = if q { 1.0_f64 as u64 } else { 0 };
        heads += h as f64;
        k += 1;
    }
    out[0] = heads;
    out[1] = soft_score().val;
    out[2] = soft_score().lane(0);
}
"""


@pytest.fixture(scope="module")
def score():
    return sxc.compile(SCORE, mode="train", tangents=2), sxc.compile(SCORE, mode="release")


def test_score_of_soft_accept_is_closed_form(score):
    import numpy as np

    train, release = score
    de, t, tau, n = 1.0, 2.0, 0.25, 50
    out = np.zeros(4)
    train.accept_run(de, t, tau, n, 7, out)
    accepted = out[0]
    z = (tau - de) / t
    p = 1.0 / (1.0 + math.exp(-z))
    logp = accepted * math.log(p) + (n - accepted) * math.log(1.0 - p)
    # d log sigmoid(z) / dz = 1 - p, d log(1 - sigmoid(z)) / dz = -p
    dz_dt, dz_dtau = -(tau - de) / (t * t), 1.0 / t
    per_take, per_reject = 1.0 - p, -p
    dlogp = accepted * per_take + (n - accepted) * per_reject
    assert 0 < accepted < n
    assert math.isclose(out[1], logp, rel_tol=1e-12)
    assert math.isclose(out[2], dlogp * dz_dt, rel_tol=1e-12)
    assert math.isclose(out[3], dlogp * dz_dtau, rel_tol=1e-12)
    # the released program takes the same decisions from the same stream
    rel = np.zeros(4)
    release.accept_run(de, t, tau, n, 7, rel)
    assert rel[0] == accepted
    assert rel[1] == 0.0


def test_score_of_a_coin(score):
    import numpy as np

    train, _ = score
    p, n = 0.3, 40
    out = np.zeros(3)
    train.coin_run(p, n, 3, out)
    heads = out[0]
    assert math.isclose(out[1], heads * math.log(p) + (n - heads) * math.log(1 - p),
                        rel_tol=1e-12)
    assert math.isclose(out[2], heads / p - (n - heads) / (1 - p), rel_tol=1e-12)


def test_score_function_estimate_matches_exact_expectation(score):
    # E[accepted] = n p(t); the score estimator mean(accepted * dlogP/dt) must agree
    # with n dp/dt within its standard error
    import numpy as np

    train, _ = score
    de, t, tau, n, runs = 1.0, 2.0, 0.0, 20, 4000
    samples = []
    out = np.zeros(4)
    for seed in range(runs):
        train.accept_run(de, t, tau, n, seed, out)
        samples.append(out[0] * out[2])
    z = (tau - de) / t
    p = 1.0 / (1.0 + math.exp(-z))
    exact = n * p * (1 - p) * (-(tau - de) / (t * t))
    mean = float(np.mean(samples))
    stderr = float(np.std(samples)) / math.sqrt(runs)
    assert abs(mean - exact) < 4 * stderr, (mean, exact, stderr)


def test_lowered_lane_program_runs_the_same(tmp_path):
    src = tmp_path / "lanes.sx"
    src.write_text(GRADIENT + """
fn main() {
    println!("{} {} {}", grad(0.7, 1.3, -0.4, 0), grad(0.7, 1.3, -0.4, 2), lanes());
}
""")
    direct = run_sxc("run", str(src))
    lowered = run_sxc("lower", str(src))
    assert direct.returncode == 0 and lowered.returncode == 0
    out = tmp_path / "lowered.sx"
    out.write_text(lowered.stdout)
    again = run_sxc("run", str(out))
    assert again.returncode == 0, again.stderr
    assert again.stdout == direct.stdout
    assert direct.stdout.split()[2] == "3"


CLIP = """
fn clip(v: f64, limit: f64) -> f64 { dual::new(1.0, v).clip_tangent(limit).der }
fn soft_score_with_own_dual() -> f64 { 0.0 }
"""


def test_clip_tangent_keeps_nan_and_ignores_the_sign():
    for lanes in (1, 3):
        m = sxc.compile(CLIP, mode="train", tangents=lanes)
        assert math.isnan(m.clip(math.nan, 1.0))
        assert m.clip(5.0, -1.0) == 1.0
        assert m.clip(-5.0, 2.0) == -2.0
        assert m.clip(0.5, 2.0) == 0.5


def test_release_soft_score_with_a_struct_named_dual(tmp_path):
    src = tmp_path / "own.sx"
    src.write_text("struct Dual { val: f64, der: f64 }\n"
                   "fn main() { let s = *soft_score(); println!(\"{}\", s.val); }\n")
    out = run_sxc("run", "--mode", "release", str(src))
    assert out.returncode == 0, out.stderr
    assert out.stdout == "0\n"


def test_release_ignores_passed_tangents():
    m = sxc.compile("fn f(x: dual) -> dual { x * x }", mode="release", tangents=3)
    assert m.f(sxc.Dual(3.0, tangents=(1.0, 2.0, 3.0))).val == 9.0
    import numpy as np
    assert sxc.compile("fn g() -> usize { dual::lanes() }", tangents=np.int64(4)).g() == 4



BLENDED = """
// A soft branch over a dual condition blends both arms in train mode; the
// blend's weight depends on x, so its value changes with x.
fn blended(x: dual, y: dual) -> dual {
    let p = (x * 2.0 - y).sigmoid();
    let v = if p { x.sin() * y } else { y.exp() - x };
    v * v
}
fn parts(x: f64, out: &mut [f64]) {
    let xd = dual::variable(x);
    let v = blended(xd, dual::new(0.5, 2.0));
    out[0] = v.val;
    out[1] = v.der;
    out[2] = v.lane(0);
    out[3] = xd.der;
    out[4] = dual::lanes() as f64;
}
"""


@pytest.mark.parametrize("x", [-1.25, 0.0, 0.3, 2.0])
def test_no_tangents_values_match_lanes(x):
    """With no tangent lanes, train mode computes the values that a run with
    lanes computes, bit for bit, and every tangent reads as 0."""
    import numpy as np

    without_lanes = sxc.compile(BLENDED, mode="train", tangents=0)
    with_lane = sxc.compile(BLENDED, mode="train", tangents=1)
    plain, dual = np.zeros(5), np.zeros(5)
    without_lanes.parts(x, plain)
    with_lane.parts(x, dual)
    assert plain[0] == dual[0]
    assert list(plain[1:]) == [0.0, 0.0, 0.0, 0.0]
    assert dual[1] != 0.0
    assert dual[3] == 1.0
    assert dual[4] == 1.0
    # the blend computed here: p a + (1 - p) b, with p the sigmoid
    p = 1.0 / (1.0 + math.exp(-(x * 2.0 - 0.5)))
    v = p * (math.sin(x) * 0.5) + (1.0 - p) * (math.exp(0.5) - x)
    assert math.isclose(plain[0], v * v, rel_tol=1e-12)


def test_no_tangents_without_soft_branches():
    source = "fn f(x: dual) -> dual { (x * x).exp() + x.der }\n"
    without_lanes = sxc.compile(source, mode="train", tangents=0)
    release = sxc.compile(source, mode="release")
    # both hand back an sxc.Dual whose tangent is 0
    for module in (without_lanes, release):
        result = module.f(0.7)
        assert result.val == math.exp(0.49)
        assert result.der == 0.0
