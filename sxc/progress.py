"""Progress reports and traces of the annealing runs of `simplex_training`.

`Annealer::optimize` and `Annealer::optimize_discrete` call a hook at most
`samples` times per run (every `steps / samples` moves, rounded up) and once
at the end; `MetaOptimizer::run_epoch` calls it after each meta-step.  The hook
gets one `ProgressEvent`.  `install_progress` installs a Python callable as
that hook in a loaded program.  Compiled code skips calls that come sooner
than `interval` seconds after the previous one, so a progress display costs
a clock read per report, not a Python call.  The last report of each
annealing run and every meta-step report are never skipped.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import tempfile
import threading
import time
from typing import Callable, NamedTuple

# kinds of events
ANNEAL_STEP = 0
META_EPOCH = 1

_HOOK_TYPE = ctypes.CFUNCTYPE(None, ctypes.c_uint64, ctypes.c_uint64, ctypes.c_uint64,
                              ctypes.c_double, ctypes.c_double, ctypes.c_uint64,
                              ctypes.c_uint64)


class ProgressEvent(NamedTuple):
    """One report of a library run.

    For `kind == ANNEAL_STEP`: moves done so far (`step`) out of `total`, the
    current energy and temperature (in energy units), and the accepted moves
    and re-heats so far.  For `kind == META_EPOCH`: `step` is the number of
    finished meta-steps, `total` is 0 (unknown), `energy` the mean loss of
    the step, `temperature` the learned initial temperature and `accepted`
    the annealing runs used so far.
    """

    kind: int
    step: int
    total: int
    energy: float
    temperature: float
    accepted: int
    reheats: int


@contextlib.contextmanager
def install_progress(native, callback: Callable[[ProgressEvent], None], samples: int = 1000,
                     interval: float = 0.1):
    """Call `callback(event)` for the library's reports while the block runs.

    `samples` is the number of reports per annealing run (at most one per
    move) and `interval` the minimum seconds between two calls (0: every
    report).  An exception from `callback` stops the reports and is raised
    when the block ends.
    """
    if samples < 1:
        raise ValueError(f"invalid number of progress samples {samples}: expected at least 1")
    errors: list[BaseException] = []
    hook_slot = ctypes.c_void_p.from_address(native.global_address("__sx_progress_hook"))

    def hook(kind, step, total, energy, temperature, accepted, reheats):
        try:
            callback(ProgressEvent(kind, step, total, energy, temperature, accepted, reheats))
        except BaseException as err:  # noqa: BLE001 - ctypes would print and drop it
            errors.append(err)
            hook_slot.value = None

    c_hook = _HOOK_TYPE(hook)
    ctypes.c_int64.from_address(native.global_address("__sx_progress_samples")).value = samples
    ctypes.c_double.from_address(native.global_address("__sx_progress_interval")).value = \
        interval
    ctypes.c_double.from_address(native.global_address("__sx_progress_last")).value = \
        -float("inf")
    hook_slot.value = ctypes.cast(c_hook, ctypes.c_void_p).value
    try:
        yield
    finally:
        hook_slot.value = None
        ctypes.c_int64.from_address(native.global_address("__sx_progress_samples")).value = 0
    if errors:
        raise errors[0]


class TraceRecorder:
    """Rows of a trace: one per report of an annealing run.

    Columns: `run` (0-based index of the annealing run in the program),
    `step`, `total` (moves of the run), `temperature` and `energy`.  Then
    `acceptance`, the accepted fraction of the moves since the previous row
    of the run (empty on its first row), and `accepted` and `reheats`, the
    counts since the run started.
    """

    COLUMNS = ("run", "step", "total", "temperature", "energy", "acceptance", "accepted",
               "reheats")

    def __init__(self) -> None:
        self.rows: list[tuple] = []
        self.run = -1
        self._last_step = 0
        self._last_accepted = 0

    def __call__(self, event: ProgressEvent) -> None:
        if event.kind != ANNEAL_STEP:
            return
        if event.step == 0 or self.run < 0:
            self.run += 1
            acceptance = ""
        else:
            moves = event.step - self._last_step
            acceptance = (event.accepted - self._last_accepted) / moves if moves > 0 else ""
        self._last_step = event.step
        self._last_accepted = event.accepted
        self.rows.append((self.run, event.step, event.total, event.temperature, event.energy,
                          acceptance, event.accepted, event.reheats))

    def write(self, path: str) -> None:
        """Write the rows as CSV to `path` atomically (a temporary file, then a rename)."""
        import csv

        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".trace-", suffix=".csv")
        try:
            with os.fdopen(fd, "w", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(self.COLUMNS)
                for row in self.rows:
                    writer.writerow([repr(v) if isinstance(v, float) else v for v in row])
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


class ProgressDisplay:
    """Show progress on stderr: a `rich` bar on a terminal, else plain lines.

    Plain lines come when a run passes another tenth of its moves, at most
    one a second, or after 5 seconds without a line.  Rich is optional: on a
    terminal without it, the display prints plain lines too.
    """

    LINE_MIN_SECONDS = 1.0
    LINE_MAX_SECONDS = 5.0

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self._bar = None
        self._task = None
        self._last_line = time.monotonic()
        self._last_tenth = -1
        self._pending: str | None = None
        if self.stream.isatty():
            try:
                from rich.console import Console
                from rich.progress import (BarColumn, Progress,
                                           TextColumn, TimeElapsedColumn)
            except ImportError:
                pass
            else:
                self._bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                     _step_column(), TextColumn("{task.fields[info]}"),
                                     TimeElapsedColumn(),
                                     console=Console(file=self.stream), transient=True)
        self._relay: _OutputRelay | None = None

    def __enter__(self):
        if self._bar is not None:
            self._bar.start()
            # the program writes to file descriptor 1 itself, past rich's redirection
            # of sys.stdout, so its lines would land on the bar's line of the terminal
            if _same_terminal(1, self.stream):
                self._relay = _OutputRelay(self._bar.console)
        return self

    def __exit__(self, *exc) -> None:
        tail = b""
        if self._relay is not None:
            tail = self._relay.stop()
            self._relay = None
        if self._bar is not None:
            self._bar.stop()
        if tail:
            # a last line without its newline goes out once the bar is gone,
            # or the bar would be drawn on after it
            os.write(1, tail)
        elif self._pending is not None:
            # compiled code may have skipped the last reports (see `interval`)
            print(f"last report: {self._pending}", file=self.stream, flush=True)

    def __call__(self, event: ProgressEvent) -> None:
        if event.kind == META_EPOCH:
            info = f"loss {event.energy:.6g}  T0 {event.temperature:.4g}"
            self._show("meta-step", event.step, None, info)
            return
        info = f"E {event.energy:.6g}  T {event.temperature:.4g}  re-heats {event.reheats}"
        self._show("annealing", event.step, event.total, info)

    def _show(self, what: str, step: int, total: int | None, info: str) -> None:
        if self._bar is not None:
            if self._task is None:
                self._task = self._bar.add_task(what, total=total, info=info)
            self._bar.update(self._task, description=what, completed=step, total=total,
                             info=info)
            return
        now = time.monotonic()
        tenth = step * 10 // total if total else -1
        new_tenth = tenth != self._last_tenth
        since = now - self._last_line
        done = f"{step}/{total} ({100 * step // total}%)" if total else f"{step}"
        line = f"{what} {done}  {info}"
        if (new_tenth and since >= self.LINE_MIN_SECONDS) or since >= self.LINE_MAX_SECONDS:
            print(line, file=self.stream, flush=True)
            self._last_line = now
            self._last_tenth = tenth
            self._pending = None
        else:
            self._pending = line


def _same_terminal(fd: int, stream) -> bool:
    """Return whether `fd` and `stream` are the same terminal."""
    try:
        if not os.isatty(fd) or not stream.isatty():
            return False
        return os.path.samestat(os.fstat(fd), os.fstat(stream.fileno()))
    except (OSError, ValueError, AttributeError):
        return False


class _OutputRelay:
    """Print what is written to file descriptor 1 through rich's console, above the bar.

    Descriptor 1 is a pipe while the relay runs.  A thread prints each line
    as it arrives, and `stop` restores the terminal and returns the rest.
    """

    def __init__(self, console) -> None:
        self.console = console
        sys.stdout.flush()
        self.saved = os.dup(1)
        read_end, write_end = os.pipe()
        os.dup2(write_end, 1)
        os.close(write_end)
        self.read_end = read_end
        self.pending = b""
        self.thread = threading.Thread(target=self._pump, name="sxc-output", daemon=True)
        self.thread.start()

    def _pump(self) -> None:
        try:
            while True:
                chunk = os.read(self.read_end, 65536)
                if not chunk:
                    break
                self.pending += chunk
                *lines, self.pending = self.pending.split(b"\n")
                for line in lines:
                    self.console.print(line.decode("utf-8", "replace"), markup=False,
                                       highlight=False, emoji=False, soft_wrap=True)
        finally:
            os.close(self.read_end)

    def stop(self) -> bytes:
        """Give descriptor 1 back to the terminal; return the last line if it has no newline."""
        sys.stdout.flush()
        os.dup2(self.saved, 1)
        os.close(self.saved)
        self.thread.join()
        return self.pending


def _step_column():
    """Return a rich column of the steps done, out of the total when there is one.

    Meta-steps have no total, so they show `30` where annealing shows `30/100`.
    """
    from rich.progress import ProgressColumn
    from rich.text import Text

    class StepColumn(ProgressColumn):
        def render(self, task):
            done = int(task.completed)
            label = f"{done}/{int(task.total)}" if task.total is not None else f"{done}"
            return Text(label, style="progress.download")

    return StepColumn()
