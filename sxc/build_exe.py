"""`sxc build`: write a native executable through the system C compiler.

The program's object file is linked with a small `main` (also LLVM IR) that
stores `argv`, runs `__sx_main` and prints a runtime error's message.  The
executable is written to a temporary file and renamed into place, so an
interrupted build never leaves a truncated file behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from llvmlite import ir

from sxc.diagnostics import CompileError, Diagnostic, Span
from sxc.native import I8, I32, I64, PANIC_CAP, PTR


def _main_module(seed: int) -> str:
    m = ir.Module(name="sx_main")
    argc_g = ir.GlobalVariable(m, I64, "__sx_argc")
    argv_g = ir.GlobalVariable(m, PTR.as_pointer(), "__sx_argv")
    code_g = ir.GlobalVariable(m, I64, "__sx_exit_code")
    msg_g = ir.GlobalVariable(m, ir.ArrayType(I8, PANIC_CAP), "__sx_panic_msg")
    len_g = ir.GlobalVariable(m, I64, "__sx_panic_len")
    entry = ir.Function(m, ir.FunctionType(I32, [I64]), "__sx_main")
    fwrite = ir.Function(m, ir.FunctionType(I64, [PTR, I64, I64, PTR]), "fwrite")
    stderr = ir.GlobalVariable(m, PTR, "stderr")
    main = ir.Function(m, ir.FunctionType(I32, [I32, PTR.as_pointer()]), "main")
    b = ir.IRBuilder(main.append_basic_block("entry"))
    limit_g = ir.GlobalVariable(m, I64, "__sx_stack_limit")
    b.store(_stack_budget(m, b), limit_g)
    # stdout is line-buffered, as Rust's is, also into a file or a pipe: a line
    # is out once printed, and a killed program loses no finished line
    stdout = ir.GlobalVariable(m, PTR, "stdout")
    setvbuf = ir.Function(m, ir.FunctionType(I32, [PTR, PTR, I32, I64]), "setvbuf")
    b.call(setvbuf, [b.load(stdout), ir.Constant(PTR, None), ir.Constant(I32, IOLBF),
                     ir.Constant(I64, 0)])
    b.store(b.sext(main.args[0], I64), argc_g)
    b.store(main.args[1], argv_g)
    status = b.call(entry, [ir.Constant(I64, seed & 0xFFFFFFFFFFFFFFFF)])
    # status 2 is `exit(code)`: fall through and return the stored code
    failed = b.icmp_signed("==", status, ir.Constant(I32, 101))
    with b.if_then(failed):
        err = b.load(stderr)
        b.call(fwrite, [b.bitcast(msg_g, PTR), ir.Constant(I64, 1), b.load(len_g), err])
        nl = ir.GlobalVariable(m, ir.ArrayType(I8, 1), "nl")
        nl.initializer = ir.Constant(ir.ArrayType(I8, 1), bytearray(b"\n"))
        nl.global_constant = True
        b.call(fwrite, [b.bitcast(nl, PTR), ir.Constant(I64, 1), ir.Constant(I64, 1), err])
        b.ret(ir.Constant(I32, 101))
    b.ret(b.trunc(b.load(code_g), I32))
    return str(m)


# `setvbuf`'s mode of line buffering in glibc and macOS's C library.
IOLBF = 1
# `getrlimit(RLIMIT_STACK, ..)`: the resource number on Linux and macOS.
RLIMIT_STACK = 3
# The budget of an unlimited stack (`ulimit -s unlimited`), and of one whose
# limit the C library does not report.
UNLIMITED_STACK_BUDGET = 64 << 20
FALLBACK_STACK_BUDGET = 6 << 20


def _stack_budget(m: ir.Module, b: ir.IRBuilder) -> ir.Value:
    """Emit the recursion budget of a native executable, which runs on the process
    stack: its limit (`ulimit -s`, 8 MiB by default) less an eighth, and at least
    128 KiB less, for the environment and the panic path."""
    getrlimit = ir.Function(m, ir.FunctionType(I32, [I32, I64.as_pointer()]), "getrlimit")
    limits = b.alloca(ir.ArrayType(I64, 2))
    first = b.gep(limits, [ir.Constant(I32, 0), ir.Constant(I32, 0)])
    status = b.call(getrlimit, [ir.Constant(I32, RLIMIT_STACK), first])
    current = b.load(first)
    reserve = b.lshr(current, ir.Constant(I64, 3))
    small = b.icmp_unsigned("<", reserve, ir.Constant(I64, 128 << 10))
    reserve = b.select(small, ir.Constant(I64, 128 << 10), reserve)
    budget = b.select(b.icmp_unsigned(">", current, reserve), b.sub(current, reserve),
                      ir.Constant(I64, 0))
    # RLIM_INFINITY is all bits set, and no finite limit reaches 2**62
    unlimited = b.icmp_unsigned(">=", current, ir.Constant(I64, 1 << 62))
    budget = b.select(unlimited, ir.Constant(I64, UNLIMITED_STACK_BUDGET), budget)
    failed = b.icmp_signed("!=", status, ir.Constant(I32, 0))
    return b.select(failed, ir.Constant(I64, FALLBACK_STACK_BUDGET), budget)


def check_output(source: str, output: str, artifact: str = "the executable") -> None:
    """Reject an output path that is empty, a directory, or the source file itself."""
    problem = None
    if not output:
        problem = "the output path is empty"
    elif os.path.isdir(output):
        problem = f"`{output}` is a directory"
    elif os.path.exists(output) and os.path.exists(source) and os.path.samefile(output, source):
        problem = f"it is the source file, which {artifact} would overwrite"
    if problem is not None:
        raise CompileError([Diagnostic("error", f"cannot write {artifact} to `{output}`: "
                                       f"{problem}", Span(source, 0, 0, 0, 0), [],
                                       "name another file with `-o`", code="SX0004")])


def build_object(compiled, output: str) -> None:
    """Write `compiled` with its C `main` as one object file at `output`.

    `cc output -lm -o program` links the same executable as `build_executable`.
    """
    from sxc.jit import optimize, target_machine

    check_output(compiled.path, output, "the object file")
    level = compiled.options.opt_level
    module = optimize(compiled.llvm_ir, level)
    module.link_in(optimize(_main_module(compiled.options.seed), level))
    write_file(compiled.path, output, target_machine(level).emit_object(module))


def write_file(source: str, output: str, data: bytes) -> None:
    """Write `data` to `output` through a temporary file renamed into place.

    An interrupted write then never leaves a truncated file behind.
    """
    out_dir = os.path.dirname(os.path.abspath(output))
    try:
        fd, partial = tempfile.mkstemp(prefix=".sxc-build-", dir=out_dir)
    except OSError as exc:
        raise CompileError([Diagnostic("error", f"cannot write `{output}`: {exc.strerror}",
                                       Span(source, 0, 0, 0, 0),
                                       code="SX0004")]) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(partial, output)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


def build_executable(compiled, output: str) -> None:
    """Compile `compiled` to an executable at `output`."""
    from sxc.jit import optimize, target_machine

    check_output(compiled.path, output)

    cc = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    if cc is None:
        raise CompileError([Diagnostic("error", "no C compiler found to link the "
                                       "executable", Span(compiled.path, 1, 1, 1, 1), [],
                                       "install gcc or clang, or set CC", code="SX0005")])
    level = compiled.options.opt_level
    tm = target_machine(level)
    program_obj = tm.emit_object(optimize(compiled.llvm_ir, level))
    main_obj = tm.emit_object(optimize(_main_module(compiled.options.seed), level))
    out_dir = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(out_dir):
        raise CompileError([Diagnostic("error", f"cannot write `{output}`: the directory "
                                       f"`{out_dir}` does not exist",
                                       Span(compiled.path, 0, 0, 0, 0), code="SX0004")])
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, data in (("program.o", program_obj), ("main.o", main_obj)):
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.write(data)
            paths.append(path)
        try:
            fd, partial = tempfile.mkstemp(prefix=".sxc-build-", dir=out_dir)
        except OSError as exc:
            raise CompileError([Diagnostic("error", f"cannot write `{output}`: "
                                           f"{exc.strerror}",
                                           Span(compiled.path, 0, 0, 0, 0),
                                           code="SX0004")]) from None
        os.close(fd)
        try:
            result = subprocess.run([cc, "-no-pie", *paths, "-lm", "-o", partial],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                raise CompileError([Diagnostic("error", "linking failed: "
                                               + result.stderr.strip(),
                                               Span(compiled.path, 1, 1, 1, 1), code="SX0005")])
            os.chmod(partial, 0o755)
            os.replace(partial, output)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
