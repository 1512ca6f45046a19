"""A seeded, time-boxed fuzzing campaign against the `sxc` command line.

    python tests/fuzz/campaign.py --seconds 600 --seed 1 --out fuzz-out
    python tests/fuzz/campaign.py --report fuzz-out/summary.json --doc docs/reliability.md

Each round makes one input from `generate.py`: a typed program (run at -O0
and -O3, whose output and exit status must agree), a mutation of an example
or of a typed program, or random bytes (both checked with `sxc check`).
Every input runs in a subprocess with a timeout and a cap on address space
and CPU time (`resource.setrlimit`).  A failure is a Python traceback or an
internal compiler error, a death by signal, a hang, an exit status other
than 0, 1 or 101, or an -O0/-O3 mismatch.  Each failure is minimized by
deleting lines while it still fails, and stored under `OUT/failures/`.
`OUT/summary.json` counts the inputs and failures, and `--doc` writes the
Markdown report from it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

from generate import mutate, random_bytes, typed_program  # noqa: E402

TIMEOUT_SECONDS = 60
ADDRESS_SPACE_BYTES = 4 << 30
CPU_SECONDS = 120
EXPECTED_STATUS = {0, 1, 101}
KINDS = ("typed", "mutated-example", "mutated-typed", "bytes")


def _limit_resources() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_BYTES, ADDRESS_SPACE_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_sxc(args: list[str]) -> dict:
    """Run `python -m sxc.cli ARGS`; return status, output and whether it timed out."""
    env = dict(os.environ, SXC_NO_CACHE="1")
    try:
        done = subprocess.run([sys.executable, "-m", "sxc.cli", *args], capture_output=True,
                              timeout=TIMEOUT_SECONDS, env=env, cwd=ROOT,
                              preexec_fn=_limit_resources)
    except subprocess.TimeoutExpired as exc:
        return {"status": None, "stdout": exc.stdout or b"", "stderr": exc.stderr or b"",
                "hang": True}
    return {"status": done.returncode, "stdout": done.stdout, "stderr": done.stderr,
            "hang": False}


def classify(result: dict) -> str | None:
    """Return the failure kind of one run, or None when the run is acceptable."""
    if result["hang"]:
        return "hang"
    status = result["status"]
    stderr = result["stderr"].decode("utf-8", errors="replace")
    if status < 0:
        return f"signal {-status}"
    if "Traceback (most recent call last)" in stderr:
        return "traceback"
    if "internal compiler error" in stderr:
        return "internal compiler error"
    if status not in EXPECTED_STATUS:
        return f"exit status {status}"
    return None


def check_input(path: Path, kind: str) -> tuple[str | None, str]:
    """Run one input; return (failure kind or None, details)."""
    if kind in ("typed", "mutated-typed"):
        low = run_sxc(["run", "-O0", str(path)])
        failure = classify(low)
        if failure:
            return failure, low["stderr"].decode("utf-8", errors="replace")
        high = run_sxc(["run", "-O3", str(path)])
        failure = classify(high)
        if failure:
            return failure, high["stderr"].decode("utf-8", errors="replace")
        if (low["status"], low["stdout"]) != (high["status"], high["stdout"]):
            details = (f"-O0: status {low['status']}\n{low['stdout'].decode(errors='replace')}"
                       f"\n-O3: status {high['status']}\n"
                       f"{high['stdout'].decode(errors='replace')}")
            return "-O0/-O3 mismatch", details
        return None, ""
    done = run_sxc(["check", str(path)])
    failure = classify(done)
    return failure, done["stderr"].decode("utf-8", errors="replace") if failure else ""


def check_in_process(path: Path, kind: str) -> tuple[str | None, str]:
    """Check one input in this process, as `check_input` does with subprocesses.

    Typed programs are compiled with `sxc.compile` at -O0 and -O3 and their
    `main` runs here, its output captured from file descriptor 1.  The other
    inputs go through every pass but LLVM's.  A diagnostic is an acceptable
    outcome, and any other exception is a failure.  A hang or a crash stops
    the campaign itself, so this mode finds neither.
    """
    import traceback

    import sxc
    from sxc import driver
    from sxc.diagnostics import InternalError

    try:
        if kind in ("typed", "mutated-typed"):
            low, high = (_run_here(path, level) for level in (0, 3))
            if low != high:
                return "-O0/-O3 mismatch", f"-O0: {low!r}\n-O3: {high!r}"
            return None, ""
        source = driver.read_source(str(path))
        driver.compile_program(source, str(path), driver.Options())
    except sxc.CompileError:
        return None, ""
    except InternalError:
        return "internal compiler error", traceback.format_exc()
    except Exception:  # noqa: BLE001 - any other exception is what the campaign looks for
        return "traceback", traceback.format_exc()
    return None, ""


def _run_here(path: Path, level: int) -> tuple[int, bytes]:
    """Compile and run `path` in this process; return its exit status and output."""
    import sxc

    try:
        module = sxc.compile(str(path), opt_level=level, cache=False)
    except sxc.CompileError as err:
        return 1, str(err).encode()
    with tempfile.TemporaryFile() as captured:
        sys.stdout.flush()
        saved = os.dup(1)
        os.dup2(captured.fileno(), 1)
        try:
            status = module.run([]) % 256
        except sxc.RuntimeError:
            status = 101
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        captured.seek(0)
        return status, captured.read()


def minimize(data: bytes, kind: str, failure: str, deadline: float,
             check=None) -> bytes:
    """Delete lines, then chunks of lines, while the input still fails the same way."""
    check = check or check_input
    lines = data.splitlines(keepends=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reduced.sx"

        def still_fails(candidate: list[bytes]) -> bool:
            path.write_bytes(b"".join(candidate))
            return check(path, kind)[0] == failure

        chunk = max(1, len(lines) // 2)
        while chunk >= 1 and time.monotonic() < deadline:
            i = 0
            while i < len(lines) and time.monotonic() < deadline:
                candidate = lines[:i] + lines[i + chunk:]
                if candidate and still_fails(candidate):
                    lines = candidate
                else:
                    i += chunk
            chunk //= 2
    return b"".join(lines)


def make_input(rng: random.Random, kind: str, examples: list[Path]) -> bytes:
    if kind == "typed":
        return typed_program(rng).encode()
    if kind == "mutated-example":
        source = rng.choice(examples).read_text()
        return mutate(rng, source, steps=rng.randrange(1, 5)).encode()
    if kind == "mutated-typed":
        return mutate(rng, typed_program(rng), steps=rng.randrange(1, 3)).encode()
    return random_bytes(rng)


def run_campaign(seconds: float, seed: int, out: Path, minimize_seconds: float = 60,
                 in_process: bool = False) -> dict:
    """Run rounds until `seconds` pass; store failures under `out`; return the summary.

    `in_process` checks each input with `check_in_process` instead of
    subprocesses: many times more inputs, but no hang or crash detection.
    """
    check = check_in_process if in_process else check_input
    out.mkdir(parents=True, exist_ok=True)
    failures_dir = out / "failures"
    failures_dir.mkdir(exist_ok=True)
    examples = sorted((ROOT / "examples").glob("*.sx"))
    rng = random.Random(seed)
    summary = {"seed": seed, "seconds": seconds, "inputs": {k: 0 for k in KINDS},
               "failures": [], "python": sys.version.split()[0], "in_process": in_process}
    start = time.monotonic()
    round_index = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.sx"
        while time.monotonic() - start < seconds:
            kind = KINDS[round_index % len(KINDS)]
            round_seed = rng.randrange(2**32)
            data = make_input(random.Random(round_seed), kind, examples)
            path.write_bytes(data)
            summary["inputs"][kind] += 1
            failure, details = check(path, kind)
            if failure is not None:
                deadline = time.monotonic() + minimize_seconds
                reduced = minimize(data, kind, failure, deadline, check)
                name = f"{len(summary['failures']):03d}-{kind}"
                (failures_dir / f"{name}.sx").write_bytes(reduced)
                (failures_dir / f"{name}.txt").write_text(f"{failure}\n\n{details}")
                summary["failures"].append({"name": name, "kind": kind, "failure": failure,
                                            "round_seed": round_seed,
                                            "last_line": details.strip().splitlines()[-1:]})
                print(f"round {round_index}: {kind}: {failure} -> {name}", flush=True)
            round_index += 1
    summary["elapsed"] = round(time.monotonic() - start, 1)
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


FIXED = """\
## Faults fixed

Targeted inputs found these faults, except the one that names a campaign.
Each has a regression test in `tests/test_reliability.py`.

- A flat sum of 100,000 terms took seconds and hundreds of MB before it
  failed on Python's recursion limit, and deep `if` nesting could end in a
  Lark `VisitError` traceback.  sxc now estimates the nesting depth before
  parsing and rejects a program deeper than 12,000 levels at once, with the
  location of the token that passes the limit.
- `Vec::with_capacity(usize::MAX)` multiplied the capacity by the element
  size with wrap-around and allocated 8 bytes for it, so pushes wrote out of
  bounds.  `vec![x; 1 << 62]` grew its buffer step by step until memory ran
  out.  Both now panic with Rust's "capacity overflow", and a count that
  fits but cannot be allocated panics with "memory allocation of N bytes
  failed" at the source location.
- `sxc run` had no way to stop a runaway program; `--time-limit SECONDS`
  ends it with exit status 124.  Compiling has a limit of its own, the
  same or 60 s if longer, so a compilation that hangs ends with 124 too.
- Lark wrote its parser-table cache in place, so two sxc processes starting
  together could read a half-written file.  The tables are now a toolchain
  file of the compile cache, written to a temporary file and renamed.
- A 5 MB file of comments took 41 s before parsing began, in sixteen
  regular-expression scans for unsupported constructs.  A scan now runs only
  when its keyword occurs in the source.
- A fixed-size array with thousands of elements that was passed or
  returned by value, or held in a struct literal, was one first-class LLVM
  value.  At -O2 a `[f64; 10000]` parameter or result ran out of 6 GB of
  memory and a struct literal holding one took 70 s; returning one took
  15 s even at -O0.  Arrays, tuples and structs of 64 or more scalars are
  now copied with `memcpy`, and functions take and return them through
  pointers.  Each of these forms, `for x in a` and `let b = a;` compile in
  about a second at -O0 and -O2 with 10,000 and 65,536 elements (on a busy
  2-core machine).
- An array literal nested 2,000 deep ran out of memory in llvmlite, and 600
  deep took 35 s to compile.  A tuple literal nested 2,000 deep took 38 s
  and 3.4 GB for `sxc check`.  Array and tuple types now nest at most 64
  levels, counted together, and a deeper literal or type is error SX0003 at
  the one that passes the limit (the same tuple now fails in about a second).
- `[[0.0; 10000]; 10000]` stored each copy of the inner array as one LLVM
  aggregate, which LLVM splits into a store per element, and did not
  compile within 2 minutes.  The copies are now `memcpy` calls.
- Forty structs that each hold the previous one in two fields took longer
  than a minute to check, because the search for recursive structs visited
  a struct once for each path to it.  It now visits each struct once.
- An array length past 65,536 in a type, such as `[f64; 100000]` in a
  signature, was reported with a second error, a mismatch against
  `[f64; 0]`, at each use.  The type is now the error type, which matches
  anything, so the length is reported once.  `[x; N]` now checks the same
  limit, so a larger array can no longer be built without naming its type.
- A function with large arrays was checked to fit on the stack only when
  the host (`main`, a call from Python) called it, so a helper called from
  `main` with `let a = [[0.0; 10000]; 10000];` ended the process with a
  segmentation fault.  Such a function now checks its frame before its body
  runs, on every call, and panics with "stack overflow" at its name.
- `read_file` of a file too large for memory returned an empty string, and
  the copies of strings into C strings (for `read_file` and `parse`) did
  not check `malloc`.  They now panic with "memory allocation of N bytes
  failed", for `read_file` at the source location of the call.
- The 30-minute campaign above found `max` giving `-0.0` at -O0 and `0.0`
  at -O3 for `(-0.0).max(0.0)`.  `llvm.maxnum` leaves the sign of a zero
  open, and constant folding chose the other one; rustc's output differs
  between its levels the same way.  `max` and `min` are now IEEE
  754-2019's maximumNumber and minimumNumber at every level; the input is a
  regression test.
- Compiled code freed no `Vec`: a loop that made two temporary 8 KB `Vec`s
  200,000 times peaked at 3.3 GB of RSS in `sxc run` and took 10.6 s.  A
  local `Vec` of plain items that is only borrowed is now freed at the end
  of its block (see docs/decisions.md, Memory); the same loop peaks at
  100 MB and takes 1.4 s with compiling.  `python tests/fuzz/memcheck.py`
  builds the 156 test programs and examples that make a `Vec` and runs
  them under valgrind's memcheck: none had an error.
- A tuple that repeats a sub-tuple, `let t1 = (t0, t0); let t2 = (t1, t1);`
  and so on 40 times, stayed within the nesting limit but held 2^41
  numbers, and `sxc check` did not finish (2^17 took 14 s and 650 MB, as
  the passes walk every field).  The same held for structs and generic
  structs that contain two of the previous one.  A tuple or struct now contains
  at most 4,096 values outside its arrays' elements, and a larger one is
  error SX0006, reported once, in under a second; one at the limit
  compiles and runs in about 2 s.  Types quoted in diagnostics are cut to
  160 characters (a tuple of 2^11 numbers made a message of 100 KB).
- `push`, `insert`, `extend` and `resize` shared one growth routine that
  panicked with "memory allocation failed" and no source location, and
  `resize` and `extend` grew step by step, so `v.resize(1 << 40, x)`
  wrote to memory until the allocator gave up.  They now reserve the whole
  count first and panic at the source location with "capacity overflow"
  past `isize::MAX` bytes or "memory allocation of N bytes failed".

## Embedding

`python tests/fuzz/embed_cycles.py --cycles 1000` compiled, called and
dropped 1,000 new programs at -O0 in one process (each call also raised a
division-by-zero `sxc.RuntimeError`): the RSS went from 109.5 MiB after 30
warm-up cycles to 110.0 MiB, about 0.6 KiB per cycle, on a busy 2-core
machine.

llvmlite 0.50 keeps about 55 KB of native memory for each module that its
pass builder optimises, whatever is closed afterwards, so new programs at
-O2 grew the host by 78.5 KiB per cycle (1,000 cycles).  `sxc.compile` now
optimises in a worker process (`sxc/llvm_worker.py`), replaced every 200
modules, and links the object code it returns: the same 1,000 cycles at
-O2 kept the RSS at 87.5 MiB from the 30th cycle to the last.  An LLVM
crash ends the worker, not the host.  The suite runs 300 new programs at
-O0 and at -O2, and 150 at -O2 through the cache.

## Known gaps

- Compile time and memory grow with the number of functions, at roughly
  10 ms and 80 KB per small function (an estimate from 6,000 one-line
  functions, which took 74 s and 514 MB on a busy 2-core machine).  A
  5 MB file of 120,000 such functions did not compile within 5 minutes.

- A failed allocation while `format!` or `to_string` formats reports no
  source location, because one routine grows the buffers of all string
  formatting; growing a `String` (`push_str`, `push`, `+`, `+=`) names it.
  Nor does `parse` of a float when its copy of the string cannot be
  allocated.  `Vec`s moved into structs, `Vec`s of strings, and `Vec`s of
  `Vec`s whose rows something else may hold are never freed.  A local string is freed at the end
  of its block when it is a `format!`, a number's `to_string()` or the
  result of a function that returns only such strings.  It must also be
  only read: printed, compared, passed as `&s` or split in a loop.  The
  buffers of `chars()`, `split`, `lines` and `split_whitespace` are freed
  too.  A string that
  grows (`push_str`, `push`, `+=`), is cloned, moved or kept as a slice
  lives until the program ends.  `push` copied the whole string into a new
  buffer each time (100,000 pushes needed about 5 GB); a string that grows
  again and again now appends into room after its bytes.
"""


def write_report(summary: dict, path: Path) -> None:
    """Write the Markdown reliability report for a campaign `summary`."""
    inputs = summary["inputs"]
    total = sum(inputs.values())
    lines = [
        "# Reliability",
        "",
        "sxc must compile any input or reject it with diagnostics and exit status",
        "1, and end every runtime fault with exit status 101 and a message that",
        "names the source location (`sxc.RuntimeError` in embedding).  This page",
        "records the fuzzing campaign that checks it, generated by",
        "`python tests/fuzz/campaign.py --report SUMMARY --doc docs/reliability.md`.",
        "",
        "## Campaign",
        "",
        f"Seed {summary['seed']}, {summary['elapsed']} s of wall-clock time in one process",
    ]
    if summary.get("in_process"):
        lines += [f"(Python {summary['python']}), each input checked in that process",
                  "(`--in-process`): typed programs compiled with `sxc.compile` and their",
                  "`main` run there, the other inputs taken through every pass but LLVM's.",
                  "This mode cannot see a hang or a crash, which would stop the campaign.", ""]
    else:
        lines += [f"(Python {summary['python']}), each input in a subprocess with a",
                  f"{TIMEOUT_SECONDS} s timeout, {ADDRESS_SPACE_BYTES >> 30} GiB of address "
                  "space and", f"{CPU_SECONDS} s of CPU time.", ""]
    lines += [
        "| input kind | inputs |",
        "|---|---:|",
    ]
    for kind in KINDS:
        lines.append(f"| {kind} | {inputs.get(kind, 0)} |")
    lines.append(f"| total | {total} |")
    rate = summary["elapsed"] / max(1, total)
    if summary.get("in_process"):
        lines += ["", "Typed programs run at -O0 and at -O3 and must print the same bytes and",
                  "end the same way; any exception other than a diagnostic is a failure.",
                  f"Each input took {rate:.2f} s on average.", ""]
    else:
        lines += ["", "Typed programs run at -O0 and at -O3 and must print the same bytes and",
                  "exit with the same status; the other kinds run `sxc check`.  Each input",
                  f"took {rate:.1f} s on average, because every sxc process starts Python,",
                  "loads the compiler and compiles without the cache.  The property tests in",
                  "`tests/test_properties.py` and `--in-process` run the same generators in",
                  "one process.", ""]
    failures = summary["failures"]
    if failures:
        found = "1 failure" if len(failures) == 1 else f"{len(failures)} failures"
        lines += [f"The campaign found {found}:", "",
                  "| reproducer | input kind | failure | last line of output |",
                  "|---|---|---|---|"]
        for failure in failures:
            last = " ".join(failure["last_line"]).replace("|", "\\|")[:80]
            lines.append(f"| {failure['name']}.sx | {failure['kind']} | "
                         f"{failure['failure']} | {last} |")
    else:
        lines.append("The campaign found no failures.")
    lines += ["", FIXED]
    path.write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60,
                        help="wall-clock time of the campaign in seconds (default 60)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the campaign (default 0)")
    parser.add_argument("--out", type=Path, default=Path("fuzz-out"),
                        help="folder for summary.json and failures/ (default fuzz-out)")
    parser.add_argument("--minimize-seconds", type=float, default=60,
                        help="time spent minimizing each failure (default 60)")
    parser.add_argument("--in-process", action="store_true",
                        help="check inputs in this process: faster, but a hang or a crash "
                             "stops the campaign")
    parser.add_argument("--report", type=Path, metavar="SUMMARY",
                        help="write --doc from this summary.json instead of running")
    parser.add_argument("--doc", type=Path, metavar="FILE",
                        help="write the Markdown report to FILE")
    args = parser.parse_args(argv)
    if args.report is not None:
        summary = json.loads(args.report.read_text())
    else:
        summary = run_campaign(args.seconds, args.seed, args.out, args.minimize_seconds,
                               args.in_process)
        total = sum(summary["inputs"].values())
        print(f"{total} inputs in {summary['elapsed']} s, "
              f"{len(summary['failures'])} failures; summary in {args.out / 'summary.json'}")
    if args.doc is not None:
        write_report(summary, args.doc)
    return 1 if summary["failures"] and args.report is None else 0


if __name__ == "__main__":
    sys.exit(main())
