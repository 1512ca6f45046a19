"""The worker process that optimises LLVM modules for `sxc.compile`."""

from __future__ import annotations

import math
import os
import signal

import pytest

import sxc
from sxc import llvm_worker
from sxc.jit import optimize, target_machine

SOURCE = "fn f(x: f64) -> f64 {{ x * {k}.0 + (x / 4.0).sin() }}\n"


def test_worker_gives_same_object_code():
    ir_text = sxc.compile(SOURCE.format(k=3), cache=False)._compiled.llvm_ir
    in_process = target_machine(2).emit_object(optimize(ir_text, 2))
    assert llvm_worker.object_code(ir_text, 2) == in_process


def test_compile_uses_worker_above_O0():
    llvm_worker.stop()
    module = sxc.compile(SOURCE.format(k=5), cache=False, opt_level=2)
    assert module.f(2.0) == 2.0 * 5.0 + math.sin(0.5)
    assert llvm_worker._worker is not None
    assert llvm_worker._worker.modules == 1


def test_dead_worker_replaced_between_compiles():
    sxc.compile(SOURCE.format(k=6), cache=False, opt_level=2)
    os.kill(llvm_worker._worker.proc.pid, signal.SIGKILL)
    llvm_worker._worker.proc.wait()
    module = sxc.compile(SOURCE.format(k=7), cache=False, opt_level=2)
    assert module.f(0.0) == 0.0


def test_worker_death_during_request_raises(monkeypatch):
    llvm_worker.stop()
    # a worker that reads the request's header and ends
    monkeypatch.setattr(llvm_worker, "_SERVE", "import sys; sys.stdin.buffer.read(8); "
                                               "sys.exit(3)")
    with pytest.raises(llvm_worker.WorkerError, match="ended with status 3"):
        sxc.compile(SOURCE.format(k=8), cache=False, opt_level=2)
    monkeypatch.undo()
    # the host goes on, with a new worker
    assert sxc.compile(SOURCE.format(k=9), cache=False, opt_level=2).f(1.0) > 9.0


def test_new_programs_at_O2_memory_bounded(monkeypatch):
    # llvmlite keeps about 55 KB for each module it optimises; in the worker
    # that memory is not this process's
    from tests.fuzz.embed_cycles import run_cycles

    monkeypatch.setenv("SXC_NO_CACHE", "1")
    start, end = run_cycles(170, opt_level=2, distinct=0)
    assert end - start < 4, f"RSS grew from {start:.1f} to {end:.1f} MiB over 140 cycles"


def test_interrupted_request_drops_worker(monkeypatch):
    """A reply that an interrupt left unread is never taken for a later program's."""
    sxc.compile(SOURCE.format(k=10), cache=False, opt_level=2)
    receive = llvm_worker._receive

    def interrupted(stream):
        monkeypatch.setattr(llvm_worker, "_receive", receive)
        raise KeyboardInterrupt

    monkeypatch.setattr(llvm_worker, "_receive", interrupted)
    with pytest.raises(KeyboardInterrupt):
        sxc.compile(SOURCE.format(k=11), cache=False, opt_level=2)
    for k in (12, 13):
        assert sxc.compile(SOURCE.format(k=k), cache=False, opt_level=2).f(1.0) == \
            k + math.sin(0.25)


def _in_child(check) -> int:
    """Fork, run `check()` in the child, and return the child's exit status."""
    pid = os.fork()
    if pid == 0:
        signal.alarm(60)
        try:
            os._exit(0 if check() else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_fork_while_compiling_child_compiles():
    """The lock that another thread of the parent holds does not stay held in the child."""
    sxc.compile(SOURCE.format(k=14), cache=False, opt_level=2)
    with llvm_worker._lock:
        status = _in_child(lambda: sxc.compile(SOURCE.format(k=15), cache=False,
                                               opt_level=2).f(1.0) == 15 + math.sin(0.25))
    assert status == 0


def test_fork_child_drops_worker_pipes():
    """A forked child closes its copies of the worker's pipes, so the worker
    reads the end of its input when the parent closes them."""
    sxc.compile(SOURCE.format(k=16), cache=False, opt_level=2)
    fds = [llvm_worker._worker.proc.stdin.fileno(), llvm_worker._worker.proc.stdout.fileno()]

    def closed() -> bool:
        for fd in fds:
            try:
                os.fstat(fd)
            except OSError:
                continue
            return False
        return llvm_worker._worker is None

    assert _in_child(closed) == 0


def test_worker_ignores_sxc_folder_in_cwd(tmp_path):
    """A folder named `sxc` in the current directory does not replace the worker's sxc."""
    import subprocess
    import sys

    (tmp_path / "sxc").mkdir()
    (tmp_path / "sxc" / "__init__.py").write_text("")
    script = tmp_path / "script" / "run.py"
    script.parent.mkdir()
    script.write_text("import sxc\n"
                      f"print(sxc.compile({SOURCE.format(k=17)!r}, cache=False).f(0.0))\n")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(sxc.__file__)))
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "0.0\n"


def test_broken_pipe_raises_worker_error(monkeypatch):
    sxc.compile(SOURCE.format(k=18), cache=False, opt_level=2)

    def broken(stream, message):
        raise BrokenPipeError("pipe closed")

    monkeypatch.setattr(llvm_worker, "_send", broken)
    with pytest.raises(llvm_worker.WorkerError,
                       match="failed to send the program to the LLVM worker process: pipe "
                             "closed; the next compile starts a new worker"):
        sxc.compile(SOURCE.format(k=19), cache=False, opt_level=2)
    monkeypatch.undo()
    assert sxc.compile(SOURCE.format(k=20), cache=False, opt_level=2).f(0.0) == 0.0
