"""The compile cache: compiled programs kept as object code between runs.

`sxc run` and `sxc.compile` look a program up here before compiling it.  An
entry contains the machine code of the optimised module plus what running it
needs (exported symbols, mode, warnings, the signatures of the functions
that Python can call), so a hit skips parsing, type checking, code generation
and LLVM optimisation, and loads none of those modules.

An entry's key is a SHA-256 over:

- the main file's path and text,
- every compile option except the seed, which `main` receives at run time,
- the toolchain: sxc's version and the text of its package files (compiler
  modules, grammar, bundled library), the versions of llvmlite, LLVM and
  Python, and the host's triple, CPU name and CPU features.

When a C compiler is available, the entry's object code is also linked into
a shared library next to the entry, and a hit loads that library with
`dlopen`, so `sxc run` on a hit does not load LLVM either.  Without a
library, or when it fails to load, the hit links the object code with LLVM's
JIT.

The entry also lists each module file that the program read, with a digest
of its bytes, and each module path that was looked for and absent.  A lookup
re-reads those files and treats any difference as a miss.

Entries live in `$SXC_CACHE_DIR`, else `$XDG_CACHE_HOME/sxc`, else
`~/.cache/sxc`.  `SXC_NO_CACHE=1` (or `sxc run --no-cache`) turns the cache
off.  A write goes to a temporary file in the same folder and is renamed
over the entry, so concurrent writers leave one whole entry.  An entry that
fails its checks (magic, checksum, unpickling, layout) counts as a miss and
the next write replaces it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
from pathlib import Path

# Bumped whenever the layout of an entry changes.
FORMAT = b"sxc-program-cache 2\n"
DIGEST_BYTES = 32
PROGRAMS_DIR = "programs"
TOOLCHAIN_DIR = "toolchain"
ENTRY_SUFFIX = ".sxo"
LIBRARY_SUFFIX = ".so"

# Options that do not change the compiled code: the seed is an argument of
# `main`, and `keep_typed` only keeps a copy for `--emit ast`.
RUNTIME_OPTIONS = {"seed", "keep_typed"}

# The keys of an entry and their types, checked after unpickling.
ENTRY_FIELDS = {
    "object": bytes,
    "exports": dict,
    "mode": str,
    "warnings": list,
    "modules": dict,
    "interface": bytes,
}
# An entry's "library" is the SHA-256 of the shared library linked from its
# object code, or None when there is none: no C compiler was found, or the
# process that stored the entry ended before the library was linked.


def cache_dir() -> Path:
    """Return the cache folder: `$SXC_CACHE_DIR`, `$XDG_CACHE_HOME/sxc` or `~/.cache/sxc`."""
    explicit = os.environ.get("SXC_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "sxc"


def enabled() -> bool:
    """Return False when `SXC_NO_CACHE` is set to anything but empty or `0`."""
    return os.environ.get("SXC_NO_CACHE", "") in ("", "0")


def _log():
    import logging

    return logging.getLogger(__name__)


# ---------------------------------------------------------------- keys


def _resource_dir(package: str, folder: str) -> Path:
    """Return the folder of package data, installed or in the source tree.

    This uses `importlib.util.find_spec` because `importlib.resources` and
    the modules it imports take several milliseconds to load on a cache hit.
    """
    import importlib.util

    try:
        spec = importlib.util.find_spec(package)
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    return Path(__file__).resolve().parent.parent / folder


@functools.lru_cache(maxsize=1)
def toolchain_fingerprint() -> bytes:
    """Return a digest of everything besides the program that shapes its machine code.

    It is computed without loading LLVM, so that a cache hit never imports
    `llvmlite.binding`: LLVM is identified by llvmlite's version and the size
    and modification time of its shared library, and the host CPU by
    `host_description`.
    """
    import llvmlite

    from sxc import __version__

    digest = hashlib.sha256()
    parts = [FORMAT, __version__.encode(), llvmlite.__version__.encode(),
             _llvm_library_stamp(llvmlite).encode(), sys.version.encode(),
             host_description().encode()]
    for part in parts:
        _update(digest, part)
    package = Path(__file__).resolve().parent
    folders = [(package, ".py"), (_resource_dir("sxc.grammar", "grammar"), ".lark"),
               (_resource_dir("sxc.runtime", "runtime"), ".sx")]
    for folder, suffix in folders:
        files = sorted((f for f in folder.iterdir() if f.name.endswith(suffix)),
                       key=lambda f: f.name)
        for file in files:
            _update(digest, file.name.encode())
            _update(digest, file.read_bytes())
    return digest.digest()


def _llvm_library_stamp(llvmlite) -> str:
    """Return the name, size and modification time of llvmlite's LLVM library."""
    folder = Path(llvmlite.__file__).resolve().parent / "binding"
    stamps = []
    for file in sorted(folder.iterdir()):
        if file.name.startswith("libllvmlite"):
            info = file.stat()
            stamps.append(f"{file.name}:{info.st_size}:{info.st_mtime_ns}")
    return ",".join(stamps)


# Lines of /proc/cpuinfo that identify the CPU model and its instruction set.
# Others, such as the clock rate, change while the machine runs.
CPUINFO_FIELDS = ("vendor_id", "cpu family", "model", "model name", "stepping", "flags",
                  "Features", "CPU implementer", "CPU architecture", "CPU variant",
                  "CPU part", "CPU revision", "isa")


def host_description() -> str:
    """Return the platform, machine type and CPU model and features of this host.

    On Linux this reads the first processor of /proc/cpuinfo.  Elsewhere it
    queries LLVM for the host CPU's name and features, which loads llvmlite.
    """
    machine = f"{sys.platform} {os.uname().machine}" if hasattr(os, "uname") else sys.platform
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            text = info.read()
    except OSError:
        text = ""
    first = text.split("\n\n", 1)[0]
    lines = []
    for line in first.splitlines():
        name, _, value = line.partition(":")
        if name.strip() in CPUINFO_FIELDS:
            lines.append(f"{name.strip()}={value.strip()}")
    if lines:
        return "\n".join([machine] + lines)
    import llvmlite.binding as llvm

    return "\n".join([machine, llvm.get_process_triple(), llvm.get_host_cpu_name(),
                      llvm.get_host_cpu_features().flatten()])


def _update(digest, data: bytes) -> None:
    digest.update(len(data).to_bytes(8, "little"))
    digest.update(data)


def program_key(source: str, path: str, options) -> str:
    """Return the hex key of the entry for `source` (the text of `path`) under `options`."""
    import dataclasses

    settings = sorted((f.name, getattr(options, f.name)) for f in dataclasses.fields(options)
                      if f.name not in RUNTIME_OPTIONS)
    digest = hashlib.sha256()
    for part in (toolchain_fingerprint(), path.encode("utf-8", "surrogateescape"),
                 repr(settings).encode(), source.encode("utf-8", "surrogateescape")):
        _update(digest, part)
    return digest.hexdigest()


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- entries


def entry_path(key: str) -> Path:
    return cache_dir() / PROGRAMS_DIR / f"{key}{ENTRY_SUFFIX}"


def library_path(key: str) -> Path:
    return cache_dir() / PROGRAMS_DIR / f"{key}{LIBRARY_SUFFIX}"


def read_entry(key: str) -> dict | None:
    """Return the entry stored under `key`, or None if it is absent or fails a check."""
    path = entry_path(key)
    payload = _read_framed(path)
    if payload is None:
        return None
    try:
        entry = pickle.loads(payload)
    except Exception as exc:  # noqa: BLE001 - unpickling damaged bytes can raise almost anything
        _log().debug("ignoring cache entry %s: %s", path, exc)
        return None
    if not isinstance(entry, dict) or any(
            not isinstance(entry.get(name), kind) for name, kind in ENTRY_FIELDS.items()):
        _log().debug("ignoring cache entry %s: unexpected layout", path)
        return None
    if not isinstance(entry.get("library"), (bytes, type(None))):
        _log().debug("ignoring cache entry %s: unexpected layout", path)
        return None
    return entry


def write_entry(key: str, entry: dict) -> bool:
    """Store `entry` under `key` atomically.  Return False if the cache folder is unusable."""
    payload = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
    return _write_framed(entry_path(key), payload)


def _read_framed(path: Path) -> bytes | None:
    """Return the payload of a file that `_write_framed` wrote, or None if it fails a check."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        _log().debug("cannot read cache file %s: %s", path, exc)
        return None
    header = len(FORMAT) + DIGEST_BYTES
    if len(data) < header or not data.startswith(FORMAT):
        _log().debug("ignoring cache file %s: unknown format", path)
        return None
    payload = data[header:]
    if hashlib.sha256(payload).digest() != data[len(FORMAT):header]:
        _log().debug("ignoring cache file %s: checksum mismatch", path)
        return None
    return payload


def _write_framed(final: Path, payload: bytes) -> bool:
    """Write the format tag, a checksum and `payload` to a temporary file, then rename it."""
    import tempfile

    data = FORMAT + hashlib.sha256(payload).digest() + payload
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=final.parent, prefix=".", suffix=".tmp")
    except OSError as exc:
        _log().debug("cannot write cache file %s: %s", final, exc)
        return False
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, final)
    except OSError as exc:
        _log().debug("cannot write cache file %s: %s", final, exc)
        try:
            os.unlink(temp)
        except OSError:
            pass
        return False
    return True


# ---------------------------------------------------------------- toolchain files


def toolchain_path(name: str) -> Path:
    return cache_dir() / TOOLCHAIN_DIR / f"{name}.pickle"


def read_toolchain_file(name: str) -> bytes | None:
    """Return the bytes stored by `write_toolchain_file(name)` for this toolchain, or None.

    These files contain work that depends on the sxc installation only, such as
    the parsed bundled library.  Each one starts with the toolchain
    fingerprint, so a file from another installation counts as absent.
    """
    payload = _read_framed(toolchain_path(name))
    fingerprint = toolchain_fingerprint()
    if payload is None or not payload.startswith(fingerprint):
        return None
    return payload[len(fingerprint):]


def write_toolchain_file(name: str, data: bytes) -> bool:
    return _write_framed(toolchain_path(name), toolchain_fingerprint() + data)


def unpickle_or_none(data: bytes | None):
    """Return `pickle.loads(data)`, or None if `data` is None or does not unpickle."""
    if data is None:
        return None
    try:
        return pickle.loads(data)
    except Exception as exc:  # noqa: BLE001 - unpickling damaged bytes can raise almost anything
        _log().debug("ignoring a cache file that does not unpickle: %s", exc)
        return None


def modules_unchanged(modules: dict) -> bool:
    """Check that each module file still has its digest, and each absent path is absent.

    The text of each unchanged file is registered for diagnostics, so that a
    cached warning rendered again in colour quotes its line.
    """
    from sxc.diagnostics import register_source

    texts = {}
    for path, digest in modules.items():
        if digest is None:
            if os.path.isfile(path):
                return False
            continue
        try:
            data = Path(path).read_bytes()
        except OSError:
            return False
        if file_digest(data) != digest:
            return False
        texts[path] = data
    for path, data in texts.items():
        # the parser's newline handling, so line numbers agree
        text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
        register_source(path, text.replace("\r\n", "\n").replace("\r", "\n"))
    return True


# ---------------------------------------------------------------- programs


class CachedProgram:
    """A program loaded from the cache: what `sxc run` and `sxc.Module` use of `Compiled`."""

    def __init__(self, key: str, path: str, options, entry: dict):
        self.key = key
        self.path = path
        self.options = options
        self.mode = entry["mode"]
        self.exports = entry["exports"]
        self._entry = entry
        self._native = None
        self._interface = None

    @property
    def warnings(self) -> list:
        return [diagnostic for diagnostic, _ in self._entry["warnings"]]

    def rendered_warnings(self) -> list[str]:
        return [text for _, text in self._entry["warnings"]]

    def native(self):
        """Load the program: from its shared library if it has one, else with LLVM's JIT."""
        if self._native is None:
            self._native = self._load_library()
        if self._native is None:
            from sxc.jit import NativeModule

            self._native = NativeModule.from_object(
                self._entry["object"], self.options.opt_level, list(self.exports.values()))
        return self._native

    def _load_library(self):
        """Return the program loaded from its shared library, or None if that fails.

        When the entry has no library and a C compiler is found, or the
        library's digest differs from the entry's, the library is linked
        again from the entry's object code and the entry is rewritten.
        """
        from sxc.loaded import SharedLibrary, find_c_compiler

        expected = self._entry.get("library")
        if expected is None and find_c_compiler() is None:
            return None
        path = library_path(self.key)
        try:
            actual = hashlib.sha256(path.read_bytes()).digest()
        except OSError:
            actual = None
        if expected is None or actual != expected:
            _log().debug("linking %s: the entry has no library or another digest", path)
            attach_library(self.key, self._entry)
            if self._entry["library"] is None:
                return None
        try:
            library = SharedLibrary(str(path))
            library.address("__sx_main")
        except (OSError, AttributeError) as exc:
            _log().debug("cannot load %s: %s", path, exc)
            return None
        return library

    def call_interface(self) -> dict:
        # NOTE: this unpickles `sxc.types` values, which `sxc run` never needs.
        if self._interface is None:
            self._interface = pickle.loads(self._entry["interface"])
        return self._interface


def load_program(key: str, path: str, options) -> CachedProgram | None:
    """Return the cached program under `key` if its module files are unchanged."""
    entry = read_entry(key)
    if entry is None or not modules_unchanged(entry["modules"]):
        return None
    return CachedProgram(key, path, options, entry)


def attach_library(key: str, entry: dict) -> bool:
    """Link the entry's object code into a shared library and store the entry.

    Set the entry's "library" to the library's digest, or to None if it
    cannot be linked.  Return False if the entry could not be written.
    """
    from sxc.loaded import link_shared_library

    path = library_path(key)
    entry["library"] = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if link_shared_library(entry["object"], str(path)):
            entry["library"] = hashlib.sha256(path.read_bytes()).digest()
    except OSError as exc:
        _log().debug("cannot link %s: %s", path, exc)
    return write_entry(key, entry)


def store_program(key: str, compiled, link_in_background: bool = False) -> bool:
    """Store a freshly compiled program (a `driver.Compiled`) under `key`.

    With `link_in_background`, the entry is written without a shared library
    and a separate process links the library and rewrites the entry, so the
    caller does not wait for the C compiler.  That process outlives the
    caller, and until it is done, a hit links the library itself.
    """
    native = compiled.native()
    modules = {}
    for path, text in compiled.module_files.items():
        modules[path] = None if text is None else file_digest(text.encode("utf-8"))
    try:
        entry = {
            "object": native.object_code,
            "exports": dict(compiled.exports),
            "mode": compiled.mode,
            "warnings": list(zip(compiled.warnings, compiled.rendered_warnings())),
            "modules": modules,
            "interface": pickle.dumps(compiled.call_interface(),
                                      protocol=pickle.HIGHEST_PROTOCOL),
            "library": None,
        }
        if not link_in_background:
            return attach_library(key, entry)
        if not write_entry(key, entry):
            return False
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError) as exc:
        # The program runs anyway; it is just compiled again next time.
        _log().debug("cannot store %s in the compile cache: %s", compiled.path, exc)
        return False
    if not _start_linker(key):
        import threading

        thread = threading.Thread(target=attach_library, args=(key, entry), name="sxc-link")
        thread.start()
        _link_threads.append(thread)
    return True


_link_threads: list = []
_linkers: list = []

# The code the linking process runs: `link_stored(key)` of this module.
_LINKER_CODE = "import sys; from sxc.cache import link_stored; link_stored(sys.argv[1])"


def _start_linker(key: str) -> bool:
    """Start a process that links the entry under `key`; return False if none started.

    The process runs in its own session with its standard streams closed, so
    it survives the end of this process and of its terminal.
    """
    import subprocess

    # reap the linkers that have finished, so a long-lived caller keeps no zombies
    _linkers[:] = [process for process in _linkers if process.poll() is None]
    if not sys.executable:
        return False
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", _LINKER_CODE, key], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    except (OSError, ValueError) as exc:
        _log().debug("cannot start the linker for %s: %s", key, exc)
        return False
    _linkers.append(process)
    return True


def link_stored(key: str) -> bool:
    """Link the shared library of the entry under `key` if it has none yet."""
    entry = read_entry(key)
    if entry is None or entry.get("library") is not None:
        return False
    return attach_library(key, entry)


def wait_for_links() -> None:
    """Wait for the libraries that `store_program` links on threads of this process.

    A linking process needs no wait, because it outlives this one.
    """
    for thread in _link_threads:
        thread.join()
