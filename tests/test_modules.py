"""Modules across files: loading, `use`, visibility, and every error they report.

Each case writes a small program of several files to a temporary folder and
compiles its main.sx in-process with the real pipeline.  The error cases check
the rendered diagnostic: location, message, the quoted line, the caret and the
help.  The multi-file programs that run are in tests/programs/mod_*.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import sxc
from sxc.diagnostics import CompileError
from sxc.driver import Options, compile_program, read_source
from conftest import check_diagnostic


def write(tmp_path, files: dict[str, str]):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path / "main.sx"


def compile_files(tmp_path, files: dict[str, str]):
    main = write(tmp_path, files)
    return compile_program(read_source(str(main)), str(main), Options(opt_level=0))


def first_error(tmp_path, files: dict[str, str]) -> str:
    with pytest.raises(CompileError) as info:
        compile_files(tmp_path, files)
    return info.value.render().split("\n\n")[0]



def expect(rendered: str, tmp_path, file: str, line: int, col: int, fragment: str,
           files: dict[str, str], help_text: str | None = None) -> None:
    """Check the first diagnostic's location, message, caret and help."""
    check_diagnostic(rendered, tmp_path / file, line, col, fragment, files[file], help_text)


def run_main(compiled, capfd) -> str:
    from sxc.cli import run_compiled
    status = run_compiled(compiled, [compiled.path])
    assert status == 0
    return capfd.readouterr().out


# --------------------------------------------------------------- programs that compile

GEOMETRY = {
    "main.sx": "mod geometry;\nuse geometry::{area, Point};\n"
               "fn main() {\n    let p = Point::new(2.0, 3.0);\n"
               "    println!(\"{}\", area(&p));\n}\n",
    "geometry.sx": "pub struct Point { pub x: f64, pub y: f64 }\n"
                   "impl Point {\n    pub fn new(x: f64, y: f64) -> Point { Point { x: x, y: y } }\n}\n"
                   "pub fn area(p: &Point) -> f64 { p.x * p.y }\n",
}


def test_module_file_runs(tmp_path, capfd):
    compiled = compile_files(tmp_path, GEOMETRY)
    assert run_main(compiled, capfd) == "6\n"


def test_module_in_folder_mod_file(tmp_path, capfd):
    files = {"main.sx": "mod calc;\nfn main() { println!(\"{}\", calc::twice(calc::inner::one())); }\n",
             "calc/mod.sx": "pub mod inner;\npub fn twice(x: i64) -> i64 { 2 * x }\n",
             "calc/inner.sx": "pub fn one() -> i64 { super::twice(0) + 1 }\n"}
    assert run_main(compile_files(tmp_path, files), capfd) == "2\n"


def test_api_compiles_module_path(tmp_path):
    files = dict(GEOMETRY)
    files["main.sx"] = ("mod geometry;\npub fn corner_area(x: f64) -> f64 "
                        "{ geometry::area(&geometry::Point::new(x, x)) }\n"
                        "fn main() { }\n")
    main = write(tmp_path, files)
    module = sxc.compile(str(main))
    assert module.corner_area(3.0) == 9.0


def test_cli_check_and_build(tmp_path):
    main = write(tmp_path, GEOMETRY)
    check = subprocess.run([sys.executable, "-m", "sxc.cli", "check", str(main)],
                           capture_output=True, text=True, cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    exe = tmp_path / "prog"
    build = subprocess.run([sys.executable, "-m", "sxc.cli", "build", str(main), "-o", str(exe)],
                           capture_output=True, text=True, cwd=tmp_path)
    assert build.returncode == 0, build.stderr
    ran = subprocess.run([str(exe)], capture_output=True, text=True)
    assert ran.stdout == "6\n"


def test_lowered_program_is_one_file(tmp_path):
    from sxc.printer import print_program
    compiled = compile_files(tmp_path, GEOMETRY)
    text = print_program(compiled.program)
    assert "struct Point__geometry" in text
    assert "mod " not in text
    again = compile_program(text, str(tmp_path / "lowered.sx"), Options(opt_level=0))
    assert "area__geometry" in again.program.functions


def test_local_shadows_imported_function(tmp_path, capfd):
    files = dict(GEOMETRY)
    files["main.sx"] = ("mod geometry;\nuse geometry::area;\n"
                        "fn main() {\n    let area = 4.0;\n    println!(\"{}\", area);\n}\n")
    assert run_main(compile_files(tmp_path, files), capfd) == "4\n"


def test_std_imports(tmp_path, capfd):
    files = {"main.sx": "use std::f64::consts::PI;\nuse std::process;\n"
                        "fn main() {\n    println!(\"{:.4}\", PI);\n    process::exit(0);\n}\n"}
    assert run_main(compile_files(tmp_path, files), capfd) == "3.1416\n"


def test_module_and_function_share_a_name(tmp_path, capfd):
    files = {"main.sx": "mod stats;\nfn stats() -> i64 { 1 }\n"
                        "fn main() { println!(\"{}\", stats() + stats::two()); }\n",
             "stats.sx": "pub fn two() -> i64 { 2 }\n"}
    assert run_main(compile_files(tmp_path, files), capfd) == "3\n"


# --------------------------------------------------------------- the prelude shadowed

MASK64 = (1 << 64) - 1


def splitmix64_u01(seed: int, count: int) -> list[float]:
    """Return the first `count` draws of the language's `Rng` from `seed`, in Python."""
    state, draws = seed, []
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        z ^= z >> 31
        draws.append((z >> 11) * 2.0 ** -53)
    return draws


# The user's `Rng` shadows the prelude's; `default_rng()` and the draws of a
# soft branch in release mode still use the prelude's splitmix64 stream.
OWN_RNG = {"main.sx": """#![mode = "release"]
#[derive(Debug)]
struct Rng { calls: u64 }
impl Rng {
    fn new() -> Rng { Rng { calls: 0 } }
    fn u01(&mut self) -> f64 { self.calls += 1; 0.5 }
}
fn main() {
    let mut mine = Rng::new();
    let half = mine.u01();
    let prelude: &mut std::Rng = default_rng();
    let first = prelude.u01();
    let p = dual::constant(2.0);
    let taken = if p { 1 } else { 0 };
    println!("{:?} {} {:?} {}", mine, half, first, taken);
    println!("{:?}", default_rng().u01());
}
"""}


def test_user_struct_shadows_prelude_rng(tmp_path, capfd):
    from sxc.printer import print_program
    # the soft branch takes the third draw: seed 0, no `--seed`
    first, _, third = splitmix64_u01(0, 3)
    expected = f"Rng {{ calls: 1 }} 0.5 {first!r} 1\n{third!r}\n"
    compiled = compile_files(tmp_path, OWN_RNG)
    assert run_main(compiled, capfd) == expected
    lowered = print_program(compiled.program)
    assert "std::Rng" in lowered
    again = compile_program(lowered, str(tmp_path / "lowered.sx"), Options(opt_level=0))
    assert run_main(again, capfd) == expected


def test_library_keeps_prelude_rng(tmp_path, capfd):
    files = {"main.sx": """use simplex_training::{Annealer, LearnableSchedule};
struct Rng { calls: u64 }
fn energy(x: &[dual]) -> dual { (x[0] - 3.0) * (x[0] - 3.0) }
fn main() {
    let mut a = Annealer::new(LearnableSchedule::default());
    let best = a.optimize(vec![0.0], energy, 4000);
    let r = Rng { calls: 7 };
    println!("{} {}", r.calls, (best[0] - 3.0).abs() < 0.5);
}
"""}
    assert run_main(compile_files(tmp_path, files), capfd) == "7 true\n"


def test_user_struct_defined_twice_still_clashes(tmp_path):
    files = {"main.sx": "struct Rng { a: u64 }\nstruct Rng { b: u64 }\nfn main() { }\n"}
    rendered = first_error(tmp_path, files)
    expect(rendered, tmp_path, "main.sx", 2, 1, "the struct `Rng` is defined more than once",
           files)


# --------------------------------------------------------------- errors

MISSING = {"main.sx": "mod solver;\nfn main() { }\n"}


def test_missing_module_file(tmp_path):
    rendered = first_error(tmp_path, MISSING)
    expect(rendered, tmp_path, "main.sx", 1, 5, "file not found for module `solver`", MISSING)
    assert "solver.sx" in rendered
    assert os.path.join("solver", "mod.sx") in rendered


def test_module_file_ambiguous(tmp_path):
    files = {"main.sx": "mod a;\nfn main() { }\n", "a.sx": "", "a/mod.sx": ""}
    rendered = first_error(tmp_path, files)
    expect(rendered, tmp_path, "main.sx", 1, 5, "the file of module `a` is ambiguous",
           files, "delete or rename one of them")


def test_module_cycle_on_main(tmp_path):
    files = {"main.sx": "mod main;\nfn main() { }\n"}
    rendered = first_error(tmp_path, files)
    expect(rendered, tmp_path, "main.sx", 1, 5, "cycle of module files", files)


def test_module_cycle_through_symlink(tmp_path):
    files = {"main.sx": "mod a;\nfn main() { }\n", "a.sx": "mod b;\n"}
    write(tmp_path, files)
    (tmp_path / "a").mkdir()
    os.symlink(tmp_path / "a.sx", tmp_path / "a" / "b.sx")
    rendered = first_error(tmp_path, files)
    expect(rendered, tmp_path, "a.sx", 1, 5, "module `b` is part of a cycle", files)
    assert "a.sx -> " in rendered


def test_module_declared_twice(tmp_path):
    files = {"main.sx": "mod b;\nmod b;\nfn main() { }\n", "b.sx": ""}
    rendered = first_error(tmp_path, files)
    expect(rendered, tmp_path, "main.sx", 2, 5, "the module `b` is declared more than once",
           files, "remove one of the `mod` declarations")
    assert "first declared here" in rendered


def test_struct_and_module_clash(tmp_path):
    files = {"main.sx": "mod b;\nstruct b { x: f64 }\nfn main() { }\n", "b.sx": ""}
    rendered = first_error(tmp_path, files)
    expect(rendered, tmp_path, "main.sx", 2, 1, "the name `b` is defined more than once",
           files)


B_FILE = "fn secret() -> i64 { 1 }\npub fn open() -> i64 { 2 }\n" \
         "pub struct S { pub a: i64, b: i64 }\n" \
         "impl S {\n    pub fn new() -> S { S { a: 1, b: 2 } }\n    fn hidden(&self) -> i64 { self.b }\n}\n"


@pytest.mark.parametrize("main,line,col,fragment,help_text", [
    ("mod b;\nuse b::nothing;\nfn main() { }\n", 2, 8,
     "cannot find `nothing` in module `b`", "module `b` declares: `S`, `open`, `secret`"),
    ("use nosuch::x;\nfn main() { }\n", 1, 5, "unresolved import `nosuch::x`",
     "declare it with `mod nosuch;`"),
    ("mod b;\nuse b::secret;\nfn main() { }\n", 2, 8, "function `secret` is private",
     "`secret` is declared without `pub` in module `b`"),
    ("mod b;\nfn main() {\n    let x = b::secret();\n}\n", 3, 16,
     "function `secret` is private", "add `pub` to use it from another module"),
    ("mod b;\nfn main() {\n    let x = b::S::hidden(&b::S::new());\n}\n", 3, 19,
     "method `hidden` is private", "`hidden` is declared without `pub` in module `b`"),
    ("mod b;\nfn main() {\n    let x = b::S::new().hidden();\n}\n", 3, 25,
     "method `hidden` is private", None),
    ("mod b;\nfn main() {\n    let x = b::S::new().b;\n}\n", 3, 25,
     "field `b` of struct `b::S` is private", None),
    ("mod b;\nfn main() {\n    let s = b::S { a: 1, b: 2 };\n}\n", 3, 29,
     "field `b` of struct `b::S` is private", None),
    ("use super::x;\nfn main() { }\n", 1, 5, "`super` used in the crate root",
     "use `crate::` to start at the root"),
    ("use self;\nfn main() { }\n", 1, 5, "`use self;` imports nothing", None),
    ("mod b;\nuse b::open;\nfn open() { }\nfn main() { }\n", 2, 5,
     "the name `open` is defined more than once", "import it under another name"),
    ("mod b;\nuse b::S::*;\nfn main() { }\n", 2, 5,
     "cannot import everything from the struct `S`", None),
    ("mod b;\nuse b::open::x;\nfn main() { }\n", 2, 5, "unresolved import `b::open::x`", None),
], ids=["unknown-item", "unknown-module", "private-use", "private-path", "private-method-path",
        "private-method-call", "private-field", "private-field-literal", "super-at-root",
        "use-self", "import-clash", "glob-of-struct", "path-through-function"])
def test_use_error(tmp_path, main, line, col, fragment, help_text):
    files = {"main.sx": main, "b.sx": B_FILE}
    rendered = first_error(tmp_path, files)
    expect(rendered, tmp_path, "main.sx", line, col, fragment, files, help_text)


def test_private_item_note_points_at_declaration(tmp_path):
    files = {"main.sx": "mod b;\nfn main() { let x = b::secret(); }\n", "b.sx": B_FILE}
    rendered = first_error(tmp_path, files)
    assert f"{tmp_path / 'b.sx'}:1:4: note: `secret` is declared here" in rendered


def test_root_item_needs_import_in_module(tmp_path):
    files = {"main.sx": "mod b;\nfn helper() -> i64 { 1 }\nfn main() { }\n",
             "b.sx": "pub fn f() -> i64 {\n    helper()\n}\n"}
    rendered = first_error(tmp_path, files)
    expect(rendered, tmp_path, "b.sx", 2, 5, "cannot find function `helper` in this scope",
           files, "use crate::helper;")


def test_statements_in_module_file(tmp_path):
    files = {"main.sx": "mod b;\nfn main() { }\n", "b.sx": "let x = 1;\n"}
    rendered = first_error(tmp_path, files)
    expect(rendered, tmp_path, "b.sx", 1, 1,
           "statements outside a function are allowed only in the program's main file", files)


def test_syntax_error_in_module_file(tmp_path):
    files = {"main.sx": "mod b;\nfn main() { }\n", "b.sx": "pub fn f( {\n"}
    rendered = first_error(tmp_path, files)
    assert rendered.startswith(f"{tmp_path / 'b.sx'}:1:"), rendered


def test_unsupported_std_type(tmp_path):
    files = {"main.sx": "use std::rc::Rc;\nfn main() { }\n"}
    rendered = first_error(tmp_path, files)
    expect(rendered, tmp_path, "main.sx", 1, 5, "sxc does not support `Rc`", files,
           "store the value directly, or index into a `Vec`")


def test_cli_reports_missing_module_without_traceback(tmp_path):
    main = write(tmp_path, MISSING)
    proc = subprocess.run([sys.executable, "-m", "sxc.cli", "run", str(main)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "file not found for module `solver`" in proc.stderr
