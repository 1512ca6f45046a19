"""Run compiled programs that are loaded into this process.

`LoadedProgram` is what `sxc run` and `sxc.Module` call: it sets the
program's arguments, seed and stack budget and runs `main` through the
entry trampoline of `sxc.native`, given only the address of each symbol.
`sxc.jit.NativeModule` links object code with LLVM's JIT.  `SharedLibrary`
loads a shared library that `link_shared_library` built from the same
object code with the C compiler, which needs neither llvmlite nor LLVM in
the process.  The compile cache uses it on a hit.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import subprocess
import sys
import threading

# Globals and entry points of `sxc.native` and `sxc.codegen` that Python reads.
RUNTIME_SYMBOLS = ["__sx_main", "__sx_frame_address", "__sx_panic_msg", "__sx_panic_len", "__sx_argc",
                   "__sx_argv", "__sx_exit_code", "__sx_default_rng", "__sx_stack_limit",
                   "__sx_jmpbuf", "__sx_jmp_active", "__sx_stack_base",
                   "__sx_callback_error", "__sx_progress_hook", "__sx_progress_samples",
                   "__sx_progress_interval", "__sx_progress_last"]

# Stack budgets of the recursion guard.  Functions called from Python run on
# the caller's thread, and get the stack that is left below the call, less
# STACK_RESERVE for the panic path and the C library; CALL_STACK_BUDGET is
# the budget where the C library cannot tell the size of a thread's stack.
# `main` runs on a thread of its own with a 256 MiB stack.
CALL_STACK_BUDGET = 4 << 20
STACK_RESERVE = 128 << 10
MAIN_STACK_BYTES = 256 << 20
MAIN_STACK_BUDGET = MAIN_STACK_BYTES - (32 << 20)

_thread_stacks = threading.local()


def thread_stack_low() -> int | None:
    """Return the lowest usable address of the calling thread's stack (above its
    guard pages), or None where the C library does not report it.

    glibc's `pthread_getattr_np` gives the stack of any thread.  For the main
    thread it comes from `ulimit -s`, and for others from the size they were
    created with, which `threading.stack_size` sets.  The result is kept per
    thread."""
    known = getattr(_thread_stacks, "low", False)
    if known is not False:
        return known
    low = None
    try:
        libc = ctypes.CDLL(None)
        libc.pthread_self.restype = ctypes.c_ulong
        attr = ctypes.create_string_buffer(256)  # larger than any `pthread_attr_t`
        if libc.pthread_getattr_np(ctypes.c_ulong(libc.pthread_self()), attr) == 0:
            addr, size, guard = ctypes.c_void_p(), ctypes.c_size_t(), ctypes.c_size_t()
            if libc.pthread_attr_getstack(attr, ctypes.byref(addr), ctypes.byref(size)) == 0 \
                    and addr.value:
                libc.pthread_attr_getguardsize(attr, ctypes.byref(guard))
                low = addr.value + guard.value
            libc.pthread_attr_destroy(attr)
    except (AttributeError, OSError):
        low = None  # no `pthread_getattr_np`, as on macOS
    _thread_stacks.low = low
    return low


class LoadedProgram:
    """A compiled program in this process; subclasses find its symbols."""

    def _start(self) -> None:
        """Set up the call lock and the stack budget once the symbols can be found."""
        # The panic state (jump buffer, message, stack base) is one set of
        # globals per module, so calls into a module take turns.  The lock is
        # reentrant for a Python callback that calls back into the module.
        self._lock = threading.RLock()
        self._depth = 0
        self.set_stack_budget(CALL_STACK_BUDGET)
        self._frame_address = ctypes.CFUNCTYPE(ctypes.c_int64)(
            self.address("__sx_frame_address"))

    def fit_stack_budget(self) -> None:
        """Set the recursion budget of a call on this thread to the stack left below
        the caller, less a reserve, so that a thread with a small stack gets a
        runtime error rather than a segmentation fault."""
        low = thread_stack_low()
        if low is None:
            self.set_stack_budget(CALL_STACK_BUDGET)
            return
        left = self._frame_address() - low - STACK_RESERVE
        self.set_stack_budget(max(left, 0))

    def call(self, entry, *args) -> tuple[int, str, int]:
        """Call a trampoline `entry` that returns a status; return (status, panic message, exit code).

        A call made while another call of the same thread is running (from a
        Python callback) saves the outer call's jump buffer and restores it
        afterwards, so a panic unwinds only the inner call.
        """
        with self._lock:
            saved = self._save_state() if self._depth else None
            self._depth += 1
            try:
                self._set_int32("__sx_callback_error", 0)
                self.fit_stack_budget()
                status = entry(*args)
                message = self.panic_message() if status == 101 else ""
                return status, message, self.exit_code()
            finally:
                self._depth -= 1
                if saved is not None:
                    self._restore_state(saved)

    _STATE = ("__sx_jmpbuf", "__sx_jmp_active", "__sx_stack_base", "__sx_stack_limit",
              "__sx_callback_error")
    _STATE_BYTES = {"__sx_jmpbuf": 64 * 8, "__sx_jmp_active": 4, "__sx_stack_base": 8,
                    "__sx_stack_limit": 8, "__sx_callback_error": 4}

    def _save_state(self) -> list[bytes]:
        return [ctypes.string_at(self.global_address(name), self._STATE_BYTES[name])
                for name in self._STATE]

    def _restore_state(self, saved: list[bytes]) -> None:
        for name, data in zip(self._STATE, saved):
            ctypes.memmove(self.global_address(name), data, len(data))

    def _set_int32(self, name: str, value: int) -> None:
        ctypes.c_int32.from_address(self.global_address(name)).value = value

    def set_stack_budget(self, nbytes: int) -> None:
        ctypes.c_int64.from_address(self.global_address("__sx_stack_limit")).value = nbytes

    def address(self, name: str) -> int:
        raise NotImplementedError

    def global_address(self, name: str) -> int:
        return self.address(name)

    def panic_message(self) -> str:
        n = ctypes.c_int64.from_address(self.global_address("__sx_panic_len")).value
        raw = ctypes.string_at(self.global_address("__sx_panic_msg"), n)
        return raw.decode("utf-8", errors="replace")

    def set_args(self, argv: list[str]) -> None:
        self._argv = [a.encode("utf-8") for a in argv]
        arr = (ctypes.c_char_p * max(1, len(self._argv)))(*self._argv)
        self._argv_array = arr
        ctypes.c_int64.from_address(self.global_address("__sx_argc")).value = len(self._argv)
        ctypes.c_void_p.from_address(self.global_address("__sx_argv")).value = \
            ctypes.addressof(arr)

    def run_main(self, seed: int, argv: list[str],
                 time_limit: float | None = None) -> tuple[int, int]:
        """Run `main`; return (status, exit code): status 0 ok, 101 runtime error.

        The message of a runtime error is then in `main_panic`.

        When `main` runs longer than `time_limit` seconds, raise `TimeoutError`
        and leave it running on its thread: only ending the process stops it.
        """
        self.set_args(argv)
        for stream in (sys.stdout, sys.stderr):  # None when the file is closed
            if stream is not None:
                stream.flush()
        entry = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_int64)(self.address("__sx_main"))

        # The thread that runs `main` holds the lock, so after a timeout or a
        # KeyboardInterrupt, while `main` still runs, later calls wait for it,
        # and the thread keeps this module and its code alive until then.  A
        # Python callback of a running call already holds the lock for it.
        nested = self._lock._is_owned()

        def locked(seed: int) -> tuple[int, int, str]:
            with contextlib.nullcontext() if nested else self._lock:
                status = entry(seed)
                return status, self.exit_code(), self.panic_message() if status == 101 else ""

        status, code, self.main_panic = self._on_big_stack(
            locked, seed & 0xFFFFFFFFFFFFFFFF, time_limit)
        # status 2 is `exit(code)`, a normal end of the program
        return (0 if status == 2 else status), code

    def _on_big_stack(self, function, seed: int, time_limit: float | None):
        from sxc.stack import call_with_stack

        self.set_stack_budget(MAIN_STACK_BUDGET)
        # a `main` that timed out still runs on the big stack, so its budget stays
        result = call_with_stack(MAIN_STACK_BYTES, function, seed, timeout=time_limit)
        self.set_stack_budget(CALL_STACK_BUDGET)
        return result

    def exit_code(self) -> int:
        return ctypes.c_int64.from_address(self.global_address("__sx_exit_code")).value

    def set_seed(self, seed: int) -> None:
        addr = self.global_address("__sx_default_rng")
        ctypes.c_uint64.from_address(addr).value = seed & 0xFFFFFFFFFFFFFFFF


# Paths of the shared libraries loaded so far.  The dynamic loader maps a
# path once per process, so a second program from the same file would share
# the first one's globals (random state, arguments, panic message).
_loaded_paths: set[str] = set()


class SharedLibrary(LoadedProgram):
    """A program loaded with `dlopen` from a shared library of its object code."""

    def __init__(self, path: str):
        real = os.path.realpath(path)
        if real in _loaded_paths:
            raise OSError(f"{path} is already loaded in this process")
        mode = os.RTLD_NOW | os.RTLD_LOCAL
        self.library = ctypes.CDLL(real, mode=mode)
        _loaded_paths.add(real)
        self._start()

    def address(self, name: str) -> int:
        # Raises AttributeError for a symbol that the library does not define.
        return ctypes.cast(getattr(self.library, name), ctypes.c_void_p).value


def find_c_compiler() -> str | None:
    """Return the path of `$CC`, else of `cc` or `gcc`, or None."""
    import shutil

    return shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")


def link_shared_library(object_code: bytes, output: str) -> bool:
    """Link position-independent `object_code` into a shared library at `output`.

    The library binds its own symbols to itself (`-Bsymbolic`), so a function
    of the program never resolves to a same-named one of the C library.
    Return False if there is no C compiler or it fails.
    """
    import tempfile

    cc = find_c_compiler()
    if cc is None:
        return False
    folder = os.path.dirname(os.path.abspath(output))
    with tempfile.TemporaryDirectory(dir=folder, prefix=".link-") as tmp:
        obj = os.path.join(tmp, "program.o")
        lib = os.path.join(tmp, "program.so")
        with open(obj, "wb") as out:
            out.write(object_code)
        try:
            result = subprocess.run([cc, "-shared", "-Wl,-Bsymbolic", "-o", lib, obj, "-lm"],
                                    capture_output=True)
        except OSError:
            return False
        if result.returncode != 0:
            return False
        os.replace(lib, output)
    return True
