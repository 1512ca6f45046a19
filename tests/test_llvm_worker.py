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
    start, end = run_cycles(300, opt_level=2, distinct=0)
    assert end - start < 8, f"RSS grew from {start:.1f} to {end:.1f} MiB over 270 cycles"
