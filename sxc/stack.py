"""Run a call on a thread with a large stack.

Compiling a deeply nested program recurses deeply, and a recursive Simplex
`main` needs more stack than Python's main thread has, so both run on a
thread of their own whose stack size is chosen here.
"""

from __future__ import annotations

import threading


def call_with_stack(stack_bytes: int, function, *args, timeout: float | None = None):
    """Return `function(*args)`, called on a new thread with `stack_bytes` of stack.

    An exception in the call is re-raised on the caller's thread.  When the
    call takes longer than `timeout` seconds, raise `TimeoutError`.  The thread
    cannot be stopped from outside, so it keeps running as a daemon thread and
    the caller should end the process.
    """
    result: dict = {}

    def target() -> None:
        try:
            result["value"] = function(*args)
        except BaseException as exc:  # re-raised below, on the caller's thread
            result["error"] = exc

    old_size = threading.stack_size()
    try:
        threading.stack_size(stack_bytes)
        worker = threading.Thread(target=target, name="sxc-worker", daemon=True)
        worker.start()
    finally:
        threading.stack_size(old_size)
    worker.join(timeout)
    if worker.is_alive():
        raise TimeoutError(f"the call ran longer than {timeout} seconds")
    if "error" in result:
        raise result["error"]
    return result["value"]
