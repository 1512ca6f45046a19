"""`sxc plot`: traces of `sxc run --trace` drawn into an image."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT, run_sxc

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# two runs; the second re-heats at step 20
TRACE = """run,step,total,temperature,energy,acceptance,accepted,reheats
0,0,30,1.0,10.0,,0,0
0,10,30,0.5,6.0,0.5,5,0
0,30,30,0.25,4.0,0.25,10,0
1,0,30,1.0,9.0,,0,0
1,10,30,0.5,7.0,0.4,4,0
1,20,30,0.8,5.0,0.3,7,1
1,30,30,0.4,3.0,0.2,9,1
"""


def write_trace(tmp_path, name="trace.csv", text=TRACE):
    path = tmp_path / name
    path.write_text(text)
    return path


def png_size(data: bytes) -> tuple[int, int]:
    # the IHDR chunk follows the signature: length, type, width, height
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_plot_one_trace_png(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "out.png"
    result = run_sxc("plot", str(write_trace(tmp_path)), "-o", str(out))
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert png_size(data) == (500, 800)


def test_plot_traces_side_by_side(tmp_path):
    pytest.importorskip("matplotlib")
    fixed = write_trace(tmp_path, "fixed.csv")
    learned = write_trace(tmp_path, "learned.csv")
    out = tmp_path / "cmp.png"
    result = run_sxc("plot", str(fixed), str(learned), "-o", str(out))
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    # one column of panels per trace, 5 inches at 100 dpi each
    assert png_size(data) == (1000, 800)


def test_plot_without_matplotlib(tmp_path):
    trace = write_trace(tmp_path)
    code = ("import sys; sys.modules['matplotlib'] = None; from sxc.cli import main; "
            f"sys.exit(main(['plot', {str(trace)!r}, '-o', {str(tmp_path / 'x.png')!r}]))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1
    assert "`sxc plot` needs matplotlib, which is not installed" in result.stderr
    assert 'pip install "sxc[plot]"' in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_plot_missing_file(tmp_path):
    pytest.importorskip("matplotlib")
    missing = tmp_path / "none.csv"
    result = run_sxc("plot", str(missing), "-o", str(tmp_path / "x.png"))
    assert result.returncode == 1
    assert f"error: cannot read trace {missing}: No such file or directory" in result.stderr


def test_plot_missing_column(tmp_path):
    pytest.importorskip("matplotlib")
    trace = write_trace(tmp_path, text="run,step,energy\n0,0,1.0\n")
    result = run_sxc("plot", str(trace), "-o", str(tmp_path / "x.png"))
    assert result.returncode == 1
    assert f"error: {trace}:1: missing column `temperature`" in result.stderr


def test_plot_invalid_row(tmp_path):
    pytest.importorskip("matplotlib")
    trace = write_trace(tmp_path, text=TRACE + "1,40,30,hot,3.0,0.2,9,1\n")
    result = run_sxc("plot", str(trace), "-o", str(tmp_path / "x.png"))
    assert result.returncode == 1
    assert f"error: {trace}:9: invalid row: expected numbers in every column" in result.stderr


def test_plot_empty_trace(tmp_path):
    pytest.importorskip("matplotlib")
    trace = write_trace(tmp_path, text=TRACE.splitlines()[0] + "\n")
    result = run_sxc("plot", str(trace), "-o", str(tmp_path / "x.png"))
    assert result.returncode == 1
    assert f"error: {trace}: the trace has no rows" in result.stderr


def test_plot_unknown_format(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "x.unknownformat"
    result = run_sxc("plot", str(write_trace(tmp_path)), "-o", str(out))
    assert result.returncode == 1
    assert f"error: cannot write {out}: Format 'unknownformat' is not supported" \
        in result.stderr


def test_plot_output_folder_missing(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "no" / "x.png"
    result = run_sxc("plot", str(write_trace(tmp_path)), "-o", str(out))
    assert result.returncode == 1
    assert f"error: cannot write {out}: No such file or directory" in result.stderr


def test_plot_into_a_directory(tmp_path):
    pytest.importorskip("matplotlib")
    result = run_sxc("plot", str(write_trace(tmp_path)), "-o", str(tmp_path))
    assert result.returncode == 1
    assert f"error: cannot write {tmp_path}: it is a directory" in result.stderr
    assert not (tmp_path.parent / f"{tmp_path.name}.png").exists()


def test_plot_trace_not_utf8(tmp_path):
    pytest.importorskip("matplotlib")
    trace = tmp_path / "bin.csv"
    trace.write_bytes(b"\xff\xfe\x00run,step\n")
    result = run_sxc("plot", str(trace), "-o", str(tmp_path / "x.png"))
    assert result.returncode == 1
    assert f"error: cannot read trace {trace}: the file is not UTF-8 text" in result.stderr
    assert "Traceback" not in result.stderr
