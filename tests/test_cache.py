"""The compile cache: hits, misses, damaged entries, concurrent writers."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

import sxc
from sxc import cache
from sxc.driver import Options

ROOT = Path(__file__).resolve().parent.parent

# Sums 1/k^2 for k = 1..n: the output checks against Python's own sum.
HARMONIC = """
fn main() {
    let n: i64 = 1000;
    let mut total = 0.0;
    for k in 1..(n + 1) {
        let x = k as f64;
        total += 1.0 / (x * x);
    }
    println!("{}", total);
}
"""


def harmonic_sum(n: int) -> float:
    total = 0.0
    for k in range(1, n + 1):
        total += 1.0 / (float(k) * float(k))
    return total


def splitmix64(seed: int) -> int:
    """The first output of SplitMix64 from state `seed`, as Rng::next_u64 defines it."""
    mask = (1 << 64) - 1
    z = (seed + 0x9E3779B97F4A7C15) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)


@pytest.fixture
def cache_env(tmp_path, monkeypatch):
    """Turn the cache on, in a folder of this test, for this process and its children."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("SXC_CACHE_DIR", str(folder))
    monkeypatch.delenv("SXC_NO_CACHE", raising=False)
    return folder


def run(*args: str, cwd: Path, importtime: bool = False) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    flags = ["-X", "importtime"] if importtime else []
    return subprocess.run([sys.executable, *flags, "-m", "sxc", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600, env=env)


def linked_entry_key(folder: Path, seconds: float = 300.0) -> str:
    """Return the key of the only entry in `folder` once its library is linked.

    `sxc run` links the library in a process of its own, which rewrites the
    entry when it is done, so wait for that process to end as well: a cache
    hit may link the library first, and a test that then changes the entry
    would see the linking process overwrite it.
    """
    import time

    [entry_file] = entries(folder)
    key = entry_file.name[: -len(cache.ENTRY_SUFFIX)]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        entry = cache.read_entry(key)
        if entry is not None and entry["library"] is not None and not _linking(key):
            return key
        time.sleep(0.05)
    raise AssertionError(f"the library of entry {key} was not linked within {seconds} s")


def _linking(key: str) -> bool:
    """Return whether a process is still linking the library of entry `key` (Linux)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return False
    for folder in proc.iterdir():
        try:
            command = (folder / "cmdline").read_bytes()
        except OSError:
            continue
        if b"link_stored" in command and key.encode() in command:
            return True
    return False


def entries(folder: Path) -> list[Path]:
    return sorted((folder / cache.PROGRAMS_DIR).glob(f"*{cache.ENTRY_SUFFIX}"))


def test_hit_same_output(tmp_path, cache_env):
    (tmp_path / "prog.sx").write_text(HARMONIC)
    first = run("run", "prog.sx", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert float(first.stdout) == harmonic_sum(1000)
    stored = entries(cache_env)
    assert len(stored) == 1
    linked_entry_key(cache_env)
    written = stored[0].stat().st_mtime_ns
    second = run("run", "prog.sx", cwd=tmp_path, importtime=True)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    assert stored[0].stat().st_mtime_ns == written


def test_hit_skips_front_end(tmp_path, cache_env):
    (tmp_path / "prog.sx").write_text(HARMONIC)
    assert run("run", "prog.sx", cwd=tmp_path).returncode == 0
    second = run("run", "prog.sx", cwd=tmp_path, importtime=True)
    imported = {line.rsplit("|", 1)[-1].strip() for line in second.stderr.splitlines()
                if line.startswith("import time:")}
    for module in ("lark", "sxc.parse", "sxc.typecheck", "sxc.codegen", "sxc.ast"):
        assert module not in imported


def test_hit_reprints_warnings(tmp_path, cache_env):
    (tmp_path / "prog.sx").write_text('#![colour = "blue"]\n' + HARMONIC)
    first = run("run", "prog.sx", cwd=tmp_path)
    second = run("run", "prog.sx", cwd=tmp_path)
    assert "unknown file setting `colour`" in first.stderr
    assert second.stderr == first.stderr
    assert second.stdout == first.stdout


def test_seed_applies_on_hit(tmp_path, cache_env):
    (tmp_path / "prog.sx").write_text(
        "fn main() {\n    let r = default_rng();\n    println!(\"{}\", r.next_u64());\n}\n")
    for seed in (0, 5, 0, 5):
        result = run("run", "prog.sx", "--seed", str(seed), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert int(result.stdout) == splitmix64(seed)
    assert len(entries(cache_env)) == 1


def test_options_miss(tmp_path, cache_env):
    (tmp_path / "prog.sx").write_text(HARMONIC)
    for count, flags in enumerate([[], ["-O0"], ["--mode", "release"], ["--tangents", "2"]],
                                  start=1):
        result = run("run", "prog.sx", *flags, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert float(result.stdout) == harmonic_sum(1000)
        assert len(entries(cache_env)) == count


def test_source_change_misses(tmp_path, cache_env):
    path = tmp_path / "prog.sx"
    path.write_text(HARMONIC)
    assert float(run("run", "prog.sx", cwd=tmp_path).stdout) == harmonic_sum(1000)
    path.write_text(HARMONIC.replace("1000", "10"))
    assert float(run("run", "prog.sx", cwd=tmp_path).stdout) == harmonic_sum(10)


def test_module_file_change_misses(tmp_path, cache_env):
    (tmp_path / "main.sx").write_text(
        "mod helper;\nfn main() {\n    println!(\"{}\", helper::value());\n}\n")
    helper = tmp_path / "helper.sx"
    helper.write_text("pub fn value() -> i64 { 6 * 7 }\n")
    assert run("run", "main.sx", cwd=tmp_path).stdout == "42\n"
    helper.write_text("pub fn value() -> i64 { 6 * 9 }\n")
    assert run("run", "main.sx", cwd=tmp_path).stdout == "54\n"


def test_new_module_file_misses(tmp_path, cache_env):
    (tmp_path / "main.sx").write_text(
        "mod helper;\nfn main() {\n    println!(\"{}\", helper::value());\n}\n")
    (tmp_path / "helper.sx").write_text("pub fn value() -> i64 { 1 }\n")
    assert run("run", "main.sx", cwd=tmp_path).stdout == "1\n"
    (tmp_path / "helper").mkdir()
    (tmp_path / "helper" / "mod.sx").write_text("pub fn value() -> i64 { 2 }\n")
    result = run("run", "main.sx", cwd=tmp_path)
    assert result.returncode == 1
    assert "the file of module `helper` is ambiguous" in result.stderr


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "empty", "pickle"])
def test_damaged_entry_recompiles(tmp_path, cache_env, damage):
    (tmp_path / "prog.sx").write_text(HARMONIC)
    assert run("run", "prog.sx", cwd=tmp_path).returncode == 0
    linked_entry_key(cache_env)
    [entry] = entries(cache_env)
    data = entry.read_bytes()
    if damage == "garbage":
        entry.write_bytes(b"not a cache entry")
    elif damage == "truncated":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "flipped":
        entry.write_bytes(data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:])
    elif damage == "empty":
        entry.write_bytes(b"")
    else:
        # a valid checksum over bytes that do not unpickle
        import hashlib
        payload = b"\x80\x05garbage"
        entry.write_bytes(cache.FORMAT + hashlib.sha256(payload).digest() + payload)
    key = entry.name[: -len(cache.ENTRY_SUFFIX)]
    assert cache.read_entry(key) is None
    result = run("run", "prog.sx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) == harmonic_sum(1000)
    assert cache.read_entry(key) is not None


def test_wrong_layout_ignored(cache_env):
    assert cache.write_entry("0" * 64, {"object": "not bytes"})
    assert cache.read_entry("0" * 64) is None


def _compile_and_call(source: str) -> float:
    return sxc.compile(source).area(3.0)


def test_concurrent_writers(cache_env):
    source = "fn area(r: f64) -> f64 { 3.0 * r * r }\n"
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        results = pool.map(_compile_and_call, [source] * 4)
    assert results == [27.0] * 4
    [entry] = entries(cache_env)
    key = entry.name[: -len(cache.ENTRY_SUFFIX)]
    assert cache.read_entry(key) is not None
    stored = {entry, cache.library_path(key)}
    leftovers = [p for p in (cache_env / cache.PROGRAMS_DIR).iterdir() if p not in stored]
    assert leftovers == []
    assert isinstance(sxc.compile(source)._compiled, cache.CachedProgram)


def test_unwritable_cache_dir(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("SXC_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.delenv("SXC_NO_CACHE", raising=False)
    (tmp_path / "prog.sx").write_text(HARMONIC)
    for _ in range(2):
        result = run("run", "prog.sx", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert float(result.stdout) == harmonic_sum(1000)


def test_no_cache_flag(tmp_path, cache_env):
    (tmp_path / "prog.sx").write_text(HARMONIC)
    result = run("run", "prog.sx", "--no-cache", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) == harmonic_sum(1000)
    assert entries(cache_env) == []


def test_no_cache_variable(tmp_path, cache_env, monkeypatch):
    monkeypatch.setenv("SXC_NO_CACHE", "1")
    (tmp_path / "prog.sx").write_text(HARMONIC)
    assert run("run", "prog.sx", cwd=tmp_path).returncode == 0
    assert entries(cache_env) == []


def test_api_hit_calls_functions(cache_env):
    source = "fn f(x: dual) -> dual { x * x.sin() }\nfn twice(n: i64) -> i64 { n * 2 }\n"
    first = sxc.compile(source)
    second = sxc.compile(source)
    assert not isinstance(first._compiled, cache.CachedProgram)
    assert isinstance(second._compiled, cache.CachedProgram)
    assert second.twice(-21) == -42
    y = second.f(sxc.Dual(2.0, 1.0))
    assert y == first.f(sxc.Dual(2.0, 1.0))
    with pytest.raises(AttributeError, match="no function `g`"):
        second.g


def test_api_hit_keeps_lanes(cache_env):
    source = "fn f(x: dual) -> dual { x * x }\n"
    sxc.compile(source, tangents=3)
    again = sxc.compile(source, tangents=3)
    assert isinstance(again._compiled, cache.CachedProgram)
    y = again.f(sxc.Dual(3.0, tangents=(1.0, 2.0, 0.5)))
    assert y.val == 9.0
    assert y.tangents == (6.0, 12.0, 3.0)


def test_api_cache_off(cache_env):
    source = "fn twice(n: i64) -> i64 { n * 2 }\n"
    sxc.compile(source, cache=False)
    assert entries(cache_env) == []


def test_key_follows_options():
    source = "fn main() {}\n"
    base = cache.program_key(source, "a.sx", Options())
    assert cache.program_key(source, "a.sx", Options(seed=7)) == base
    variants = [Options(opt_level=3), Options(mode="release"), Options(tangents=2),
                Options(mode="release", hard="threshold")]
    keys = {cache.program_key(source, "a.sx", options) for options in variants}
    assert base not in keys
    assert len(keys) == len(variants)
    assert cache.program_key(source, "b.sx", Options()) != base
    assert cache.program_key(source + " ", "a.sx", Options()) != base


def test_cache_dir_default(monkeypatch, tmp_path):
    monkeypatch.delenv("SXC_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "sxc"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / ".cache" / "sxc"


def run_without_shipped_parses(cwd: Path) -> subprocess.CompletedProcess:
    """Run `sxc run --no-cache prog.sx` as if the wheel contained no parsed library.

    An installed wheel loads the library's parse from its own files, so the
    toolchain file of the cache is used only without them.
    """
    code = ("import sys, sxc.prebuilt as shipped; shipped.read_library_parse = lambda name: None;"
            " from sxc.cli import main; sys.exit(main(['run', '--no-cache', 'prog.sx']))")
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                          text=True, timeout=600, env=env)


@pytest.mark.parametrize("damage", ["garbage", "fingerprint", "pickle"])
def test_damaged_library_parse_reparses(tmp_path, cache_env, damage):
    (tmp_path / "prog.sx").write_text(HARMONIC)
    assert run_without_shipped_parses(tmp_path).returncode == 0
    stored = cache_env / cache.TOOLCHAIN_DIR / "library-std.pickle"
    assert cache.read_toolchain_file("library-std") is not None
    if damage == "garbage":
        stored.write_bytes(b"not a cache file")
    elif damage == "fingerprint":
        cache._write_framed(stored, b"\0" * 32 + cache.read_toolchain_file("library-std"))
    else:
        cache.write_toolchain_file("library-std", b"\x80\x05garbage")
    result = run_without_shipped_parses(tmp_path)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) == harmonic_sum(1000)
    assert cache.unpickle_or_none(cache.read_toolchain_file("library-std")) is not None


def test_unloadable_object_recompiles(tmp_path, cache_env):
    (tmp_path / "prog.sx").write_text(HARMONIC)
    assert run("run", "prog.sx", cwd=tmp_path).returncode == 0
    key = linked_entry_key(cache_env)
    entry = cache.read_entry(key)
    entry["object"] = b"not an object file"
    entry["library"] = None
    assert cache.write_entry(key, entry)
    result = run("run", "prog.sx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) == harmonic_sum(1000)
    assert cache.read_entry(key)["object"] != b"not an object file"


# Prints a sum that Python checks, then fails a bounds check at run time.
SUM_THEN_PANIC = """
fn main() {
    let n: i64 = 1000;
    let mut total = 0.0;
    for k in 1..(n + 1) {
        let x = k as f64;
        total += 1.0 / (x * x);
    }
    println!("{}", total);
    let v: Vec<f64> = vec![1.0, 2.0];
    let i = n - 997;
    println!("{}", v[i]);
}
"""


def imported_modules(result: subprocess.CompletedProcess) -> set[str]:
    return {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()
            if line.startswith("import time:")}


def without_import_times(stderr: str) -> str:
    return "".join(line for line in stderr.splitlines(keepends=True)
                   if not line.startswith("import time:"))


def test_hit_loads_library_without_llvm(tmp_path, cache_env):
    (tmp_path / "prog.sx").write_text(HARMONIC)
    first = run("run", "prog.sx", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    key = linked_entry_key(cache_env)
    assert cache.library_path(key).is_file()
    second = run("run", "prog.sx", cwd=tmp_path, importtime=True)
    assert second.returncode == 0, second.stderr
    assert float(second.stdout) == harmonic_sum(1000)
    imported = imported_modules(second)
    assert "sxc.loaded" in imported
    assert "llvmlite.binding" not in imported
    assert "sxc.jit" not in imported


def test_library_and_jit_agree(tmp_path, cache_env, monkeypatch):
    (tmp_path / "prog.sx").write_text(SUM_THEN_PANIC)
    compiled = run("run", "prog.sx", cwd=tmp_path)
    from_library = run("run", "prog.sx", cwd=tmp_path, importtime=True)
    assert "llvmlite.binding" not in imported_modules(from_library)
    key = linked_entry_key(cache_env)
    entry = cache.read_entry(key)
    entry["library"] = None
    assert cache.write_entry(key, entry)
    # The library goes too: an entry that still named it would otherwise load it.
    cache.library_path(key).unlink()
    # Without a C compiler the entry keeps no library, so the hit uses the JIT.
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("CC", "no-such-compiler")
    from_jit = run("run", "prog.sx", cwd=tmp_path, importtime=True)
    assert "llvmlite.binding" in imported_modules(from_jit)
    lines = from_library.stdout.splitlines()
    assert float(lines[0]) == harmonic_sum(1000)
    assert len(lines) == 1
    assert "index out of bounds" in from_library.stderr
    for result in (compiled, from_library, from_jit):
        assert result.returncode == 101
        assert result.stdout == from_library.stdout
        assert without_import_times(result.stderr) == without_import_times(from_library.stderr)


@pytest.mark.parametrize("damage", ["garbage", "missing"])
def test_damaged_library_relinks(tmp_path, cache_env, damage):
    import hashlib

    (tmp_path / "prog.sx").write_text(HARMONIC)
    assert run("run", "prog.sx", cwd=tmp_path).returncode == 0
    key = linked_entry_key(cache_env)
    library = cache.library_path(key)
    if damage == "garbage":
        library.write_bytes(b"not a shared library")
    else:
        library.unlink()
    result = run("run", "prog.sx", cwd=tmp_path, importtime=True)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) == harmonic_sum(1000)
    assert "llvmlite.binding" not in imported_modules(result)
    digest = hashlib.sha256(library.read_bytes()).digest()
    assert cache.read_entry(key)["library"] == digest


def test_no_c_compiler_uses_jit(tmp_path, cache_env, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("CC", "no-such-compiler")
    (tmp_path / "prog.sx").write_text(HARMONIC)
    first = run("run", "prog.sx", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    [entry_file] = entries(cache_env)
    key = entry_file.name[: -len(cache.ENTRY_SUFFIX)]
    assert cache.read_entry(key)["library"] is None
    assert not cache.library_path(key).exists()
    second = run("run", "prog.sx", cwd=tmp_path, importtime=True)
    assert second.returncode == 0, second.stderr
    assert float(second.stdout) == harmonic_sum(1000)
    assert "llvmlite.binding" in imported_modules(second)


def test_same_program_twice_in_process(cache_env):
    source = "fn seeded() -> u64 { default_rng().next_u64() }\n"
    sxc.compile(source)
    first = sxc.compile(source, seed=5)
    second = sxc.compile(source, seed=7)
    assert isinstance(first._compiled, cache.CachedProgram)
    assert isinstance(second._compiled, cache.CachedProgram)
    assert first.seeded() == splitmix64(5)
    assert second.seeded() == splitmix64(7)


def test_entry_without_library_links_it(tmp_path, cache_env):
    (tmp_path / "prog.sx").write_text(HARMONIC)
    assert run("run", "prog.sx", cwd=tmp_path).returncode == 0
    key = linked_entry_key(cache_env)
    entry = cache.read_entry(key)
    entry["library"] = None
    assert cache.write_entry(key, entry)
    cache.library_path(key).unlink()
    result = run("run", "prog.sx", cwd=tmp_path, importtime=True)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) == harmonic_sum(1000)
    assert "llvmlite.binding" not in imported_modules(result)
    assert cache.read_entry(key)["library"] is not None
    assert cache.library_path(key).is_file()


def test_api_store_links_library(cache_env):
    sxc.compile("fn area(r: f64) -> f64 { 3.0 * r * r }\n")
    [entry_file] = entries(cache_env)
    key = entry_file.name[: -len(cache.ENTRY_SUFFIX)]
    assert cache.read_entry(key)["library"] is not None
    assert cache.library_path(key).is_file()


def test_time_limit_keeps_library(tmp_path, cache_env):
    # A loop that LLVM cannot prove finite, so the time limit stops it.
    (tmp_path / "prog.sx").write_text(
        'fn main() {\n    println("started");\n    let mut x: u64 = 1;\n    loop {\n'
        '        x = x * 6364136223846793005 + 1;\n        if x == 7 { break; }\n    }\n'
        '    println("{}", x);\n}\n')
    stopped = run("run", "--time-limit", "1", "prog.sx", cwd=tmp_path)
    assert stopped.returncode == 124, stopped.stderr
    assert stopped.stdout == "started\n"
    key = linked_entry_key(cache_env)
    stored = {cache.entry_path(key), cache.library_path(key)}
    leftovers = [p for p in (cache_env / cache.PROGRAMS_DIR).iterdir() if p not in stored]
    assert leftovers == []


def test_hit_quotes_module_warning_in_color(tmp_path, cache_env):
    (tmp_path / "main.sx").write_text("mod tools;\nfn main() {\n    println!(\"{}\", "
                                      "tools::twice(2.0));\n}\n")
    (tmp_path / "tools.sx").write_text("pub fn twice(x: f64) -> f64 {\n"
                                       "    let spare = 1;\n    2.0 * x\n}\n")
    first = run("run", "--color=always", "main.sx", cwd=tmp_path)
    second = run("run", "--color=always", "main.sx", cwd=tmp_path, importtime=True)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "sxc.parse" not in imported_modules(second)
    assert "unused variable" in second.stderr
    assert "let spare = 1;" in first.stderr
    assert "let spare = 1;" in second.stderr
    [entry_file] = entries(cache_env)
    assert cache.read_entry(entry_file.name[: -len(cache.ENTRY_SUFFIX)]) is not None
