"""MetaTrainer and its training runs: meta-gradients against finite
differences, meta-training progress, exact sparsity, 4-bit levels, and the
network's forward pass against a NumPy re-implementation."""

from __future__ import annotations

import re

import numpy as np
import pytest

import sxc
from conftest import ROOT, run_sxc

TASKS = ROOT / "experiments" / "schedules.sx"
DIGITS = ROOT / "examples" / "data" / "digits.csv"
PARAMS = 14
INPUTS, CLASSES = 64, 10

# settings layout of experiments/schedules.sx
LR_LEARNED, LR_COSINE = 0, 1
PRUNE_NONE, PRUNE_SOFT, PRUNE_GRADUAL, PRUNE_ONE_SHOT = 0, 1, 2, 3
QUANT_NONE, QUANT_SOFT, QUANT_POST_TRAINING, QUANT_FIXED = 0, 1, 2, 3

# which recipe exercises each entry of theta
GROUPS = {
    "lr": (range(0, 3), dict()),
    "distillation": (range(3, 6), dict(distill=1)),
    "pruning": (range(6, 10), dict(prune=PRUNE_SOFT)),
    "quantization": (range(10, 14), dict(quantize=QUANT_SOFT)),
}
CASES = [(group, k) for group, (lanes, _) in GROUPS.items() for k in lanes]


def settings(hidden=8, steps=40, batch=8, seed=1, lr_shape=LR_LEARNED, distill=0,
             prune=PRUNE_NONE, quantize=QUANT_NONE, sparsity=0.5, bits=4, curve_every=0):
    return np.array([hidden, steps, batch, seed, lr_shape, distill, prune, quantize, sparsity,
                     bits, curve_every], dtype=np.float64)


@pytest.fixture(scope="module")
def tasks():
    return sxc.compile(str(TASKS), mode="train")


@pytest.fixture(scope="module")
def digits():
    raw = np.loadtxt(DIGITS, delimiter=",", comments="#")
    labels = raw[:, 0].copy()
    pixels = raw[:, 1:] / 16.0
    return pixels, labels


@pytest.fixture(scope="module")
def flat(digits):
    pixels, labels = digits
    return pixels.ravel().copy(), labels


@pytest.fixture(scope="module")
def theta0(tasks):
    theta = np.zeros(PARAMS)
    tasks.default_theta(theta)
    return theta


@pytest.fixture(scope="module")
def teacher(tasks, flat):
    x, y = flat
    logits = np.zeros(1000 * CLASSES)
    accuracy = tasks.teacher_logits(x, y, 16, 100, 0.05, 3, logits)
    assert accuracy > 0.8
    return logits


def run(tasks, flat, teacher, s, theta, lane=-1):
    x, y = flat
    out = np.zeros(64)
    loss = tasks.train_run(x, y, s, theta, teacher, lane, out)
    return loss, out


def weights(tasks, flat, teacher, s, theta):
    x, y = flat
    hidden = int(s[0])
    out = np.zeros(hidden * INPUTS + hidden + CLASSES * hidden + CLASSES)
    count = tasks.train_weights(x, y, s, theta, teacher, out)
    assert count == out.size
    return out


def split_weights(w, hidden):
    w1_end = hidden * INPUTS
    w2_start = w1_end + hidden
    w2_end = w2_start + CLASSES * hidden
    return (w[:w1_end].reshape(hidden, INPUTS), w[w1_end:w2_start],
            w[w2_start:w2_end].reshape(CLASSES, hidden), w[w2_end:])


# ---------------------------------------------------------------- meta-gradients


@pytest.mark.parametrize("group, k", CASES)
def test_meta_gradient_matches_differences(tasks, flat, teacher, theta0, group, k):
    s = settings(**GROUPS[group][1])
    _, out = run(tasks, flat, teacher, s, theta0, lane=k)
    derivative = out[7]
    h = 1e-6
    plus, minus = theta0.copy(), theta0.copy()
    plus[k] += h
    minus[k] -= h
    _, out_plus = run(tasks, flat, teacher, s, plus)
    _, out_minus = run(tasks, flat, teacher, s, minus)
    difference = (out_plus[6] - out_minus[6]) / (2 * h)
    assert derivative != 0.0, "the schedule parameter has no effect on the run"
    assert derivative == pytest.approx(difference, rel=1e-4, abs=1e-7)


@pytest.mark.parametrize("group, k", [c for c in CASES if c[0] in ("lr", "distillation")])
def test_compressed_loss_gradient_matches(tasks, flat, teacher, theta0, group, k):
    # with neither pruning nor quantization the deployed model is smooth too
    s = settings(**GROUPS[group][1])
    loss, out = run(tasks, flat, teacher, s, theta0, lane=k)
    h = 1e-6
    plus, minus = theta0.copy(), theta0.copy()
    plus[k] += h
    minus[k] -= h
    difference = (run(tasks, flat, teacher, s, plus)[0]
                  - run(tasks, flat, teacher, s, minus)[0]) / (2 * h)
    assert out[0] == pytest.approx(difference, rel=1e-4, abs=1e-7)
    assert loss == pytest.approx(out[6])


def meta_train(tasks, flat, teacher, s, theta, learn, steps, estimator=0, pairs=2, sigma=0.1):
    x, y = flat
    learned = np.zeros(PARAMS)
    history = np.zeros(steps)
    meta = np.array([steps, 0.3, estimator, pairs, sigma])
    runs = tasks.meta_train_run(x, y, s, theta, learn.astype(np.float64), meta, teacher, 1,
                                learned, history)
    return learned, history, runs


def test_meta_training_lowers_loss(tasks, flat, teacher, theta0):
    s = settings(steps=60)
    start = theta0.copy()
    start[0] = np.log(0.005)  # a learning rate far too small for 60 steps
    learn = np.zeros(PARAMS, dtype=bool)
    learn[0:3] = True
    learned, history, runs = meta_train(tasks, flat, teacher, s, start, learn, steps=6)
    assert runs == 6 * 3
    assert history[-1] < history[0]
    before, _ = run(tasks, flat, teacher, s, start)
    after, _ = run(tasks, flat, teacher, s, learned)
    assert after < 0.9 * before
    assert learned[0] > start[0], "the peak rate should grow"
    assert np.all(learned[3:] == start[3:]), "only learnable entries may move"


def test_smoothed_estimate_lowers_loss(tasks, flat, teacher, theta0):
    s = settings(steps=60)
    start = theta0.copy()
    start[0] = np.log(0.005)
    learn = np.zeros(PARAMS, dtype=bool)
    learn[0] = True
    learned, history, runs = meta_train(tasks, flat, teacher, s, start, learn, steps=6,
                                        estimator=1, pairs=2, sigma=0.2)
    assert runs == 6 * 2 * 2
    before, _ = run(tasks, flat, teacher, s, start)
    after, _ = run(tasks, flat, teacher, s, learned)
    assert after < before


# ---------------------------------------------------------------- compression


@pytest.mark.parametrize("method", [PRUNE_SOFT, PRUNE_GRADUAL, PRUNE_ONE_SHOT])
@pytest.mark.parametrize("sparsity", [0.3, 0.5, 0.8])
def test_hard_masks_give_exact_sparsity(tasks, flat, teacher, theta0, method, sparsity):
    s = settings(prune=method, sparsity=sparsity)
    w1, b1, w2, b2 = split_weights(weights(tasks, flat, teacher, s, theta0), int(s[0]))
    for name, tensor in (("W1", w1), ("W2", w2)):
        expected = int(sparsity * tensor.size + 0.5)
        assert np.count_nonzero(tensor == 0.0) == expected, name
    assert np.count_nonzero(b1) + np.count_nonzero(b2) > 0, "biases are not pruned"


@pytest.mark.parametrize("method", [QUANT_SOFT, QUANT_POST_TRAINING, QUANT_FIXED])
@pytest.mark.parametrize("prune", [PRUNE_NONE, PRUNE_SOFT])
def test_four_bits_give_at_most_16_levels(tasks, flat, teacher, theta0, method, prune):
    s = settings(quantize=method, prune=prune, bits=4)
    w1, _, w2, _ = split_weights(weights(tasks, flat, teacher, s, theta0), int(s[0]))
    for name, tensor in (("W1", w1), ("W2", w2)):
        levels = np.unique(tensor)
        assert len(levels) <= 16, name
        assert len(levels) >= 3, f"{name} collapsed to {levels}"
        # pruning may leave some codes unused, so take the smallest gap
        step = np.min(np.diff(np.union1d(levels, [0.0])))
        codes = levels / step
        assert np.allclose(codes, np.round(codes), atol=1e-9), f"{name} levels are not uniform"
        assert np.max(np.abs(codes)) <= 7 + 1e-9, name


def test_compression_ratio_counts_bits(tasks, flat, teacher, theta0):
    hidden = 8
    s = settings(hidden=hidden, prune=PRUNE_SOFT, quantize=QUANT_SOFT)
    _, out = run(tasks, flat, teacher, s, theta0)
    weights_count = hidden * INPUTS + CLASSES * hidden
    biases = hidden + CLASSES
    dense = 32 * (weights_count + biases)
    w1_kept = hidden * INPUTS - int(0.5 * hidden * INPUTS + 0.5)
    w2_kept = CLASSES * hidden - int(0.5 * CLASSES * hidden + 0.5)
    # mask bitmap, 4 bits per kept weight, one 32-bit scale per tensor, 32-bit biases
    compressed = weights_count + 4 * (w1_kept + w2_kept) + 2 * 32 + 32 * biases
    # quantization may round a kept weight to 0, which then needs no code
    assert out[5] >= dense / compressed - 1e-12
    assert out[4] >= 0.5


# ---------------------------------------------------------------- independent forward pass


def numpy_loss_accuracy(w, hidden, pixels, labels):
    w1, b1, w2, b2 = split_weights(w, hidden)
    hidden_units = np.tanh(pixels @ w1.T + b1)
    logits = hidden_units @ w2.T + b2
    top = logits.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(logits - top).sum(axis=1)) + top[:, 0]
    loss = np.mean(log_norm - logits[np.arange(len(labels)), labels.astype(int)])
    accuracy = np.mean(np.argmax(logits, axis=1) == labels)
    return loss, accuracy


@pytest.mark.parametrize("prune, quantize", [(PRUNE_NONE, QUANT_NONE), (PRUNE_SOFT, QUANT_SOFT)])
def test_forward_pass_matches_numpy(tasks, flat, digits, teacher, theta0, prune, quantize):
    pixels, labels = digits
    s = settings(hidden=12, prune=prune, quantize=quantize)
    w = weights(tasks, flat, teacher, s, theta0)
    loss, out = run(tasks, flat, teacher, s, theta0)
    validation = slice(1000, 1397)
    test = slice(1397, 1797)
    np_loss, np_accuracy = numpy_loss_accuracy(w, 12, pixels[validation], labels[validation])
    assert loss == pytest.approx(np_loss, rel=1e-12)
    assert out[1] == pytest.approx(np_accuracy, abs=1e-12)
    np_test_loss, np_test_accuracy = numpy_loss_accuracy(w, 12, pixels[test], labels[test])
    assert out[2] == pytest.approx(np_test_loss, rel=1e-12)
    assert out[3] == pytest.approx(np_test_accuracy, abs=1e-12)


def test_loss_curve_is_recorded(tasks, flat, teacher, theta0):
    s = settings(steps=40, curve_every=10)
    _, out = run(tasks, flat, teacher, s, theta0)
    assert out[8] == 4
    curve = out[9:13]
    assert np.all(np.isfinite(curve))
    assert curve[-1] < curve[0]


# ---------------------------------------------------------------- the example


def test_training_pipeline_example():
    result = run_sxc("run", "examples/training_pipeline.sx")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    initial = float(re.search(r"initial loss: ([\d.]+)", text).group(1))
    final = float(re.search(r"final loss: ([\d.]+)", text).group(1))
    assert final < initial
    schedule = [float(v) for v in re.search(r"learned lr schedule:(.*)", text).group(1).split()]
    assert len(schedule) == 11
    assert all(v >= 0.0 for v in schedule)
    # 16 hidden units: 1024 + 160 weights, 26 biases; half pruned, 4 bits each
    dense = 32 * (1024 + 16 + 160 + 10)
    compressed = (1024 + 160) + 4 * (512 + 80) + 2 * 32 + 32 * 26
    ratio = float(re.search(r"compression ratio: ([\d.]+)", text).group(1))
    assert ratio == pytest.approx(dense / compressed, abs=0.01)
    sparsity = float(re.search(r"compressed: sparsity ([\d.]+)", text).group(1))
    assert sparsity >= 0.5
