"""Optimise an LLVM module and run it in-process with LLVM's ORC JIT.

`NativeModule` owns one execution engine.  Calls go through trampolines that
set up the panic handler (see `sxc.native`), so a runtime error returns a
status instead of ending the process.
"""

from __future__ import annotations

import functools
import itertools

import llvmlite.binding as llvm

from sxc.loaded import RUNTIME_SYMBOLS, LoadedProgram


@functools.lru_cache(maxsize=1)
def _init() -> None:
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()


@functools.lru_cache(maxsize=4)
def target_machine(opt_level: int) -> llvm.TargetMachine:
    """Return the host's target machine with its CPU features, for JIT and objects.

    The code is position independent, in the small code model, so that the C
    compiler can link the same object code into a shared library.
    """
    _init()
    target = llvm.Target.from_default_triple()
    return target.create_target_machine(
        cpu=llvm.get_host_cpu_name(),
        features=llvm.get_host_cpu_features().flatten(),
        opt=opt_level,
        reloc="pic",
        codemodel="small",
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


class NativeModule(LoadedProgram):
    """A compiled program loaded into this process with LLVM's ORC JIT."""

    def __init__(self, ir_text: str, opt_level: int, exports: list[str],
                 in_worker: bool = False):
        """Optimise `ir_text` and link it; `in_worker` optimises in `sxc.llvm_worker`.

        With `in_worker` (and an optimisation level above 0), `module` is None."""
        self.opt_level = opt_level
        code = None
        if in_worker and opt_level > 0:
            from sxc import llvm_worker

            code = llvm_worker.object_code(ir_text, opt_level)
        if code is None:
            self.module = optimize(ir_text, opt_level)
            # The JIT links the object code that the compile cache stores, so a
            # cached run executes the same machine code.
            code = target_machine(opt_level).emit_object(self.module)
        else:
            self.module = None
        self.object_code = code
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
        self._start()

    def address(self, name: str) -> int:
        return self.library[name]

    def asm(self) -> str:
        return target_machine(self.opt_level).emit_assembly(self.module)

