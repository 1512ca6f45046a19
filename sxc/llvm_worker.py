"""Optimise LLVM modules in a worker process, for hosts that compile many programs.

llvmlite 0.50 keeps about 55 KB of native memory for every module that its
pass builder optimises.  A loop over 500 small modules grew by that much
per module even with the module, its context, the pass builder and the
target machine all closed.  Parsing and emitting object code alone keep
nothing.  A Python host that compiles thousands of programs
with `sxc.compile` would grow without bound, so it sends the IR to a worker
process, which optimises it and returns the object code, and which is
replaced after `MODULES_PER_WORKER` modules.  An LLVM crash then ends the
worker, not the host.

The command line compiles one program per process and keeps the work in
process.  Without a worker (a sandbox that forbids processes, say) the
caller optimises in process too.
"""

from __future__ import annotations

import atexit
import os
import pickle
import struct
import subprocess
import sys
import threading

MODULES_PER_WORKER = 200
_HEADER = struct.Struct("<Q")
_SERVE = "from sxc.llvm_worker import serve; serve()"


class WorkerError(RuntimeError):
    """The worker process ended before it sent a result."""


class _Worker:
    def __init__(self) -> None:
        # The folder of this sxc goes first on the worker's path, so that a folder
        # named `sxc` in the current directory cannot stand in for it.
        package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        code = f"import sys; sys.path.insert(0, {package_parent!r}); {_SERVE}"
        self.proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)
        self.modules = 0

    def request(self, ir_text: str, opt_level: int) -> bytes:
        try:
            _send(self.proc.stdin, (ir_text, opt_level))
            reply = _receive(self.proc.stdout)
        except BaseException:
            # An interrupt can leave a request or its reply half sent, and a later
            # request would read the wrong reply, so this worker is done.
            self.kill()
            raise
        if reply is None:
            status = self.proc.wait()
            raise WorkerError(f"the LLVM worker process ended with status {status} "
                              "while optimising the program; the next compile starts a new "
                              "worker")
        self.modules += 1
        kind, value = reply
        if kind == "error":
            # what llvmlite raised in the worker, such as a failed verification
            raise RuntimeError(value)
        return value

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            self.kill()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()

    def forget_in_child(self) -> None:
        """Close this process's copies of the pipes, in a child forked from the owner."""
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                os.close(stream.fileno())
            except (OSError, ValueError):
                pass


_lock = threading.Lock()
_worker: _Worker | None = None
_unavailable = False


def object_code(ir_text: str, opt_level: int) -> bytes | None:
    """Return the object code of `ir_text` optimised at `opt_level` by the worker.

    Return None when no worker process can be started; the caller then
    optimises in this process.  Raise RuntimeError for what LLVM rejects, as
    llvmlite does, and `WorkerError` when the worker dies.
    """
    global _worker, _unavailable
    with _lock:
        if _unavailable:
            return None
        if _worker is not None and (_worker.modules >= MODULES_PER_WORKER
                                    or _worker.proc.poll() is not None):
            # replace a worker that has done its share, or that ended between requests
            _worker.close()
            _worker = None
        if _worker is None:
            try:
                _worker = _Worker()
            except OSError:
                _unavailable = True
                return None
        try:
            return _worker.request(ir_text, opt_level)
        except RuntimeError as exc:
            if isinstance(exc, WorkerError):
                _worker = None
            raise
        except OSError as exc:
            _worker = None
            raise WorkerError(f"failed to send the program to the LLVM worker process: {exc}; "
                              "the next compile starts a new worker") from None
        except BaseException:
            _worker = None
            raise


def stop() -> None:
    """End the worker process, if there is one."""
    global _worker
    with _lock:
        if _worker is not None:
            _worker.close()
        _worker = None


def _after_fork_in_child() -> None:
    """Start the child of a fork without its parent's worker or lock.

    The lock may have been held by another thread of the parent, and the
    child's copies of the pipes would keep the worker from seeing the end of
    its input when the parent closes them."""
    global _lock, _worker
    _lock = threading.Lock()
    if _worker is not None:
        _worker.forget_in_child()
    _worker = None


atexit.register(stop)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _send(stream, message) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream):
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)


def serve() -> None:
    """Serve requests from stdin until it closes: the worker process's main loop."""
    from sxc.jit import optimize, target_machine

    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    # nothing else may write to the reply stream
    sys.stdout = sys.stderr
    while True:
        message = _receive(requests)
        if message is None:
            return
        ir_text, opt_level = message
        try:
            module = optimize(ir_text, opt_level)
            reply = ("ok", target_machine(opt_level).emit_object(module))
        except RuntimeError as exc:
            reply = ("error", str(exc))
        _send(replies, reply)
