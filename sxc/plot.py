"""`sxc plot`: draw traces that `sxc run --trace` wrote, side by side.

Each trace gets a column of three panels: temperature (log scale), energy
and acceptance against the step, with a dotted line at every re-heat.
Rows share their y axis, so a fixed schedule and a learned one compare at a
glance.  A trace of several annealing runs draws each run as its own line.
matplotlib is an optional dependency (`pip install "sxc[plot]"`).
"""

from __future__ import annotations

import csv
import os

from sxc.progress import TraceRecorder

NEEDED_COLUMNS = ("run", "step", "temperature", "energy", "acceptance", "reheats")


class TraceError(Exception):
    """A trace file that cannot be read or plotted."""


def read_trace(path: str) -> dict[int, dict[str, list[float]]]:
    """Read a trace CSV; return its columns per run: run -> column -> values."""
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in NEEDED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise TraceError(f"{path}:1: missing column `{missing[0]}`: expected the "
                                 f"header {','.join(TraceRecorder.COLUMNS)}")
            runs: dict[int, dict[str, list[float]]] = {}
            for row in reader:
                try:
                    run = int(row["run"])
                    values = {c: float(row[c]) if row[c] != "" else float("nan")
                              for c in NEEDED_COLUMNS if c != "run"}
                except (TypeError, ValueError):
                    raise TraceError(f"{path}:{reader.line_num}: invalid row: expected "
                                     "numbers in every column") from None
                columns = runs.setdefault(run, {c: [] for c in values})
                for c, v in values.items():
                    columns[c].append(v)
    except OSError as err:
        raise TraceError(f"cannot read trace {path}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise TraceError(f"cannot read trace {path}: the file is not UTF-8 text, as "
                         "`sxc run --trace` writes") from None
    if not runs:
        raise TraceError(f"{path}: the trace has no rows")
    return runs


def plot_traces(paths: list[str], output: str) -> None:
    """Draw the traces at `paths` side by side into the image file `output`."""
    if os.path.isdir(output):
        raise TraceError(f"cannot write {output}: it is a directory")
    traces = [read_trace(p) for p in paths]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = ("temperature", "energy", "acceptance")
    fig, axes = plt.subplots(len(rows), len(paths), figsize=(5 * len(paths), 8),
                             sharex="col", sharey="row", squeeze=False)
    for col, (path, runs) in enumerate(zip(paths, traces)):
        axes[0][col].set_title(os.path.basename(path))
        for run, columns in sorted(runs.items()):
            steps = columns["step"]
            for row, name in enumerate(rows):
                axes[row][col].plot(steps, columns[name], linewidth=0.8,
                                    label=f"run {run}" if len(runs) > 1 else None)
            reheat_steps = [s for s, prev, now in zip(steps[1:], columns["reheats"],
                                                      columns["reheats"][1:]) if now > prev]
            for step in reheat_steps:
                for row in range(len(rows)):
                    axes[row][col].axvline(step, color="gray", linestyle=":", linewidth=0.8)
        axes[0][col].set_yscale("log")
        axes[-1][col].set_xlabel("step")
        if len(runs) > 1 and len(runs) <= 10:
            axes[0][col].legend(fontsize="small")
    for row, name in enumerate(rows):
        axes[row][0].set_ylabel(name)
    fig.tight_layout()
    try:
        fig.savefig(output, dpi=100)
    except OSError as err:
        raise TraceError(f"cannot write {output}: {err.strerror}") from None
    except ValueError as err:
        # matplotlib rejects a suffix that names no image format it writes
        raise TraceError(f"cannot write {output}: {err}") from None
    finally:
        plt.close(fig)
