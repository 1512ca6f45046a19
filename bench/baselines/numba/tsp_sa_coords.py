"""W1's 2-opt annealing in Numba on instances from coordinate files.

Each file holds `n` and then n lines `x y`; distances are TSPLIB EUC_2D
(floor(sqrt(dx*dx + dy*dy) + 0.5)), the start state of the random stream is
42, as in c/tsp_sa_coords.c.
usage: python tsp_sa_coords.py steps repeats FILE...
Prints one JSON line per file; only the annealing loop is timed.
"""
import json
import math
import sys
import time

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from tsp_sa import anneal  # noqa: E402


def distances(path):
    with open(path) as f:
        n = int(f.readline())
        coords = [tuple(float(v) for v in f.readline().split()) for _ in range(n)]
    D = np.empty((n, n))
    for a in range(n):
        for b in range(n):
            dx = coords[a][0] - coords[b][0]
            dy = coords[a][1] - coords[b][1]
            D[a, b] = math.floor(math.sqrt(dx * dx + dy * dy) + 0.5)
    return D


def main():
    steps, reps = int(sys.argv[1]), int(sys.argv[2])
    st = np.uint64(42)
    for k, path in enumerate(sys.argv[3:]):
        D = distances(path)
        t0 = time.perf_counter()
        anneal(D, st, 10, 100.0, 0.01)
        t_first = time.perf_counter() - t0      # includes the compile for the first file
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            final, best, cur, acc = anneal(D, st, steps, 100.0, 0.01)
            times.append(time.perf_counter() - t0)
        name = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        print(json.dumps(dict(task=f"tsplib-{name}", impl="numba", cities=D.shape[0],
                              steps=steps, final_len=final, final_len_hex=float.hex(final),
                              best_len=best, best_len_hex=float.hex(best), accepted=int(acc),
                              compile_s=t_first if k == 0 else None, times=times)), flush=True)


if __name__ == "__main__":
    main()
