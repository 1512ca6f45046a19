"""bench/run.py --quick produces complete results with correct workload outputs.

Only the structure of performance.json and its correctness fields are
checked, never a time.  Numba and JAX are left out to keep the run short;
the C baselines run when gcc is installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

RUN = ROOT / "bench" / "run.py"


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    res = subprocess.run([sys.executable, str(RUN), "--quick", "--skip", "numba,jax",
                          "--out", str(out)], capture_output=True, text=True, timeout=600,
                         cwd=ROOT)
    assert res.returncode == 0, res.stderr[-3000:]
    return json.loads((out / "performance.json").read_text()), out, res


def test_quick_run_writes_json_and_markdown(quick):
    results, out, _ = quick
    assert results["schema"] == 1
    assert results["quick"] is True
    assert results["errors"] == []
    assert results["command"].startswith("python bench/run.py --quick")
    md = (out / "performance.md").read_text()
    assert md.startswith("# Performance")
    assert results["command"] in md
    assert results["machine"]["cpu"] in md


def test_quick_run_records_machine_and_versions(quick):
    results, _, _ = quick
    machine = results["machine"]
    for key in ("cpu", "cores", "os", "load_avg_start", "load_avg_end",
                "load_avg_at_round_starts"):
        assert key in machine, key
    assert len(machine["load_avg_at_round_starts"]) == results["settings"]["rounds"]
    for key in ("python", "sxc", "llvmlite", "llvm", "numpy"):
        assert results["versions"].get(key), key


def test_quick_run_reports_skipped_implementations(quick):
    results, _, res = quick
    skipped = {entry["what"]: entry["reason"] for entry in results["skipped"]}
    assert skipped["numba"] == "--skip"
    assert skipped["jax"] == "--skip"
    assert "skipping numba" in res.stderr
    impls = {t["impl"] for t in results["timings"]}
    assert "numba" not in impls
    assert "jax" not in impls


def test_quick_run_sxc_results_match_spec(quick):
    results, _, _ = quick
    sxc_checks = {(c["task"], c["impl"]): c for c in results["checks"]
                  if c["impl"].startswith("sxc")}
    for task in ("w1", "w2-primal", "w2-dual1x6", "w2-dual6"):
        check = sxc_checks[(task, "sxc-O3")]
        assert check["reference"] == "spec"
        assert check["bit_identical"], check
    assert results["checks"], "no correctness checks recorded"
    python = [c for c in results["checks"] if c["impl"] == "python"]
    assert python and all(c["bit_identical"] for c in python), python


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
def test_quick_run_c_and_tsplib_match(quick):
    results, _, _ = quick
    c_checks = [c for c in results["checks"] if c["impl"] == "c-O3"]
    assert c_checks and all(c["bit_identical"] for c in c_checks), c_checks
    for entry in results["tsplib"]:
        sxc_cell = entry["impls"]["sxc-O3"]
        assert sxc_cell["bit_identical_to_c"], entry["instance"]
        assert sxc_cell["ratio_vs_c_O3"] is not None


def test_quick_run_has_every_section(quick):
    results, _, _ = quick
    tasks = {(t["task"], t["impl"]) for t in results["timings"]}
    for task in ("w1", "w2-primal", "w2-dual1x6", "w2-dual6", "w2s-release", "w2s-train0",
                 "w2s-train1", "w2s-train8"):
        assert (task, "sxc-O3") in tasks, task
    for row in results["timings"]:
        assert row["repeats"] >= 1
        assert row["median_s"] > 0
        assert row["min_s"] <= row["median_s"]
    assert {e["instance"] for e in results["tsplib"]} == set(results["settings"]
                                                             ["tsplib_instances"])
    states = {(p["workload"], p["state"]) for p in results["process"]}
    assert ("W1 tsp_sa.sx", "cold") in states
    assert ("W1 tsp_sa.sx", "warm") in states
    for p in results["process"]:
        assert p["median_peak_rss_mib"] > 0
    lines = {r["lines"] for r in results["compile"]["scaling"]}
    assert len(lines) == len(results["settings"]["compile_lines"])
    assert results["schedule_variant"]["w2s-train8"]["lanes"] == 8
    assert results["schedule_variant"]["w2s-release"]["lanes"] == 1
    # without tangents, train mode computes the values of the 8-lane run, bit for bit
    train0 = results["schedule_variant"]["w2s-train0"]
    assert train0["lanes"] == 0
    assert train0["loss"] == results["schedule_variant"]["w2s-train8"]["loss"]


def test_render_rewrites_markdown(quick, tmp_path):
    results, out, _ = quick
    copy = tmp_path / "performance.json"
    copy.write_text(json.dumps(results))
    res = subprocess.run([sys.executable, str(RUN), "--render", str(copy)],
                         capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "performance.md").read_text() == (out / "performance.md").read_text()


def test_bad_skip_name_is_an_error():
    res = subprocess.run([sys.executable, str(RUN), "--skip", "fortran"], capture_output=True,
                         text=True, cwd=ROOT)
    assert res.returncode == 2
    assert "--skip: unknown implementation fortran" in res.stderr


def load_tsplib_module():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import tsplib
    finally:
        sys.path.pop(0)
    return tsplib


def test_tsplib_instances_match_optima_table():
    tsplib = load_tsplib_module()
    cities = {"eil51": 51, "kroA100": 100, "ch130": 130, "a280": 280, "pcb442": 442}
    assert set(tsplib.optima()) == set(cities)
    for name, optimum in tsplib.optima().items():
        inst = tsplib.load(name)
        assert inst.name == name
        assert inst.optimum == optimum
        assert inst.cities == cities[name]


@pytest.mark.parametrize("text, message", [
    ("NAME : x\nEDGE_WEIGHT_TYPE : GEO\nNODE_COORD_SECTION\n1 0 0\n",
     "edge weight type GEO is not supported"),
    ("NAME : x\nDIMENSION : 3\n", "missing NODE_COORD_SECTION"),
    ("NAME : x\nDIMENSION : 3\nNODE_COORD_SECTION\n1 0 0\n2 1 1\nEOF\n",
     "DIMENSION is 3 but 2 coordinates follow"),
    ("NAME : x\nNODE_COORD_SECTION\n1 0\n", "expected `index x y`"),
])
def test_tsplib_reader_rejects_bad_files(tmp_path, text, message):
    tsplib = load_tsplib_module()
    path = tmp_path / "bad.tsp"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        tsplib.read_tsp(path)


def test_memory_loops_runs_every_program():
    # every program compiles and runs; the peaks are printed, never checked
    res = subprocess.run([sys.executable, str(ROOT / "bench" / "memory_loops.py"), "--turns",
                          "50"], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].startswith("machine: ")
    assert len(lines) == 5
    assert all("peak RSS" in line and "exit" not in line for line in lines[1:])
