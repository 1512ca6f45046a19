"""The `sxc` command line: check, run, lower and build `.sx` programs.

Exit status: 0 on success, 1 for a compile error, 101 for a runtime error,
124 when `sxc run --time-limit` stopped the program, and otherwise the
program's own status (what `fn main() -> i64` returns).
Warnings never change the exit status, unless `--deny-warnings` makes them
errors.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys

from sxc import __version__
from sxc.diagnostics import (CompileError, Diagnostic, Emitter, InternalError, Span,
                             register_source)

EXIT_COMPILE_ERROR = 1
EXIT_RUNTIME_ERROR = 101
# the status of GNU `timeout` when it stops a command
EXIT_TIME_LIMIT = 124
# The status of a process that SIGINT (Ctrl-C) ended, as shells report it.
EXIT_INTERRUPTED = 130

COMMANDS = ("run", "check", "lower", "build", "explain")
# rows of `sxc run --trace` per annealing run
TRACE_SAMPLES = 10_000


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mode", choices=("train", "release"),
                        help="train keeps tangents and blends soft branches; release "
                             "drops tangents and samples one arm (default: the file's "
                             "#![mode] or train)")
    for level in range(4):
        parser.add_argument(f"-O{level}", dest="opt_level", action="store_const",
                            const=level, help=f"LLVM optimisation level {level}"
                            + (" (default)" if level == 2 else ""))
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the default random stream (default 0)")
    parser.add_argument("--hard", choices=("threshold",),
                        help="release mode: take a soft branch when p > 0.5 instead of "
                             "sampling it")
    parser.add_argument("--tangents", type=int, metavar="N",
                        help="train mode: tangent lanes per dual, 0 to 64 (default: the "
                             "file's #![tangents] or 1); 0 computes the blended values "
                             "without derivatives")
    parser.add_argument("--emit", choices=("ast", "core", "llvm", "asm", "obj"),
                        help="print this stage instead of running: ast (typed source), "
                             "core (after lowering), llvm (optimised IR), asm; `sxc build "
                             "-o FILE` writes it to FILE instead (`-o -`: stdout), and "
                             "obj, an object file that the C compiler links with "
                             "`cc FILE -lm`")
    parser.add_argument("--no-cache", action="store_true",
                        help="compile from source without reading or writing the compile "
                             "cache, which `sxc run` uses otherwise (as does "
                             "SXC_NO_CACHE=1)")
    parser.add_argument("--error-format", choices=("human", "json"), default="human",
                        help="print diagnostics as text (default), or as one JSON object "
                             "per line on stderr")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colour the diagnostics: auto (default) colours them when "
                             "stderr is a terminal and NO_COLOR is unset")
    parser.add_argument("-D", "--deny-warnings", action="store_true",
                        help="treat warnings as errors: report them and exit with status 1")


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"invalid time limit `{text}`: expected a positive "
                                         "number of seconds, such as 2 or 0.5")
    import threading

    # a longer wait than Python's threads allow (about 292 years) is no limit
    return min(seconds, threading.TIMEOUT_MAX)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sxc", description="Compile and run Simplex (.sx) programs through LLVM.")
    parser.add_argument("--version", action="version", version=f"sxc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="compile FILE and run it; extra arguments go to "
                                     "the program")
    run.add_argument("file", metavar="FILE")
    run.add_argument("program_args", nargs="*", metavar="ARGS",
                     help="arguments for the program (after `--` when they look like "
                          "sxc options)")
    run.add_argument("--time-limit", type=_positive_seconds, metavar="SECONDS",
                     help="stop the program after SECONDS of wall-clock time, with exit "
                          f"status {EXIT_TIME_LIMIT}; compiling has a limit of its own, "
                          "SECONDS but at least 60")
    run.add_argument("--progress", action="store_true",
                     help="show the progress of the annealing runs and meta-steps of "
                          "simplex_training on stderr: a bar on a terminal (with the "
                          "`rich` package), plain lines otherwise")
    run.add_argument("--trace", metavar="CSV",
                     help="write temperature, energy, acceptance and re-heats of the "
                          "annealing runs of simplex_training to this CSV file, up to "
                          f"{TRACE_SAMPLES} rows per run and its last step "
                          "(columns: docs/library.md)")
    _common(run)
    check = sub.add_parser("check", help="parse and type-check FILE")
    check.add_argument("file", metavar="FILE")
    _common(check)
    lower = sub.add_parser("lower", help="print FILE as core .sx after soft branches and "
                                         "duals are lowered")
    lower.add_argument("file", metavar="FILE")
    _common(lower)
    build = sub.add_parser("build", help="compile FILE to a native executable")
    build.add_argument("file", metavar="FILE")
    build.add_argument("-o", "--output", required=True, metavar="OUT",
                       help="path of the executable to write")
    _common(build)
    plot = sub.add_parser("plot", help="draw traces that `sxc run --trace` wrote, side by "
                                       "side, into an image (needs matplotlib)")
    plot.add_argument("traces", nargs="+", metavar="TRACE",
                      help="CSV files of `sxc run --trace`")
    plot.add_argument("-o", "--output", required=True, metavar="OUT",
                      help="image file to write; its suffix sets the format (.png, .svg, "
                           ".pdf)")
    explain = sub.add_parser("explain", help="print the explanation of a diagnostic code, "
                                             "such as SX0301")
    explain.add_argument("code", metavar="CODE")
    return parser


def _split_program_args(argv: list[str]) -> tuple[list[str], list[str]]:
    """Split `sxc run FILE ARGS` into sxc's own arguments and the program's."""
    if not argv or argv[0] != "run":
        return argv, []
    own: list[str] = []
    program: list[str] = []
    file_seen = False
    takes_value = {"--mode", "--seed", "--hard", "--emit", "--tangents", "--time-limit",
                   "--trace", "--error-format", "--color"}
    flags = {"--no-cache", "--progress", "--deny-warnings"}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--" and file_seen:
            program += argv[i + 1:]
            break
        if file_seen and not arg.startswith("-"):
            program.append(arg)
        elif file_seen and arg.split("=")[0] not in takes_value and arg not in flags and \
                not (arg.startswith("-O") and len(arg) == 3):
            program.append(arg)
        else:
            own.append(arg)
            if arg in takes_value and i + 1 < len(argv):
                own.append(argv[i + 1])
                i += 1
            elif i > 0 and not arg.startswith("-"):
                file_seen = True
        i += 1
    return own, program


# glibc's mallopt parameter for the maximum number of malloc arenas.
M_ARENA_MAX = -8


def _share_malloc_arena() -> None:
    """Let all threads allocate from one glibc malloc arena (elsewhere a no-op).

    The passes run on a worker thread and LLVM on the main one.  With one
    arena, LLVM reuses the memory that the passes freed instead of growing
    a second heap, which lowers the peak memory of `sxc run` by a few MB.
    """
    import ctypes

    try:
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, 1)
    except (OSError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _share_malloc_arena()
    own, program_args = _split_program_args(argv)
    parser = build_parser()
    args = parser.parse_args(own)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "plot":
        return _plot(args.traces, args.output)
    if args.command == "explain":
        return explain(args.code)
    emitter = Emitter(sys.stderr, args.error_format, use_color(args.color, sys.stderr))
    try:
        return _dispatch(args, program_args, emitter)
    except CompileError as err:
        emitter.emit_error(err)
        return EXIT_COMPILE_ERROR
    except InternalError as err:
        if os.environ.get("SXC_BACKTRACE"):
            import traceback

            traceback.print_exc()
        return _report_internal(args, emitter, str(err))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - any other exception is a bug of sxc
        if os.environ.get("SXC_BACKTRACE"):
            import traceback

            traceback.print_exc()
        return _report_internal(args, emitter, f"{type(exc).__name__}: {exc}")


def _report_internal(args, emitter: Emitter, message: str) -> int:
    """Report an internal compiler error as one diagnostic, without a traceback."""
    note = "this is a bug in sxc, not in your program"
    if args.error_format == "json":
        where = Span(getattr(args, "file", None) or "<input>", 0, 0, 0, 0)
        emitter.emit([Diagnostic("error", f"internal compiler error: {message}", where,
                                 [(note, None)], code="SX0000")])
    else:
        print(f"error: internal compiler error: {message}", file=sys.stderr)
        print(f"note: {note}", file=sys.stderr)
        if not os.environ.get("SXC_BACKTRACE"):
            print("note: set SXC_BACKTRACE=1 to see where it happened", file=sys.stderr)
    return EXIT_COMPILE_ERROR


def _plot(traces: list[str], output: str) -> int:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print('error: `sxc plot` needs matplotlib, which is not installed: run '
              '`pip install "sxc[plot]"` or `pip install matplotlib`', file=sys.stderr)
        return 1
    from sxc.plot import TraceError, plot_traces

    try:
        plot_traces(traces, output)
    except TraceError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


def use_color(choice: str, stream) -> bool:
    """Decide whether to colour diagnostics: `--color=always|never`, or for `auto`
    a terminal, with NO_COLOR unset or empty and TERM other than `dumb`.

    An explicit `--color=always` wins over NO_COLOR, as the NO_COLOR convention
    requests of command-line flags.
    """
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def explain(code: str) -> int:
    """Print the long explanation of a diagnostic code; unknown codes exit with 1."""
    from sxc.codes import lookup

    entry = lookup(code)
    if entry is None:
        print(f"error: `{code}` is not an sxc diagnostic code; codes look like SX0301 "
              "or SXW001", file=sys.stderr)
        return EXIT_COMPILE_ERROR
    sys.stdout.write(entry.render())
    return 0


def _dispatch(args, program_args: list[str], emitter: Emitter) -> int:
    from sxc.driver import Options, compile_cached, compile_program, read_source

    if args.emit and args.command in ("check", "lower"):
        action = "checks the program" if args.command == "check" else "prints the lowered source"
        raise CompileError([Diagnostic(
            "error", f"`--emit` prints a stage of `sxc run` or `sxc build`, and `sxc "
                     f"{args.command}` only {action}", Span(args.file, 0, 0, 0, 0), [],
            f"run `sxc run {args.file} --emit {args.emit}`", code="SX0004")])
    if args.emit == "obj" and args.command != "build":
        raise CompileError([Diagnostic(
            "error", "`--emit obj` writes an object file, which only `sxc build` does",
            Span(args.file, 0, 0, 0, 0), [], f"run `sxc build {args.file} --emit obj -o FILE.o`",
            code="SX0004")])
    options = Options(mode=args.mode, opt_level=2 if args.opt_level is None else args.opt_level,
                      seed=args.seed, hard=args.hard, tangents=args.tangents,
                      keep_typed=args.emit == "ast",
                      # `--emit` shows the wrappers that Python would call
                      exports=args.emit not in (None, "obj"))
    option_warnings = []
    if args.hard and args.mode != "release":
        option_warnings.append(Diagnostic(
            "warning", "`--hard` applies to release mode only; add `--mode release`",
            Span(args.file, 0, 0, 0, 0), code="SXW007"))
    if not args.deny_warnings:
        emitter.emit(option_warnings)
    source = read_source(args.file)
    # A cached program skips the parser, which registers the text that diagnostics
    # quote, so register it here with the parser's newline handling.
    register_source(args.file, source.removeprefix("\ufeff").replace("\r\n", "\n")
                    .replace("\r", "\n"))
    if args.command == "run" and not args.emit and args.trace:
        _check_trace_path(args.file, args.trace)
    if args.command == "run" and not args.emit:
        watchdog = _compile_watchdog(args.time_limit, args.file, args.error_format)
        # The C compiler links the cached program's library while it runs.
        compiled = compile_cached(source, args.file, options, use_cache=not args.no_cache,
                                  link_in_background=True, one_shot=True)
        if watchdog is not None:
            watchdog.cancel()
    else:
        compiled = compile_program(source, args.file, options)
    if args.deny_warnings and (option_warnings or compiled.warnings):
        warnings = option_warnings + compiled.warnings
        raise CompileError([_denied(warning) for warning in warnings])
    emitter.emit(compiled.warnings, compiled.rendered_warnings())
    if args.emit == "obj":
        from sxc.build_exe import build_object
        build_object(compiled, args.output)
        return 0
    if args.emit and args.command == "build" and args.output != "-":
        # like `rustc --emit llvm-ir -o FILE`: the stage goes to the named file
        from sxc.build_exe import check_output, write_file

        check_output(args.file, args.output, f"the {args.emit} output")
        write_file(args.file, args.output, _emit(compiled, args.emit).encode())
        return 0
    if args.emit:
        sys.stdout.write(_emit(compiled, args.emit))
        return 0
    if args.command == "check":
        return 0
    if args.command == "lower":
        from sxc.driver import run_deep
        from sxc.printer import print_program
        sys.stdout.write(run_deep(print_program, compiled.program))
        return 0
    if args.command == "build":
        from sxc.build_exe import build_executable
        build_executable(compiled, args.output)
        return 0
    return run_compiled(compiled, [args.file] + program_args, args.time_limit,
                        progress=args.progress, trace=args.trace,
                        error_format=args.error_format)


def _check_trace_path(source: str, trace: str) -> None:
    """Reject a `--trace` path that cannot be written, before the program runs."""
    folder = os.path.dirname(os.path.abspath(trace)) if trace else ""
    problem = None
    if not trace:
        problem = "the path is empty"
    elif os.path.isdir(trace):
        problem = f"`{trace}` is a directory"
    elif not os.path.isdir(folder):
        problem = f"the directory `{folder}` does not exist"
    if problem is not None:
        raise CompileError([Diagnostic("error", f"cannot write the trace to `{trace}`: "
                                       f"{problem}", Span(source, 0, 0, 0, 0), [],
                                       "name a file in an existing directory with `--trace`",
                                       code="SX0004")])


def run_compiled(compiled, argv: list[str], time_limit: float | None = None,
                 progress: bool = False, trace: str | None = None,
                 error_format: str = "human") -> int:
    """Run the `main` of a compiled program as `sxc run` does; return the exit status.

    A runtime error prints its message on stderr and returns 101.  A program
    that runs longer than `time_limit` seconds ends the process with status
    124, because compiled code cannot be stopped from Python.
    """
    native = compiled.native()
    if progress or trace:
        return _run_with_progress(native, compiled.options.seed, argv, time_limit, progress,
                                  trace, error_format)
    try:
        status, code = native.run_main(compiled.options.seed, argv, time_limit)
    except TimeoutError:
        _stop_for_time_limit(time_limit, argv[0], error_format)
    except KeyboardInterrupt:
        _end_process(EXIT_INTERRUPTED)
    if status != 0:
        report_runtime_error(native.main_panic, argv[0], error_format)
        return EXIT_RUNTIME_ERROR
    return code % 256


def _run_with_progress(native, seed: int, argv: list[str], time_limit: float | None,
                       progress: bool, trace: str | None, error_format: str) -> int:
    """Run `main` with the progress display and/or trace recorder as the progress hook."""
    from sxc.progress import ProgressDisplay, TraceRecorder, install_progress

    recorder = TraceRecorder() if trace else None
    display = ProgressDisplay() if progress else None
    if recorder and display:
        def hook(event):
            recorder(event)
            display(event)
    else:
        hook = recorder or display
    samples = TRACE_SAMPLES if recorder else 1000
    # a trace needs every sample; the display alone needs a few a second
    interval = 0.0 if recorder else 0.1
    with contextlib.ExitStack() as stack:
        if display:
            stack.enter_context(display)
        stack.enter_context(install_progress(native, hook, samples, interval))
        try:
            status, code = native.run_main(seed, argv, time_limit)
        except TimeoutError:
            # stop the display first, so it prints the program's output still in its pipe
            stack.close()
            if recorder:
                # the rows so far; the program still runs on its thread until the exit
                recorder.write(trace)
            _stop_for_time_limit(time_limit, argv[0], error_format)
        except KeyboardInterrupt:
            stack.close()
            _end_process(EXIT_INTERRUPTED)
    if recorder:
        recorder.write(trace)
    if status != 0:
        report_runtime_error(native.main_panic, argv[0], error_format)
        return EXIT_RUNTIME_ERROR
    return code % 256


# A runtime error's message: `file:line:col: runtime error: text`.
RUNTIME_ERROR = re.compile(r"(?s)^(.*?):(\d+):(\d+): runtime error: (.*)$")


def report_runtime_error(message: str, program: str, error_format: str) -> None:
    """Print a runtime error on stderr: as the program wrote it, or as one line of JSON.

    The JSON record has the fields of a compile diagnostic, with code SX1001.
    A message without a source location refers to the whole `program` file.
    """
    if error_format != "json":
        print(message, file=sys.stderr)
        return
    match = RUNTIME_ERROR.match(message)
    if match:
        line, col = int(match.group(2)), int(match.group(3))
        span = Span(match.group(1), line, col, line, col)
        text = match.group(4)
    else:
        span = Span(program, 0, 0, 0, 0)
        text = message.removeprefix("runtime error: ")
    diagnostic = Diagnostic("error", text, span, code="SX1001")
    print(diagnostic.to_json(rendered=message), file=sys.stderr)


# seconds that `--time-limit` gives compiling at least
MIN_COMPILE_LIMIT = 60.0


def _compile_watchdog(seconds: float | None, program: str, error_format: str):
    """Return a started timer that ends the process when compiling takes
    longer than `seconds` (and at least `MIN_COMPILE_LIMIT`), or None
    without a time limit.

    The limits of compiling and running are separate, so a program that
    compiles slowly keeps its whole limit for the run, and a short limit
    meant for the run does not stop a compilation that is merely slow.
    """
    if seconds is None:
        return None
    import threading

    seconds = max(seconds, MIN_COMPILE_LIMIT)

    def stop() -> None:
        _stop_for_time_limit(seconds, program, error_format, stage="compiling the program took")

    timer = threading.Timer(seconds, stop)
    timer.daemon = True
    timer.start()
    return timer


def _stop_for_time_limit(seconds: float, program: str, error_format: str,
                         stage: str = "the program ran") -> None:
    """Flush what the program printed, report the time limit and end the process."""
    text = f"{stage} longer than the time limit of {seconds:g} s and was stopped"
    message = f"error: {text}"
    if error_format == "json":
        message = Diagnostic("error", text, Span(program, 0, 0, 0, 0),
                             code="SX1002").to_json(rendered=message)
    _end_process(EXIT_TIME_LIMIT, message)


def _end_process(status: int, message: str | None = None) -> None:
    """End the process while `main` still runs on its thread, after flushing its output.

    A normal exit would tear down the program's code under that thread.
    """
    import ctypes

    # the program writes through C's stdio, whose buffers `os._exit` would drop
    ctypes.CDLL(None).fflush(None)
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    if message is not None:
        print(message, file=sys.stderr)
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    # `os._exit` skips joining threads, so finish linking the cached library.
    if "sxc.cache" in sys.modules:
        sys.modules["sxc.cache"].wait_for_links()
    os._exit(status)


def _emit(compiled, stage: str) -> str:
    from sxc.printer import print_program

    from sxc.driver import run_deep

    if stage == "ast":
        return run_deep(print_program, compiled.typed_snapshot)
    if stage == "core":
        return run_deep(print_program, compiled.program)
    if stage == "llvm":
        return compiled.optimized_ir()
    return compiled.native().asm()


def _denied(warning: Diagnostic) -> Diagnostic:
    """Turn a warning into the error that `--deny-warnings` reports."""
    note = ("`--deny-warnings` turns this warning into an error", None)
    return Diagnostic("error", warning.message, warning.span, list(warning.notes) + [note],
                      warning.help, code=warning.code)


if __name__ == "__main__":
    sys.exit(main())
