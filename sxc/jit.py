"""Optimise an LLVM module and run it in-process with MCJIT.

`NativeModule` owns one execution engine.  Calls go through trampolines that
set up the panic handler (see `sxc.native`), so a runtime error returns a
status instead of ending the process.
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import sys
import threading

import llvmlite.binding as llvm


# Globals and entry points of `sxc.native` and `sxc.codegen` that Python reads.
RUNTIME_SYMBOLS = ["__sx_main", "__sx_panic_msg", "__sx_panic_len", "__sx_argc",
                   "__sx_argv", "__sx_exit_code", "__sx_default_rng", "__sx_stack_limit",
                   "__sx_jmpbuf", "__sx_jmp_active", "__sx_stack_base",
                   "__sx_callback_error"]

# Stack budgets of the recursion guard.  Functions called from Python run on
# the caller's thread, whose stack is usually 8 MiB on Linux.  `main` runs on
# a thread of its own with a 256 MiB stack.
CALL_STACK_BUDGET = 4 << 20
MAIN_STACK_BYTES = 256 << 20
MAIN_STACK_BUDGET = MAIN_STACK_BYTES - (32 << 20)


@functools.lru_cache(maxsize=1)
def _init() -> None:
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()


@functools.lru_cache(maxsize=4)
def target_machine(opt_level: int) -> llvm.TargetMachine:
    """Return the host's target machine with its CPU features, for JIT and objects."""
    _init()
    target = llvm.Target.from_default_triple()
    return target.create_target_machine(
        cpu=llvm.get_host_cpu_name(),
        features=llvm.get_host_cpu_features().flatten(),
        opt=opt_level,
    )


def optimize(ir_text: str, opt_level: int) -> llvm.ModuleRef:
    """Parse, verify and optimise `ir_text` with LLVM's default O1..O3 pipeline."""
    tm = target_machine(opt_level)
    mod = llvm.parse_assembly(ir_text)
    mod.triple = llvm.get_process_triple()
    mod.data_layout = str(tm.target_data)
    mod.verify()
    if opt_level > 0:
        pto = llvm.create_pipeline_tuning_options(speed_level=opt_level)
        pto.loop_vectorization = True
        pto.slp_vectorization = True
        builder = llvm.create_pass_builder(tm, pto)
        builder.getModulePassManager().run(mod, builder)
    return mod


_library_ids = itertools.count()


class NativeModule:
    """A compiled program loaded into this process with LLVM's ORC JIT."""

    def __init__(self, ir_text: str, opt_level: int, exports: list[str]):
        self.opt_level = opt_level
        self.module = optimize(ir_text, opt_level)
        # The JIT links the object code that the compile cache stores, so a
        # cached run executes the same machine code.
        self.object_code = target_machine(opt_level).emit_object(self.module)
        self._link(exports)

    @classmethod
    def from_object(cls, object_code: bytes, opt_level: int,
                    exports: list[str]) -> "NativeModule":
        """Link the `object_code` of an earlier `NativeModule`.  Its `module` is None."""
        native = cls.__new__(cls)
        native.opt_level = opt_level
        native.module = None
        native.object_code = object_code
        native._link(exports)
        return native

    def _link(self, exports: list[str]) -> None:
        self.jit = llvm.create_lljit_compiler(target_machine(self.opt_level))
        builder = llvm.JITLibraryBuilder().add_object_img(self.object_code)
        builder.add_current_process()
        for name in list(exports) + RUNTIME_SYMBOLS:
            builder.export_symbol(name)
        self.library = builder.link(self.jit, f"sx{next(_library_ids)}")
        # The panic state (jump buffer, message, stack base) is one set of
        # globals per module, so calls into a module take turns.  The lock is
        # reentrant for a Python callback that calls back into the module.
        self._lock = threading.RLock()
        self._depth = 0
        self.set_stack_budget(CALL_STACK_BUDGET)

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
                status = entry(*args)
                message = self.panic_message() if status == 101 else ""
                return status, message, self.exit_code()
            finally:
                self._depth -= 1
                if saved is not None:
                    self._restore_state(saved)

    _STATE = ("__sx_jmpbuf", "__sx_jmp_active", "__sx_stack_base", "__sx_callback_error")
    _STATE_BYTES = {"__sx_jmpbuf": 64 * 8, "__sx_jmp_active": 4, "__sx_stack_base": 8,
                    "__sx_callback_error": 4}

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
        return self.library[name]

    def global_address(self, name: str) -> int:
        return self.library[name]

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

        When `main` runs longer than `time_limit` seconds, raise `TimeoutError`
        and leave it running on its thread: only ending the process stops it.
        """
        self.set_args(argv)
        sys.stdout.flush()
        sys.stderr.flush()
        entry = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_int64)(self.address("__sx_main"))
        with self._lock:
            status = self._on_big_stack(entry, seed & 0xFFFFFFFFFFFFFFFF, time_limit)
            code = self.exit_code()
        # status 2 is `exit(code)`, a normal end of the program
        return (0 if status == 2 else status), code

    def _on_big_stack(self, entry, seed: int, time_limit: float | None) -> int:
        from sxc.stack import call_with_stack

        self.set_stack_budget(MAIN_STACK_BUDGET)
        # a `main` that timed out still runs on the big stack, so its budget stays
        status = call_with_stack(MAIN_STACK_BYTES, entry, seed, timeout=time_limit)
        self.set_stack_budget(CALL_STACK_BUDGET)
        return status

    def exit_code(self) -> int:
        return ctypes.c_int64.from_address(self.global_address("__sx_exit_code")).value

    def set_seed(self, seed: int) -> None:
        addr = self.global_address("__sx_default_rng")
        ctypes.c_uint64.from_address(addr).value = seed & 0xFFFFFFFFFFFFFFFF

    def asm(self) -> str:
        return target_machine(self.opt_level).emit_assembly(self.module)

