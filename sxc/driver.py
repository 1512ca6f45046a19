"""The compiler pipeline: parse, resolve, typecheck, lower_match, soft, lower_dual, codegen.

`Options` travels through every pass; `compile_program` runs the passes in
order and returns a `Compiled` program that can print any stage or run.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from collections import namedtuple

from sxc.diagnostics import CompileError, Diagnostic, Reporter, Span, register_source


@dataclass(frozen=True)
class Options:
    mode: str | None = None  # "train" or "release"; None: the file's or train
    opt_level: int = 2
    seed: int = 0
    hard: str | None = None  # None (sample) or "threshold"
    tangents: int | None = None  # tangent lanes per dual; None: the file's or 1
    keep_typed: bool = False  # keep a copy of the typed program for `--emit ast`
    # Generate the wrappers through which Python calls the program's functions.
    # Without them, code generation starts from `main` only, which shortens
    # the optimisation of a program that `sxc run` or `sxc build` compiles.
    exports: bool = True


# Parameter and return types of a function, as `sxc.types` values.  It is a
# `collections.namedtuple` because importing `typing` would slow down a
# cache hit, which loads none of the compiler.
Signature = namedtuple("Signature", ["params", "ret"])


@dataclass
class Compiled:
    path: str
    options: Options
    mode: str
    program: object  # the core program after lowering
    typed: object  # the program after type checking, before lowering
    warnings: list[Diagnostic] = field(default_factory=list)
    _ir: str | None = None
    _native: object = None

    exports: dict[str, str] = field(default_factory=dict)
    _interface: dict | None = None
    _module_files: dict | None = None
    # optimise in `sxc.llvm_worker`'s process, as a host that compiles many programs should
    llvm_in_worker: bool = False

    @property
    def llvm_ir(self) -> str:
        if self._ir is None:
            from sxc.codegen import generate
            module, self.exports = generate(self.program, exports=self.options.exports)
            self._ir = str(module)
        return self._ir

    def native(self):
        if self._native is None:
            from sxc.jit import NativeModule
            ir_text = self.llvm_ir
            trim_heap()
            self._native = NativeModule(ir_text, self.options.opt_level,
                                        list(self.exports.values()),
                                        in_worker=self.llvm_in_worker)
        return self._native

    def optimized_ir(self) -> str:
        return str(self.native().module)

    def rendered_warnings(self) -> list[str]:
        return [warning.render() for warning in self.warnings]

    @property
    def module_files(self) -> dict:
        """The text of every module file the program read, None for each one looked for and absent."""
        if self._module_files is None:
            self._module_files = dict(self.typed.module_files)
        return self._module_files

    def release_front_end(self, collect: bool = True) -> None:
        """Keep what running and calling the program need; drop its syntax trees.

        The trees take memory that LLVM can reuse when it optimises the
        module, which is when a compilation needs the most.  `collect` runs
        Python's garbage collector to free them now.  Afterwards `program`,
        `typed` and `typed_snapshot` are None.
        """
        self.llvm_ir
        self.call_interface()
        self.module_files
        self.program = self.typed = None
        self.typed_snapshot = None
        if collect:
            import gc

            gc.collect(0)

    def call_interface(self) -> dict:
        """Return what `sxc.Module` needs to call functions from Python.

        `functions` maps each function of the user's code to its (typed,
        lowered) `Signature`, and `lanes` is the tangents per dual.
        """
        if self._interface is None:
            self._interface = self._build_interface()
        return self._interface

    def _build_interface(self) -> dict:
        from sxc import types as T

        functions = {}
        params = {}
        for name, fn in self.program.functions.items():
            if getattr(fn, "origin", "") != "user" or not hasattr(fn, "typed_sig"):
                continue
            typed, lowered = fn.typed_sig, fn.sig
            functions[name] = (Signature(tuple(typed.params), typed.ret),
                               Signature(tuple(lowered.params), lowered.ret))
            params[name] = tuple(p.name for p in fn.params)
        structs = self.program.structs
        der = dict(structs["Dual"].resolved_fields).get("der") if "Dual" in structs else None
        lanes = der.size if isinstance(der, T.ArrayT) else 1
        fields = {name: tuple(s.resolved_fields) for name, s in structs.items()}
        typed_fields = {name: tuple(getattr(s, "typed_fields", s.resolved_fields))
                        for name, s in structs.items()}
        # an enum with data crosses as its tag and the payload of every variant
        # in turn (see `export_slots`); `data_enums` names the variants' fields
        data_enums = {}
        for name, e in self.program.enums.items():
            if not hasattr(e, "fields"):
                continue
            fields[f"enum {name}"] = enum_members(e.fields)
            typed_fields[f"enum {name}"] = enum_members(getattr(e, "typed_fields", e.fields))
            data_enums[name] = (getattr(e, "generic_name", None),
                                tuple((variant, e.kinds[variant], tuple(f for f, _ in payload))
                                      for variant, payload in e.fields.items()))
        # the program's own structs; `Dual` is the lowering's pair of a dual
        user_structs = tuple(name for name, s in structs.items()
                             if getattr(s, "origin", "") == "user" and name != "Dual")
        enums = {name: dict(e.discriminants) for name, e in self.program.enums.items()
                 if getattr(e, "origin", "") == "user" and not hasattr(e, "fields")}
        return {"functions": functions, "lanes": lanes, "params": params, "structs": fields,
                "typed_structs": typed_fields,
                "user_structs": user_structs, "enums": enums, "data_enums": data_enums,
                "type_names": dict(getattr(self.program, "type_names", {})),
                "generic_functions": tuple(getattr(self.program, "generic_functions", ()))}


def enum_members(payloads: dict) -> tuple:
    """Return the payload members of an enum with data in memory order, as
    ("Variant.field", type) pairs."""
    return tuple((f"{variant}.{f}", t) for variant, payload in payloads.items()
                 for f, t in payload)


def trim_heap() -> None:
    """Return the C heap's free pages to the OS (glibc's `malloc_trim`; elsewhere a no-op).

    The front end frees much of what it allocated before LLVM optimises the
    module, which is when a compilation needs the most memory.
    """
    import ctypes

    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def read_source(path: str) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CompileError([Diagnostic("error", f"cannot read `{path}`: {exc.strerror}",
                                       Span(path, 0, 0, 0, 0), code="SX0001")]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        register_source(path, data.decode("utf-8", errors="replace"))
        raise CompileError([Diagnostic("error", "source file is not valid UTF-8",
                                       Span(path, line, col, line, col + 1),
                                       code="SX0002")]) from None


def frontend(source: str, path: str):
    """Parse, resolve and type-check; return (typed program, warnings)."""
    from sxc.parse import parse_module
    from sxc.resolve import resolve_program
    from sxc.typecheck import check_module

    module = parse_module(source, path)
    reporter = Reporter()
    program = resolve_program(module, reporter)
    reporter.raise_if_errors()
    check_module(program, reporter)
    reporter.raise_if_errors()
    # Rust's names of generic copies (`Option__f64` is `Option<f64>`), for
    # the messages of the Python boundary
    program.type_names = dict(reporter.type_names)
    return program, reporter.warnings()


# Deeply nested programs recurse deeply in the passes.  So the passes run on a
# thread with a large stack, and Python's recursion limit, not the C stack,
# ends a pathological input with a compile error.
RECURSION_LIMIT = 100_000
STACK_BYTES = 1 << 30


def run_deep(function, *args):
    """Call `function(*args)` with a 1 GiB stack and a high recursion limit."""
    from sxc.stack import call_with_stack

    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
    try:
        return call_with_stack(STACK_BYTES, function, *args)
    except RecursionError:
        raise CompileError([Diagnostic(
            "error", "the program is nested too deeply for sxc",
            Span(args[1] if len(args) > 1 else "<input>", 0, 0, 0, 0), [],
            "split deeply nested expressions into `let` bindings", code="SX0003")]) from None
    finally:
        sys.setrecursionlimit(old_limit)


def compile_program(source: str, path: str, options: Options) -> Compiled:
    """Run every pass up to the core program and generate its LLVM IR.

    Python's cyclic garbage collector is paused meanwhile, because the passes
    create many objects and few cycles.  Its scans took about a sixth of the
    time of compiling a 2,000-line program (1.05 s against 0.87 s without,
    one measurement) and freed about 2 MB.
    """
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        return run_deep(_compile_program, source, path, options)
    finally:
        if collecting:
            gc.enable()


def compile_cached(source: str, path: str, options: Options, use_cache: bool = True,
                   link_in_background: bool = False, one_shot: bool = False):
    """Return the program ready to run: from the compile cache, or compiled and stored.

    The result is a `Compiled` that has released its syntax trees, or on a
    cache hit a `sxc.cache.CachedProgram`, which offers the same `native()`,
    `exports`, `mode`, `warnings`, `rendered_warnings()` and
    `call_interface()`.  `link_in_background` links the cached program's
    shared library in another process (see `sxc.cache.store_program`).
    `one_shot` is for a process that compiles one program, such as `sxc run`:
    the passes run in a child process (see `compile_in_child`).
    """
    from sxc import cache

    if not use_cache or not cache.enabled():
        compiled = _compile_released(source, path, options, one_shot)
        compiled.llvm_in_worker = not one_shot
        return compiled
    key = cache.program_key(source, path, options)
    hit = cache.load_program(key, path, options)
    if hit is not None:
        try:
            hit.native()
            return hit
        except RuntimeError as exc:
            # llvmlite raises RuntimeError when LLVM rejects the object code,
            # for example after an update of the C library; compile again.
            import logging

            logging.getLogger(__name__).debug("cannot load %s from the cache: %s", path, exc)
    compiled = _compile_released(source, path, options, one_shot)
    compiled.llvm_in_worker = not one_shot
    cache.store_program(key, compiled, link_in_background)
    return compiled


def _compile_released(source: str, path: str, options: Options, one_shot: bool) -> Compiled:
    """Compile and release the syntax trees, in a child process when `one_shot` allows it."""
    import os
    import threading

    # fork copies only the calling thread, so it is used only in a process with one thread
    if one_shot and hasattr(os, "fork") and sys.platform.startswith("linux") \
            and threading.active_count() == 1:
        return compile_in_child(source, path, options)
    return _compile_here(source, path, options)


def _compile_here(source: str, path: str, options: Options) -> Compiled:
    compiled = compile_program(source, path, options)
    compiled.release_front_end()
    return compiled


def compile_in_child(source: str, path: str, options: Options) -> Compiled:
    """Run the passes in a forked process and return the released `Compiled`.

    The parser's tables and the syntax trees then never occupy this
    process, so it has less memory in use when LLVM optimises the module,
    which is when a compilation needs the most.  This process also loads
    LLVM while the child runs the passes.  A compile error is raised here with
    its diagnostics; a child that dies raises `InternalError`.
    """
    import os
    import pickle

    from sxc import diagnostics
    from sxc.diagnostics import InternalError

    while _ended_children:
        try:
            os.waitpid(_ended_children.pop(), 0)
        except ChildProcessError:
            pass
    for stream in (sys.stdout, sys.stderr):  # None when the file is closed
        if stream is not None:
            stream.flush()
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        # A process limit or a sandbox rejects the fork, so compile in this process.
        os.close(read_end)
        os.close(write_end)
        return _compile_here(source, path, options)
    if pid == 0:  # the child: compile, send the result, and leave without cleanup
        try:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as out:
                out.write(_child_result(source, path, options))
        finally:
            os._exit(0)
    os.close(write_end)
    finished = False
    try:
        try:
            from sxc.jit import target_machine

            target_machine(options.opt_level)
        except Exception:  # noqa: BLE001 - the same failure shows again when LLVM runs
            pass
        with os.fdopen(read_end, "rb") as inp:
            data = inp.read()
        finished = True
    finally:
        if not finished:
            _stop_child(pid)
    if not data:
        _, status = os.waitpid(pid, 0)
        raise InternalError(f"the compiler's child process {_describe_exit(status)}")
    # The child has sent everything and is ending.  Waiting for it would
    # delay this process, so it is collected by the next compilation, or
    # after this process ends.
    _ended_children.append(pid)
    (kind, value), sources = pickle.loads(data)
    for source_path, text in sources.items():
        diagnostics.register_source(source_path, text)
    if kind == "ok":
        return value
    if kind == "errors":
        raise CompileError(value)
    if kind == "interrupted":
        raise KeyboardInterrupt
    raise InternalError(value)


_ended_children: list[int] = []


def _child_result(source: str, path: str, options: Options) -> bytes:
    """Compile in the child and pickle the outcome with the sources diagnostics quote."""
    import os
    import pickle

    from sxc import diagnostics
    from sxc.diagnostics import InternalError

    try:
        compiled = compile_program(source, path, options)
        # the child ends right after, which frees everything faster than a collection
        compiled.release_front_end(collect=False)
        outcome = ("ok", compiled)
    except CompileError as err:
        outcome = ("errors", err.diagnostics)
    except InternalError as err:
        outcome = ("internal", str(err))
        if os.environ.get("SXC_BACKTRACE"):
            import traceback

            traceback.print_exc()
    except KeyboardInterrupt:
        outcome = ("interrupted", None)
    except BaseException as exc:  # noqa: BLE001 - reported as a bug of sxc
        outcome = ("internal", f"{type(exc).__name__}: {exc}")
        if os.environ.get("SXC_BACKTRACE"):
            # the parent reports the message only, so the child prints where it happened
            import traceback

            traceback.print_exc()
    sources = diagnostics.registered_sources()
    try:
        return pickle.dumps((outcome, sources), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001 - reported as a bug of sxc
        outcome = ("internal", f"cannot send the compiled program: {exc}")
        return pickle.dumps((outcome, sources), protocol=pickle.HIGHEST_PROTOCOL)


def _stop_child(pid: int) -> None:
    import os
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass


def _describe_exit(status: int) -> str:
    import os
    import signal

    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return f"was killed by {name}"
    return f"ended with status {os.WEXITSTATUS(status)} without a result"


def _compile_program(source: str, path: str, options: Options) -> Compiled:
    from sxc.lower_dual import lower_duals
    from sxc.lower_match import lower_matches
    from sxc.reach import reachable_functions
    from sxc.soft import rewrite_soft

    import copy

    typed, warnings = frontend(source, path)
    snapshot = copy.deepcopy(typed) if options.keep_typed else None
    mode = options.mode or typed.attributes.get("mode", "train")
    if mode not in ("train", "release"):
        where = Span(path, 1, 1, 1, 1) if options.mode else \
            typed.attribute_spans.get("mode", Span(path, 1, 1, 1, 1))
        raise CompileError([Diagnostic("error", f"unknown mode `{mode}`", where, [],
                                       'use `#![mode = "train"]` or `"release"`', code="SX0904")])
    lower_matches(typed)
    # The later passes only need what the program can call; the soft pass
    # adds calls of `Rng::u01` for its draws.
    live = reachable_functions(typed, extra=(typed.prelude_key("Rng") + "::u01",))
    typed.functions = {key: fn for key, fn in typed.functions.items() if key in live}
    reporter = Reporter()
    soft = rewrite_soft(typed, mode, options.hard, reporter)
    reporter.raise_if_errors()
    lanes = _tangent_lanes(options, typed)
    core = lower_duals(soft, mode, lanes)
    compiled = Compiled(path, options, mode, core, typed, warnings)
    compiled.typed_snapshot = snapshot
    # codegen walks the tree recursively too, so it runs on the deep stack
    compiled.llvm_ir
    return compiled


MAX_TANGENTS = 64


def _tangent_lanes(options: Options, program) -> int:
    """Return the tangents per dual: the option, else `#![tangents = N]`, else 1."""
    if options.tangents is not None:
        lanes, where = options.tangents, "--tangents"
    else:
        raw = program.attributes.get("tangents", "1")
        where = "#![tangents]"
        try:
            lanes = int(raw)
        except ValueError:
            lanes = -1
    if not 0 <= lanes <= MAX_TANGENTS:
        at = Span(program.user_file, 1, 1, 1, 1)
        if options.tangents is None:
            at = program.attribute_spans.get("tangents", at)
        raise CompileError([Diagnostic(
            "error", f"{where} must be a whole number from 0 to {MAX_TANGENTS}", at, [],
            "for example `#![tangents = 8]` for the eight schedule parameters", code="SX0904")])
    return lanes
