"""Progress reports and traces of library annealing runs (`--progress`, `--trace`)."""

from __future__ import annotations

import csv
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

import sxc
from conftest import ROOT, run_sxc

STEPS = 30_000
T0 = 2.0
ALPHA = 1e-4
TMIN = 0.01

# An absolute-temperature schedule that never re-heats, so the temperature
# after t moves is max(T0 e^(-alpha t), Tmin).
PROGRAM = f"""
use simplex_training::{{Annealer, LearnableSchedule}};

fn sphere(x: &[dual]) -> dual {{
    let mut total = dual::constant(0.0);
    for v in x.iter() {{
        total = total + v * v;
    }}
    total
}}

fn main() {{
    let mut schedule = LearnableSchedule::default();
    schedule.initial_temp = dual::constant({T0});
    schedule.cool_rate = dual::constant({ALPHA});
    schedule.min_temp = dual::constant({TMIN});
    schedule.reheat_threshold = dual::constant(1e12);
    let mut annealer = Annealer::new(schedule).with_absolute_temperatures().with_seed(7)
        .with_sampled_decisions();
    annealer.optimize(vec![3.0, -2.0, 1.0], sphere, {STEPS});
    println!("final {{}}", annealer.stats.final_energy);
    println!("accepted {{}}", annealer.stats.accepted);
}}
"""


def read_trace(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def program(tmp_path):
    path = tmp_path / "anneal.sx"
    path.write_text(PROGRAM)
    return path


def test_trace_columns_and_rows(program, tmp_path):
    trace = tmp_path / "trace.csv"
    result = run_sxc("run", str(program), "--trace", str(trace))
    assert result.returncode == 0, result.stderr
    rows = read_trace(trace)
    assert list(rows[0]) == ["run", "step", "total", "temperature", "energy", "acceptance",
                             "accepted", "reheats"]
    # one row per STEPS / 10,000 moves, and the end of the run
    steps = [int(r["step"]) for r in rows]
    assert steps == list(range(0, STEPS, 3)) + [STEPS]
    assert {r["run"] for r in rows} == {"0"}
    assert {r["total"] for r in rows} == {str(STEPS)}
    assert {r["reheats"] for r in rows} == {"0"}
    assert rows[0]["acceptance"] == ""
    for row in rows[1:]:
        assert 0.0 <= float(row["acceptance"]) <= 1.0


def test_trace_temperature_closed_form(program, tmp_path):
    trace = tmp_path / "trace.csv"
    result = run_sxc("run", str(program), "--trace", str(trace))
    assert result.returncode == 0, result.stderr
    for row in read_trace(trace):
        expected = max(T0 * math.exp(-ALPHA * int(row["step"])), TMIN)
        assert float(row["temperature"]) == pytest.approx(expected, rel=1e-12)


def test_trace_last_row_matches_stats(program, tmp_path):
    trace = tmp_path / "trace.csv"
    result = run_sxc("run", str(program), "--trace", str(trace))
    assert result.returncode == 0, result.stderr
    printed = dict(line.split() for line in result.stdout.splitlines())
    last = read_trace(trace)[-1]
    assert float(last["energy"]) == float(printed["final"])
    assert last["accepted"] == printed["accepted"]
    # the file was written through a temporary file in the same folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["anneal.sx", "trace.csv"]


def test_progress_keeps_program_output(program):
    plain = run_sxc("run", str(program))
    shown = run_sxc("run", str(program), "--progress")
    assert plain.returncode == 0, plain.stderr
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == plain.stdout
    assert plain.stderr == ""
    assert "annealing" in shown.stderr


def test_module_progress_callback(program):
    module = sxc.compile(str(program))
    events = []
    with module.progress(events.append, samples=10, interval=0.0):
        module.run()
    steps = [e.step for e in events]
    assert steps == list(range(0, STEPS, STEPS // 10)) + [STEPS]
    assert all(e.total == STEPS for e in events)
    assert all(e.kind == 0 for e in events)
    events.clear()
    module.run()
    assert events == []


def test_module_progress_keeps_last_report(program):
    module = sxc.compile(str(program))
    events = []
    # an hour between calls: only the first report and the run's last one arrive
    with module.progress(events.append, samples=10, interval=3600.0):
        module.run()
    assert [e.step for e in events] == [0, STEPS]
    assert events[-1].total == STEPS


def test_module_progress_error_raised(program):
    module = sxc.compile(str(program))

    def fail(event):
        raise ValueError("stop here")

    with pytest.raises(ValueError, match="stop here"):
        with module.progress(fail, interval=0.0):
            module.run()


def test_meta_optimizer_reports_epochs(tmp_path):
    path = tmp_path / "meta.sx"
    path.write_text("""
use simplex_training::{MetaOptimizer, LearnableSchedule};

fn bowl(x: &[dual]) -> dual {
    x[0] * x[0] + x[1] * x[1]
}

fn main() {
    let mut meta = MetaOptimizer::new(LearnableSchedule::default(), bowl)
        .estimator("smoothed").runs(2).inner_steps(50);
    let start = vec![1.0, -1.0];
    for epoch in 0..3 {
        let step = meta.step(&start);
        println!("{}", step.final_loss);
    }
}
""")
    module = sxc.compile(str(path))
    events = []
    with module.progress(events.append, interval=0.0):
        module.run()
    # the inner runs do not report, only the three meta-steps
    assert [(e.kind, e.step) for e in events] == [(1, 1), (1, 2), (1, 3)]
    assert [e.accepted for e in events] == [4, 8, 12]


def test_progress_samples_invalid(program):
    module = sxc.compile(str(program))
    with pytest.raises(ValueError, match="invalid number of progress samples 0"):
        with module.progress(print, samples=0):
            pass


def doc_blocks(language: str) -> list[str]:
    """Return the `language` code blocks of the progress section of docs/library.md."""
    text = (ROOT / "docs" / "library.md").read_text()
    section = text.split("## Progress and traces", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", section, re.S)


def test_docs_progress_shell_block(tmp_path):
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    blocks = doc_blocks("sh")
    assert len(blocks) == 2
    sxc_command = Path(sys.executable).parent / "sxc"
    run, plot = [block.strip().split() for block in blocks]
    assert run[0] == "sxc"
    result = subprocess.run([str(sxc_command), *run[1:]], cwd=tmp_path,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "annealing" in result.stderr
    rows = read_trace(tmp_path / "tsp-trace.csv")
    assert int(rows[-1]["step"]) == 2000 * 52
    pytest.importorskip("matplotlib")
    assert plot[0] == "sxc"
    result = subprocess.run([str(sxc_command), *plot[1:]], cwd=tmp_path,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "tsp-trace.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_docs_progress_python_block():
    blocks = doc_blocks("python")
    assert len(blocks) == 1
    result = subprocess.run([sys.executable, "-c", blocks[0]], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    steps = 1000 * 52
    assert f"[(0, {steps}), ({steps // 4}, {steps})," in result.stdout


def test_progress_bar_on_terminal(program):
    pytest.importorskip("rich")
    import os
    import pty

    leader, follower = pty.openpty()
    try:
        result = subprocess.run([sys.executable, "-m", "sxc.cli", "run", str(program),
                                 "--progress"], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=follower, text=True, timeout=600)
        os.close(follower)
        shown = _read_all(leader)
    finally:
        os.close(leader)
    assert result.returncode == 0
    assert result.stdout.startswith("final ")
    # rich draws the bar with terminal control sequences, not plain lines
    assert b"\x1b[" in shown
    assert b"last report:" not in shown


def _read_all(leader: int) -> bytes:
    """Read a pseudo-terminal until its other side is closed."""
    import os

    data = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    return data


def _terminal_run(args: list[str]) -> tuple[int, str]:
    """Run sxc with stdout and stderr on one pseudo-terminal; return the status and text."""
    import os
    import pty

    leader, follower = pty.openpty()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="100")
    try:
        proc = subprocess.Popen([sys.executable, "-m", "sxc.cli", *args], cwd=ROOT,
                                stdout=follower, stderr=follower, stdin=subprocess.DEVNULL,
                                env=env)
        os.close(follower)
        shown = _read_all(leader)
        status = proc.wait(timeout=600)
    finally:
        os.close(leader)
    return status, shown.decode("utf-8", "replace")


def test_progress_bar_keeps_output_lines():
    """On a terminal, the program's lines print above the bar, each on a line of its own."""
    pytest.importorskip("rich")
    example = str(ROOT / "examples" / "meta_optimizer.sx")
    plain = run_sxc("run", example)
    status, shown = _terminal_run(["run", "--progress", example])
    assert status == 0
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)
    lines = [line for part in text.split("\r\n") for line in part.split("\r")]
    printed = [line for line in lines if "Epoch" in line or "Learned" in line]
    # every line of the program, whole and in order, and none shares a line with the bar
    assert printed == [line for line in plain.stdout.splitlines()
                       if "Epoch" in line or "Learned" in line]
    # meta-steps have no total: the bar shows the count alone
    assert "meta-step" in text
    assert "/?" not in text


def test_progress_bar_then_partial_last_line(program):
    """A last line without a newline is printed after the bar is gone."""
    pytest.importorskip("rich")
    source = program.read_text().replace('println!("accepted {}", annealer.stats.accepted);',
                                         'print!("tail {}", annealer.stats.accepted);')
    program.write_text(source)
    status, shown = _terminal_run(["run", "--progress", str(program)])
    assert status == 0
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)
    assert re.search(r"tail \d+$", text), text[-300:]


def test_trace_written_at_time_limit(tmp_path):
    # the run finishes, then a loop that LLVM cannot prove finite hits the limit
    endless = PROGRAM.replace(
        '    println!("accepted {}", annealer.stats.accepted);\n',
        '    println!("accepted {}", annealer.stats.accepted);\n'
        '    let mut x: u64 = 1;\n    loop {\n'
        '        x = x * 6364136223846793005 + 1;\n        if x == 7 { break; }\n    }\n'
        '    println!("{}", x);\n')
    assert endless != PROGRAM
    path = tmp_path / "endless.sx"
    path.write_text(endless)
    trace = tmp_path / "trace.csv"
    result = run_sxc("run", "--time-limit", "3", "--trace", str(trace), str(path))
    assert result.returncode == 124, result.stderr
    assert "time limit" in result.stderr
    steps = [int(r["step"]) for r in read_trace(trace)]
    assert steps[0] == 0
    assert steps[-1] == STEPS
