"""Problems, schedules and tuning methods shared by the annealing experiments.

A problem is a plain dict, so it travels to Dask workers as it is:

    {"kind": "tsp", "name": "eil51", "n": 51, "optimum": 426.0, "steps": S}
    {"kind": "continuous", "name": "rastrigin-10", "function": "rastrigin",
     "dim": 10, "steps": S}

Every run of a problem has the same number of moves S ("steps"), and one such
run is one evaluation in every method's budget.  Quality is the gap to the
optimum: tour length / optimum - 1 for TSP, and the objective value at the
state the annealer returns for the continuous functions (optimum 0).

Schedules are the eight `LearnableSchedule` values in field order:
initial_temp, cool_rate, min_temp, reheat_threshold, reheat_intensity,
oscillation_amp, oscillation_freq, accept_threshold.  Temperatures and the
threshold are in units of the energy scale that the annealer measures at the
start of each run, except for methods that state absolute units.
"""

from __future__ import annotations

import math
import random
import time
from pathlib import Path

import numpy as np

from experiments.runner import compiled

DATA_DIR = Path(__file__).resolve().parent / "data" / "tsplib"
TSP_PROGRAM = "sx/tsp.sx"
CONTINUOUS_PROGRAM = "sx/continuous.sx"
META_TSP_PROGRAM = "sx/meta_tsp.sx"
META_CONTINUOUS_PROGRAM = "sx/meta_continuous.sx"
TANGENTS = 8

PARAMETER_NAMES = ["initial_temp", "cool_rate", "min_temp", "reheat_threshold",
                   "reheat_intensity", "oscillation_amp", "oscillation_freq",
                   "accept_threshold"]

TSP_INSTANCES = ["eil51", "berlin52", "st70", "eil76", "kroA100", "ch130", "a280", "pcb442"]
# (function, dimension); the search box of each function is in DOMAINS.
CONTINUOUS = [("rastrigin", 10), ("rastrigin", 30), ("ackley", 10), ("ackley", 30)]
DOMAINS = {"rastrigin": 5.12, "ackley": 32.768}
FUNCTION_IDS = {"rastrigin": 0, "ackley": 1}
# Standard deviation of a continuous move, the library's default.
STEP_SIZE = 0.5

# Eval seeds are never used during tuning: tuning seeds stay below 100,000.
EVAL_SEED_BASE = 100_000


def tuning_seeds(run: int, count: int) -> list[int]:
    """Seeds of tuning run `run`: disjoint between runs and from the eval seeds."""
    return [1000 * (run + 1) + k for k in range(count)]


def eval_seeds(count: int) -> list[int]:
    return [EVAL_SEED_BASE + k for k in range(count)]


# ------------------------------------------------------------------ problems

def read_tsp(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Read the coordinates of TSPLIB instance `name` as two arrays."""
    xs, ys = [], []
    in_coords = False
    with open(DATA_DIR / f"{name}.tsp") as f:
        for raw in f:
            line = raw.strip()
            if line.startswith("NODE_COORD_SECTION"):
                in_coords = True
            elif line.startswith("EOF"):
                break
            elif in_coords and line:
                fields = line.split()
                xs.append(float(fields[1]))
                ys.append(float(fields[2]))
    return np.array(xs), np.array(ys)


_DISTANCES: dict[str, np.ndarray] = {}


def distances(name: str) -> np.ndarray:
    """Return the row-major TSPLIB EUC_2D distance matrix, nint(Euclidean), flattened."""
    if name not in _DISTANCES:
        x, y = read_tsp(name)
        d = np.sqrt((x[:, None] - x[None, :]) ** 2 + (y[:, None] - y[None, :]) ** 2)
        _DISTANCES[name] = np.ascontiguousarray(np.floor(d + 0.5).ravel())
    return _DISTANCES[name]


def optima() -> dict[str, float]:
    table = {}
    with open(DATA_DIR / "optima.csv") as f:
        next(f)
        for line in f:
            fields = line.strip().split(",")
            table[fields[0]] = float(fields[3])
    return table


def optimal_tour(name: str) -> list[int]:
    """Return the optimal tour of `name` (0-based cities) from its .opt.tour file."""
    tour = []
    in_tour = False
    with open(DATA_DIR / f"{name}.opt.tour") as f:
        for raw in f:
            line = raw.strip()
            if line.startswith("TOUR_SECTION"):
                in_tour = True
            elif in_tour:
                for field in line.split():
                    if int(field) == -1:
                        return tour
                    tour.append(int(field) - 1)
            if line.startswith("EOF"):
                break
    return tour


def tour_length(name: str, tour) -> float:
    dist = distances(name)
    n = len(tour)
    order = np.asarray(tour, dtype=np.int64)
    return float(dist[order * n + np.roll(order, -1)].sum())


def tsp_problem(name: str, moves_per_city: int) -> dict:
    n = len(read_tsp(name)[0])
    return {"kind": "tsp", "name": name, "n": n, "optimum": optima()[name],
            "steps": moves_per_city * n}


def continuous_problem(function: str, dim: int, moves_per_dimension: int) -> dict:
    return {"kind": "continuous", "name": f"{function}-{dim}", "function": function,
            "dim": dim, "steps": moves_per_dimension * dim}


def start_point(problem: dict, seed: int) -> np.ndarray:
    """Uniform start in the function's usual search box, drawn from `seed`."""
    limit = DOMAINS[problem["function"]]
    return np.random.default_rng(seed).uniform(-limit, limit, problem["dim"])


# ------------------------------------------------------------------ runs

def evaluate(problem: dict, params, seed: int, absolute: bool = False) -> float:
    """Run one release-mode annealing of `problem` with schedule `params`; return its gap."""
    values = np.asarray(params, dtype=np.float64)
    if problem["kind"] == "tsp":
        module = compiled(TSP_PROGRAM)
        length = module.anneal(distances(problem["name"]), problem["n"], values, absolute,
                               problem["steps"], seed)
        return length / problem["optimum"] - 1.0
    module = compiled(CONTINUOUS_PROGRAM)
    out = np.zeros(3)
    return module.anneal(FUNCTION_IDS[problem["function"]], start_point(problem, seed), values,
                         absolute, problem["steps"], seed, STEP_SIZE, out)


def mean_gap(problem: dict, params, seeds, absolute: bool = False) -> float:
    return float(np.mean([evaluate(problem, params, s, absolute) for s in seeds]))


def trace(problem: dict, params, seed: int, target_gaps: list[float], samples: int = 0,
          absolute: bool = False) -> dict:
    """Run the traced copy of the TSP annealing loop (same run as `evaluate`).

    Returns the gap and, for each of `target_gaps`, the first step after which
    the best tour was within that gap of the optimum (None if never).  It also
    returns the re-heat steps and `samples` temperatures (tour-length units)
    at evenly spaced steps.
    """
    if problem["kind"] != "tsp":
        raise ValueError(f"trace supports TSP problems only, got {problem['kind']!r}")
    module = compiled(TSP_PROGRAM)
    heat_slots = 256
    hits = len(target_gaps)
    out = np.full(4 + hits + samples + heat_slots, np.nan)
    targets = np.array([(1.0 + g) * problem["optimum"] for g in target_gaps])
    module.anneal_traced(distances(problem["name"]), problem["n"],
                         np.asarray(params, dtype=np.float64), absolute, problem["steps"], seed,
                         targets, samples, out)
    reheats = int(out[1])
    stored = min(reheats, heat_slots)
    heat_base = 4 + hits + samples
    return {
        "gap": out[0] / problem["optimum"] - 1.0,
        "first_hits": [None if v < 0 else int(v) for v in out[4:4 + hits]],
        "reheats": reheats,
        "accepted": int(out[2]),
        "energy_scale": float(out[3]),
        "temperatures": [float(v) for v in out[4 + hits:heat_base]],
        "reheat_steps": [int(v) for v in out[heat_base:heat_base + stored]],
    }


# ------------------------------------------------------------------ schedules

def default_schedule() -> list[float]:
    """`LearnableSchedule::default()`, read from the compiled library."""
    module = compiled(TSP_PROGRAM)
    return [module.default_parameter(k) for k in range(8)]


def geometric_schedule(initial: float, final: float, steps: int) -> list[float]:
    """Cool from `initial` to `final` exactly over `steps` moves; no re-heat or oscillation.

    The re-heat threshold of 1e18 moves makes the re-heat probability 0 in
    floating point, so re-heating never fires.
    """
    rate = max(math.log(initial / final), 0.0) / steps
    return [initial, rate, final, 1e18, 0.2, 0.0, 0.01, 0.0]


def random_ranges(steps: int) -> list[tuple[float, float]]:
    """Log-uniform ranges of random search, per parameter, for runs of `steps` moves.

    Cooling rate and oscillation frequency scale with the run, so that the
    range spans cooling by e^-0.1 to e^-30 over the run and periods from a
    few moves to several runs.  Temperatures and the threshold are in
    energy-scale units.
    """
    return [
        (0.01, 10.0),              # initial_temp
        (0.1 / steps, 30.0 / steps),   # cool_rate, per move
        (1e-5, 0.1),               # min_temp
        (steps / 1000.0, 10.0 * steps),  # reheat_threshold, moves
        (0.01, 0.9),               # reheat_intensity
        (1e-4, 1.0),               # oscillation_amp
        (1.0 / steps, 1.0),        # oscillation_freq, radians per move
        (1e-4, 0.3),               # accept_threshold
    ]


def random_schedule(rng: np.random.Generator, steps: int) -> list[float]:
    return [float(math.exp(rng.uniform(math.log(lo), math.log(hi))))
            for lo, hi in random_ranges(steps)]


# ------------------------------------------------------------------ tuning methods

# Grid of the geometric schedule, in energy-scale units: T0 x Tmin pairs.
GRID_INITIAL = {False: [0.01, 0.1, 1.0, 10.0], True: [0.01, 0.1, 1.0, 10.0]}
GRID_FINAL = {False: [1e-4, 1e-3, 1e-2, 0.1], True: [1e-3, 1e-2]}


def tune_grid(problem: dict, quick: bool, seeds: list[int], budget: int) -> dict:
    """Grid search of a geometric schedule: every (T0, Tmin) pair on the same seeds."""
    pairs = len(GRID_INITIAL[quick]) * len(GRID_FINAL[quick])
    if pairs * len(seeds) != budget:
        raise ValueError(f"the grid of {pairs} pairs on {len(seeds)} seeds does not use the "
                         f"budget of {budget} runs; change GRID_INITIAL or GRID_FINAL")
    best = None
    count = 0
    for initial in GRID_INITIAL[quick]:
        for final in GRID_FINAL[quick]:
            params = geometric_schedule(float(initial), final, problem["steps"])
            score = mean_gap(problem, params, seeds)
            count += len(seeds)
            if best is None or score < best[0]:
                best = (score, params)
    return {"params": best[1], "tuning_score": best[0], "evaluations": count}


def tune_random(problem: dict, candidates: int, seeds: list[int], draw_seed: int) -> dict:
    """Random search over the eight parameters: `candidates` draws on the same seeds."""
    rng = np.random.default_rng(draw_seed)
    best = None
    for _ in range(candidates):
        params = random_schedule(rng, problem["steps"])
        score = mean_gap(problem, params, seeds)
        if best is None or score < best[0]:
            best = (score, params)
    return {"params": best[1], "tuning_score": best[0],
            "evaluations": candidates * len(seeds)}


class _Exploration:
    """The `simanneal.Annealer` interface on one of our problems, for `Annealer.auto`.

    It counts its moves, so the exploration's cost can be stated in runs of S
    moves.  `simanneal.Annealer.__init__` installs a SIGINT handler, which
    fails outside the main thread (Dask runs tasks in a thread), so the
    subclass sets the state itself instead of calling it.
    """

    def __new__(cls, problem: dict, seed: int):
        from simanneal import Annealer

        class Exploration(Annealer):
            copy_strategy = "method"

            def __init__(self):
                self.moves = 0
                self.rng = np.random.default_rng(seed)
                if problem["kind"] == "tsp":
                    self.state = self.rng.permutation(problem["n"])
                else:
                    self.state = start_point(problem, seed)

            def move(self):
                self.moves += 1
                if problem["kind"] == "tsp":
                    n = problem["n"]
                    while True:
                        i, j = sorted(self.rng.integers(0, n, size=2))
                        if i != j and not (i == 0 and j == n - 1):
                            break
                    self.state[i:j + 1] = self.state[i:j + 1][::-1].copy()
                else:
                    k = self.rng.integers(0, problem["dim"])
                    self.state[k] += STEP_SIZE * self.rng.normal()

            def energy(self):
                if problem["kind"] == "tsp":
                    return tour_length(problem["name"], self.state)
                return continuous_value(problem, self.state)

            def update(self, *args, **kwargs):
                pass

        return Exploration()


def continuous_value(problem: dict, x: np.ndarray) -> float:
    """Evaluate the objective in NumPy, with the formulas of sx/continuous.sx."""
    if problem["function"] == "rastrigin":
        return float(10.0 * x.size + np.sum(x * x - 10.0 * np.cos(2.0 * math.pi * x)))
    radius = math.sqrt(float(np.mean(x * x)) + 1e-300)
    return float(-20.0 * math.exp(-0.2 * radius) - math.exp(float(np.mean(np.cos(2 * math.pi * x))))
                 + 20.0 + math.e)


def tune_simanneal(problem: dict, seed: int, exploration_moves: int) -> dict:
    """Tmax and Tmin from simanneal's `Annealer.auto`, as a geometric schedule over S moves.

    `auto` explores with `exploration_moves` moves per trial temperature on
    the real energy, in Python, and returns absolute temperatures, so the
    schedule runs with the annealer's energy scale switched off.  The step
    count that `auto` derives from Python's wall time is replaced by S, the
    budget of every method.  simanneal calibrates its temperatures for the
    Metropolis rule, while sxc's annealer accepts by the sigmoid rule.
    """
    import simanneal.anneal

    explorer = _Exploration(problem, seed)
    # `auto` draws its acceptance tests from the module-level `random`, which
    # other threads of a Dask worker also use, so it gets a private stream.
    shared = simanneal.anneal.random
    simanneal.anneal.random = random.Random(seed)
    started = time.perf_counter()
    try:
        found = explorer.auto(minutes=1.0, steps=exploration_moves)
    finally:
        simanneal.anneal.random = shared
    seconds = time.perf_counter() - started
    params = geometric_schedule(float(found["tmax"]), float(found["tmin"]), problem["steps"])
    return {"params": params, "tmax": float(found["tmax"]), "tmin": float(found["tmin"]),
            "exploration_moves": explorer.moves, "exploration_seconds": seconds,
            "evaluations": explorer.moves / problem["steps"]}


ESTIMATORS = {0: "pathwise", 1: "score", 2: "smoothed"}


def meta_train(problem: dict, per_epoch: int, budget: int, learning_rate: float,
               seed: int) -> dict:
    """Meta-train a schedule from `LearnableSchedule::default()` in train mode.

    The meta-optimizer uses the library's default estimator for the kind of
    state and Adam, and stops before an epoch would exceed `budget`
    annealing runs.  Every run anneals the same start, drawn from `seed`.
    """
    out = np.zeros(11 + budget)
    if problem["kind"] == "tsp":
        module = compiled(META_TSP_PROGRAM, mode="train", tangents=TANGENTS)
        module.meta_train(distances(problem["name"]), problem["n"], problem["steps"], per_epoch,
                          budget, learning_rate, seed, out)
    else:
        module = compiled(META_CONTINUOUS_PROGRAM, mode="train", tangents=TANGENTS)
        module.meta_train(FUNCTION_IDS[problem["function"]], start_point(problem, seed),
                          problem["steps"], per_epoch, budget, learning_rate, seed, STEP_SIZE,
                          out)
    epochs = int(out[0])
    return {"params": [float(v) for v in out[3:11]], "evaluations": int(out[1]),
            "estimator": ESTIMATORS.get(int(out[2]), str(int(out[2]))),
            "learning_rate": learning_rate,
            "curve": [float(v) for v in out[11:11 + epochs]]}


def prepare(problem: dict, method: str) -> None:
    """Compile what a task of `method` on `problem` needs, so timings exclude compiling."""
    compiled(TSP_PROGRAM)
    if problem["kind"] == "continuous":
        compiled(CONTINUOUS_PROGRAM)
    if method == "learned":
        program = META_TSP_PROGRAM if problem["kind"] == "tsp" else META_CONTINUOUS_PROGRAM
        compiled(program, mode="train", tangents=TANGENTS)
