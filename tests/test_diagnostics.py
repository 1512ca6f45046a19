"""Diagnostics of the real command line: location, message, quoted line, caret.

Each case writes a small bad program, runs `python -m sxc.cli check|run` in a
subprocess and reads stderr the way a user would.  The cases at the end are
hostile inputs that once produced a traceback, a crash or a wrong location.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest

import sxc
from conftest import caret_col, check_diagnostic


def sxc_cli(tmp_path, source, command="check", name="prog.sx", timeout=300):
    """Write `source` (text or bytes) to a file and run `sxc COMMAND FILE` on it."""
    path = tmp_path / name
    if isinstance(source, bytes):
        path.write_bytes(source)
    else:
        path.write_text(source, encoding="utf-8", newline="")
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    proc = subprocess.run([sys.executable, "-m", "sxc.cli", command, str(path)],
                          capture_output=True, text=True, errors="replace",
                          timeout=timeout, env=env, cwd=tmp_path)
    return path, proc


def no_traceback(proc) -> None:
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr[-3000:]



def expect_error(proc, path, line, col, fragment, source, help_text=None, code=None):
    """Check exit status 1 and a first diagnostic `path:line:col: error[CODE]: ...fragment...`."""
    no_traceback(proc)
    assert proc.returncode == 1, proc.stderr
    first = proc.stderr.split("\n\n")[0]
    check_diagnostic(first, path, line, col, fragment, source, help_text, code)


# --------------------------------------------------------------- compile errors

SOFT_ASSIGN = """\
fn main() {
    let x = dual::variable(0.5);
    let mut total = 0.0;
    if x.sigmoid() { total = 1.0; } else { }
    println!("{}", total);
}
"""

SOFT_PRINT = """\
fn main() {
    let x = dual::variable(0.5);
    let y = if x.sigmoid() { println!("hi"); x } else { x };
    println!("{}", y.val);
}
"""

SOFT_RETURN = """\
fn f(x: dual) -> dual {
    let y = if x.sigmoid() { return x; } else { x };
    y
}
fn main() {
    println!("{}", f(dual::variable(1.0)).val);
}
"""

# (id, source, line, col, message fragment, help fragment or None)
ERRORS = [
    ("syntax", "fn main() {\n    let x = 1 +;\n}\n", 2, 16, "syntax error", None),
    ("destructure_literal", "fn main() {\n    let mut a = 1;\n    (a, 1) = (2, 3);\n}\n",
     3, 9, "invalid left-hand side of assignment", None),
    ("impl_for_slice", "trait Total {\n    fn total(&self) -> i64;\n}\n"
     "impl Total for [i64] {\n    fn total(&self) -> i64 { 0 }\n}\nfn main() {}\n",
     4, 16, "sxc does not support implementing a trait for a slice, array or tuple type",
     "struct Wrapper"),
    ("array_repeat_of_vec", "fn main() {\n    let rows = [vec![0.0; 3]; 4];\n}\n",
     2, 17, "the trait `Copy` is not implemented for `Vec<f64>`", "vec![x; n]"),
    ("array_repeat_of_string", "fn main() {\n    let names = [String::new(); 2];\n}\n",
     2, 18, "the trait `Copy` is not implemented for `String`", "vec![x; n]"),
    ("assoc_const_missing", "struct G;\nimpl G {\n    const N: i64 = 2;\n}\n"
     "fn main() {\n    let x = G::M;\n}\n", 6, 13, "cannot find `G::M` in this scope", None),
    ("similar_local", "fn main() {\n    let total = 1.0;\n    println!(\"{}\", totl);\n}\n",
     3, 20, "cannot find value `totl`", "a local variable with a similar name exists: `total`"),
    ("similar_constant", "const LIMIT: i64 = 3;\nfn main() {\n    println!(\"{}\", LIMT);\n}\n",
     3, 20, "cannot find value `LIMT`", "a constant with a similar name exists: `LIMIT`"),
    ("similar_function", "fn helper() -> f64 { 1.0 }\nfn main() {\n    let x = helpr();\n}\n",
     3, 13, "cannot find value `helpr`", "a function with a similar name exists: `helper`"),
    ("similar_type_swapped", "fn main() {\n    let z: f46 = 1.0;\n}\n", 2, 12,
     "cannot find type `f46`", "a type with a similar name exists: `f64`"),
    ("similar_struct", "struct Point { x: f64 }\nfn f(p: Pont) -> f64 {\n    p.x\n}\n"
     "fn main() {}\n", 2, 9, "cannot find type `Pont`",
     "a type with a similar name exists: `Point`"),
    ("similar_method",
     "struct P { x: f64 }\nimpl P {\n    fn length(&self) -> f64 { self.x }\n}\n"
     "fn main() {\n    let p = P { x: 1.0 };\n    let n = p.lenght();\n}\n", 7, 15,
     "no method named `lenght`", "a method with a similar name exists: `length`"),
    ("raw_string_unterminated", "fn main() {\n    let s = r#\"abc\";\n}\n", 2, 13,
     "unterminated raw string", 'close the string with `"#`'),
    ("struct_literal_in_if_head",
     "struct W { x: i64 }\nfn main() {\n    let x = 1;\n    if x == W { x }.x {\n    }\n}\n",
     4, 20, "syntax error: unexpected `.`", None),
    ("loop_element_as_reference",
     "fn g(a: &f64) -> f64 {\n    *a\n}\nfn main() {\n    let v = vec![1.0];\n"
     "    for x in v.iter() {\n        let y: &f64 = x;\n        g(y);\n    }\n}\n",
     7, 23, "mismatched types: expected `&f64`, found `f64`", None),
    ("mut_string_borrow_of_immutable",
     "fn grow(out: &mut String) {\n    out.push_str(\"x\");\n}\nfn main() {\n"
     "    let s = String::new();\n    grow(&mut s);\n}\n",
     6, 10, "cannot assign to `s`, which is not mutable", "let mut s"),
    ("mut_string_param_given_shared",
     "fn grow(out: &mut String) {\n    out.push_str(\"x\");\n}\nfn main() {\n"
     "    let mut s = String::new();\n    grow(&s);\n}\n",
     6, 10, "mismatched types: expected `&mut String`, found `String`", None),
    ("let_read_before_assign", "fn main() {\n    let z: i64;\n    println!(\"{}\", z);\n}\n",
     3, 20, "used binding `z` isn't initialized", "assign `z` on every path before this use"),
    ("let_assigned_in_one_arm",
     "fn main() {\n    let z;\n    if args().len() > 3 {\n        z = 1;\n    }\n"
     "    println!(\"{}\", z);\n}\n",
     6, 20, "used binding `z` is possibly-uninitialized", None),
    ("let_assigned_twice", "fn main() {\n    let z;\n    z = 1;\n    z = 2;\n}\n",
     4, 5, "cannot assign twice to immutable variable `z`", "declare it with `let mut z`"),
    ("let_assigned_in_loop",
     "fn main() {\n    let z;\n    for i in 0..3 {\n        z = i;\n    }\n}\n",
     4, 9, "cannot assign twice to immutable variable `z`", None),
    ("let_compound_before_assign", "fn main() {\n    let mut z: i64;\n    z += 1;\n}\n",
     3, 5, "used binding `z` isn't initialized", None),
    ("let_never_assigned", "fn main() {\n    let z;\n}\n", 2, 9,
     "type annotations needed for `z`", "let z: f64;"),
    ("number_method_value_unknown", "fn main() {\n    let f = f64::sine;\n}\n", 2, 13,
     "no function or associated item named `sine` found for type `f64`", None),
    ("number_method_value_signed_only", "fn main() {\n    let f = u32::abs;\n}\n", 2, 13,
     "no function or associated item named `abs` found for type `u32`",
     "`abs` exists only for signed integer types"),
    ("number_function_value_call_only", "fn main() {\n    let f = f64::from_bits;\n}\n",
     2, 13, "sxc supports `f64::from_bits` only in a call, not as a function value",
     "call it inside a closure instead"),
    ("number_method_value_arity",
     "fn main() {\n    let f: fn(f64) -> f64 = f64::max;\n}\n", 2, 29,
     "mismatched types: expected `fn(f64) -> f64`, found `fn(f64, f64) -> f64`", None),
    ("vec_element_unknown", "fn main() {\n    let v = Vec::new();\n    let n = v.len();\n}\n",
     2, 13, "cannot infer the element type of this `Vec`", "Vec<f64>"),
    ("rev_with_argument", "fn main() {\n    for i in (0..3).rev(1) {\n    }\n}\n",
     2, 21, "`rev` takes 0 arguments, found 1", None),
    ("step_by_without_step", "fn main() {\n    for i in (0..3).step_by() {\n    }\n}\n",
     2, 21, "`step_by` takes 1 argument, found 0", None),
    ("clone_struct_with_vec",
     "struct M { data: Vec<f64> }\nfn main() {\n    let m = M { data: vec![1.0] };\n"
     "    let n = m.clone();\n}\n", 4, 15, "no method named `clone` found for struct `M`",
     None),
    ("clone_tuple_without_clone",
     "struct M { a: f64 }\nfn main() {\n    let t = (1, M { a: 1.0 });\n"
     "    let u = t.clone();\n}\n", 4, 15, "no method named `clone` found for struct `M`",
     "add `#[derive(Clone)]` above `struct M`"),
    ("lane_constant_past_last",
     "fn main() {\n    let x = dual::unit(1.0, 2);\n    println!(\"{}\", x.lane(2));\n}\n",
     2, 29, "lane 2 is out of range: the duals of this program have 1 tangent lane",
     "ask for more lanes with `#![tangents = 3]` at the top of the file, or with "
     "`--tangents 3`"),
    ("unknown_name", "fn main() {\n    let x = y + 1;\n}\n", 2, 13,
     "cannot find value `y`", None),
    ("mismatch", "fn main() {\n    let n: i64 = 3;\n    let y: f64 = n;\n}\n", 3, 18,
     "mismatched types: expected `f64`, found `i64`", "as"),
    ("arg_count", "fn f(a: i64) -> i64 { a }\nfn main() {\n    let z = f(1, 2);\n}\n",
     3, 13, "takes 1 argument but 2 were supplied", None),
    ("soft_assign", SOFT_ASSIGN, 4, 22, "a soft branch cannot assign to `total`", None),
    ("soft_print", SOFT_PRINT, 3, 30, "a soft branch cannot print", None),
    ("nested_entry_chain",
     "use std::collections::HashMap;\nfn main() {\n"
     "    let mut g: HashMap<u8, HashMap<u8, i32>> = HashMap::new();\n"
     "    *g.entry(1).or_default().entry(2).or_insert(0) += 3;\n}\n", 4, 30,
     "no method named `entry` found for struct `HashMap<u8, i32>`",
     "bind this one to a local first: `let inner = m.entry(k).or_default();`"),
    ("made_up_name_in_help",
     'fn main() {\n    let r = vec![Ok(1), Err("bad")];\n'
     "    let d: Result<Vec<i32>, &str> = r.into_iter().collect();\n}\n", 3, 37,
     "mismatched types: expected `i32`, found `i64`", "convert with `as`: `value as i32`"),
    ("soft_print_through_call",
     'fn show(x: f64) -> f64 {\n    println!("{}", x);\n    x\n}\n'
     "fn twice(x: f64) -> f64 {\n    2.0 * show(x)\n}\nfn main() {\n"
     "    let p = dual::variable(0.5);\n    let y: dual = if p { 1.0 } else { twice(3.0) };\n"
     '    println!("{}", y.val);\n}\n', 10, 39, "a soft branch cannot call `twice`, which prints",
     "print after the `if`"),
    ("soft_return", SOFT_RETURN, 2, 30, "a soft branch cannot `return`", None),
    ("main_and_script", 'fn main() {\n    println!("a");\n}\nprintln!("b");\n', 4, 1,
     "both `fn main` and top-level statements", "fn main"),
    ("fmt_missing_arg", 'fn main() {\n    let a = 1;\n    println!("{} and {}", a);\n}\n',
     3, 22, "format string refers to argument 2", None),
    ("fmt_unused_arg",
     'fn main() {\n    let a = 1;\n    let b = 2;\n    println!("{}", a, b);\n}\n',
     4, 23, "argument never used", "{}"),
    ("no_method", "fn main() {\n    let x = 2.0;\n    let y = x.frobnicate();\n}\n", 3, 15,
     "no method named `frobnicate`", None),
    ("missing_field",
     'struct P { x: f64, y: f64 }\nfn main() {\n    let p = P { x: 1.0 };\n'
     '    println!("{}", p.x);\n}\n', 3, 13, "missing field `y`", None),
    ("immutable", 'fn main() {\n    let a = 1;\n    a = 2;\n    println!("{}", a);\n}\n',
     3, 5, "cannot assign to `a`, which is not mutable", "let mut a"),
    ("dual_cast",
     'fn main() {\n    let d = dual::variable(1.0);\n    let f = d as f64;\n'
     '    println!("{}", f);\n}\n', 3, 13, "cannot cast `dual`", ".val"),
    ("format_string_escape", 'fn main() {\n    println!("a\\qb");\n}\n', 2, 16,
     "unknown character escape `\\q`", "for a backslash"),
    ("dual_cast_int",
     'fn main() {\n    let d = dual::variable(1.5);\n    let n = d as i64;\n'
     '    println!("{}", n);\n}\n', 3, 13, "cannot cast `dual`", ".val"),
    ("closure_in_vec",
     'fn main() {\n    let k = 2.0;\n    let v = vec![|x: f64| x * k];\n    println!("{}", v.len());\n}\n',
     3, 13, "a closure cannot be stored in a value of type", "do not escape"),
    ("soft_score_arm",
     'fn main() {\n    let p = dual::constant(0.3);\n'
     '    let v = if p { *soft_score() = dual::constant(5.0); 1.0 } else { 0.0 };\n'
     '    println!("{}", v);\n}\n',
     3, 20, "a soft branch cannot assign through a reference that a call returns", None),
    ("soft_lend_mut",
     'fn bump(c: &mut i64) { *c += 1; }\nfn main() {\n    let p = dual::constant(0.3);\n'
     '    let mut n = 0;\n    let w = if p { bump(&mut n); 1.0 } else { 0.0 };\n'
     '    println!("{} {}", w, n);\n}\n',
     5, 25, "a soft branch cannot lend `n`, which is declared outside it, as `&mut`", None),
    ("tangents_line", "// lanes\n\n#![tangents = 65]\nfn main() {\n}\n",
     3, 1, "#![tangents] must be a whole number from 0 to 64", None),
    ("mode_line", '// mode\n#![mode = "fast"]\nfn main() {\n}\n',
     2, 1, "unknown mode `fast`", 'mode = "train"'),
    ("tangents_char", "#![tangents = '8']\nfn main() {\n    println!(\"{}\", dual::lanes());\n}\n",
     1, 1, "#![tangents] must be a whole number from 0 to 64", "tangents = 8"),
    ("type_alias_cycle", "type Meters = Length;\ntype Length = Meters;\n"
     "fn main() {\n    let m: Meters = 1.0;\n}\n",
     1, 6, "the type alias `Meters` refers to itself", "write the type out"),
    ("type_alias_arg_count", "type Grid<T> = Vec<Vec<T>>;\n"
     "fn main() {\n    let g: Grid<f64, f64> = Vec::new();\n}\n",
     3, 12, "type alias `Grid` takes 1 generic argument but 2 were supplied", None),
    ("type_alias_private", "mod units {\n    type Meters = f64;\n}\n"
     "fn main() {\n    let m: units::Meters = 1.0;\n}\n",
     5, 19, "type alias `Meters` is private", "add `pub`"),
    ("tuple_struct_arity", "struct P(f64, f64);\nfn main() {\n    let p = P(1.0);\n}\n",
     3, 13, "this struct takes 2 fields but 1 was supplied", "one value for each field"),
    ("tuple_struct_pattern_type", "struct P(f64, f64);\nstruct Q(f64, f64);\n"
     "fn main() {\n    let P(a, b) = Q(1.0, 2.0);\n}\n",
     4, 9, "mismatched types: expected `Q`, found tuple struct `P`", None),
    ("tuple_struct_pattern_count", "struct P(f64, f64);\n"
     "fn main() {\n    let P(a) = P(1.0, 2.0);\n}\n",
     3, 9, "this pattern has 1 field, but the corresponding tuple struct has 2", None),
    ("tuple_struct_no_field", "struct P(f64, f64);\n"
     "fn main() {\n    let p = P(1.0, 2.0);\n    println!(\"{}\", p.2);\n}\n",
     4, 20, "no field `2` on type `P`", None),
    ("generic_struct_mismatch_name", "struct Pt<T> { x: T, y: T }\n"
     "fn f(p: Pt<f32>) -> f32 { p.x + p.y }\n"
     "fn main() {\n    let p = Pt { x: 1i64, y: 2 };\n    println!(\"{}\", f(p));\n}\n",
     5, 22, "mismatched types: expected `Pt<f32>`, found `Pt<i64>`", None),
    ("generic_struct_nested_name", "struct Pt<T> { x: T, y: T }\n"
     "fn main() {\n    let a = Pt { x: Pt { x: 1.0, y: 2.0 }, y: Pt { x: 3.0, y: 4.0 } };\n"
     "    let b: i64 = a;\n}\n",
     4, 18, "mismatched types: expected `i64`, found `Pt<Pt<f64>>`", None),
    ("partial_cmp_without_derive", "struct V { x: f64 }\nfn main() {\n"
     "    let a = V { x: 1.0 };\n    let o = a.partial_cmp(&a);\n}\n",
     4, 15, "no method named `partial_cmp` found for struct `V`",
     "add `#[derive(PartialOrd)]` above `struct V`"),
    ("cmp_on_float", "fn main() {\n    let o = 1.5f64.cmp(&2.0);\n}\n",
     2, 20, "no method named `cmp` found for `f64`", "use `a.total_cmp(&b)`"),
    ("labelled_block_plain_break", "fn main() {\n    let x = 'a: {\n        if true { break; }\n"
     "        1\n    };\n}\n", 3, 19, "unlabeled `break` inside of a labeled block",
     "add the block's label: `break 'a`"),
    ("labelled_block_continue", "fn main() {\n    'b: {\n        continue 'b;\n    }\n}\n",
     3, 9, "`continue` pointing to the labeled block `'b`", "leave the block with `break 'b`"),
    ("labelled_block_plain_continue", "fn main() {\n    for i in 0..2 {\n"
     "        'c: { if i == 0 { continue; } }\n    }\n}\n", 3, 27,
     "unlabeled `continue` inside of a labeled block", "leave the block with `break 'c`"),
    ("parse_target_printed", "fn main() {\n    let x = \"1\".parse().unwrap();\n"
     "    println!(\"{}\", x);\n}\n", 2, 13, "cannot infer the type to parse into",
     "write `s.parse::<f64>()`"),
    ("parse_target_operator", "fn main() {\n    let x = \"1\".parse().unwrap();\n"
     "    let y = x * 2.0;\n}\n", 2, 13, "cannot infer the type to parse into", None),
    ("parse_target_method", "fn main() {\n    let x = \"1\".parse().unwrap();\n"
     "    let y = x.abs();\n}\n", 2, 13, "cannot infer the type to parse into", None),
    ("parse_target_unwrap_or", "fn main() {\n    let g = \"x\".parse().unwrap_or(\"d\");\n}\n",
     2, 13, "cannot infer the type to parse into", "write `s.parse::<f64>()`"),
    ("break_value_types_differ", "fn main() {\n    let x = 'b: { if true { break 'b 1; } \"s\" };\n}\n",
     2, 17, "mismatched types: expected `i64`, found `&str`", None),
    ("break_value_after_plain", "fn main() {\n    let c = true;\n"
     "    let x = loop { if c { break; } break 1; };\n}\n", 3, 42,
     "mismatched types: expected `()`, found `i64`", "an earlier `break` of this loop has no value"),
    ("break_plain_after_value", "fn main() {\n    let c = true;\n"
     "    let y = loop { if c { break 2; } break; };\n}\n", 3, 38,
     "mismatched types: expected `i64`, found `()`", "give this `break` a value of type `i64`"),
    ("parse_with_argument", "fn main() {\n    let x: f64 = \"1\".parse(Some).unwrap();\n}\n",
     2, 18, "`parse` takes 0 arguments but 1 was supplied", "`s.parse::<f64>()`"),
    ("parse_target_string", "fn main() {\n    let x = \"1\".parse().unwrap();\n"
     "    let s: String = x;\n}\n", 2, 13, "sxc cannot parse a string into `String`", None),
]


# The code that each case of ERRORS reports; see `sxc explain CODE`.
ERROR_CODES = {
    "loop_element_as_reference": "SX0301", "mut_string_borrow_of_immutable": "SX0401",
    "mut_string_param_given_shared": "SX0301",
    "raw_string_unterminated": "SX0103", "struct_literal_in_if_head": "SX0101",
    "let_read_before_assign": "SX0405", "let_assigned_in_one_arm": "SX0405",
    "let_assigned_twice": "SX0401", "let_assigned_in_loop": "SX0401",
    "let_compound_before_assign": "SX0405", "let_never_assigned": "SX0304",
    "number_method_value_unknown": "SX0209", "number_method_value_signed_only": "SX0209",
    "number_function_value_call_only": "SX0801", "number_method_value_arity": "SX0301",
    "syntax": "SX0101", "vec_element_unknown": "SX0304", "rev_with_argument": "SX0302",
    "step_by_without_step": "SX0302", "clone_struct_with_vec": "SX0210",
    "clone_tuple_without_clone": "SX0210", "lane_constant_past_last": "SX0905",
    "unknown_name": "SX0201", "mismatch": "SX0301", "arg_count": "SX0302",
    "soft_assign": "SX0901", "soft_print": "SX0901", "soft_print_through_call": "SX0901", "made_up_name_in_help": "SX0301", "nested_entry_chain": "SX0210", "soft_return": "SX0901",
    "main_and_script": "SX0213", "fmt_missing_arg": "SX0603", "fmt_unused_arg": "SX0603",
    "no_method": "SX0210", "missing_field": "SX0312", "immutable": "SX0401",
    "dual_cast": "SX0902", "dual_cast_int": "SX0902", "closure_in_vec": "SX0803",
    "soft_score_arm": "SX0901", "format_string_escape": "SX0109",
    "soft_lend_mut": "SX0901", "tangents_line": "SX0904", "mode_line": "SX0904",
    "tangents_char": "SX0904", "similar_local": "SX0201", "similar_constant": "SX0201",
    "similar_function": "SX0201", "similar_type_swapped": "SX0202",
    "similar_struct": "SX0202", "similar_method": "SX0210",
    "destructure_literal": "SX0404", "assoc_const_missing": "SX0201",
    "array_repeat_of_vec": "SX0311", "array_repeat_of_string": "SX0311",
    "impl_for_slice": "SX0804",
    "type_alias_cycle": "SX0319", "type_alias_arg_count": "SX0303",
    "type_alias_private": "SX0204", "tuple_struct_arity": "SX0302",
    "tuple_struct_pattern_type": "SX0301", "tuple_struct_pattern_count": "SX0301",
    "tuple_struct_no_field": "SX0211", "generic_struct_mismatch_name": "SX0301",
    "generic_struct_nested_name": "SX0301", "partial_cmp_without_derive": "SX0210",
    "cmp_on_float": "SX0210", "labelled_block_plain_break": "SX0317",
    "labelled_block_continue": "SX0317", "labelled_block_plain_continue": "SX0317",
    "parse_target_printed": "SX0304", "parse_target_operator": "SX0304",
    "parse_target_method": "SX0304", "parse_target_string": "SX0801",
    "parse_target_unwrap_or": "SX0304", "parse_with_argument": "SX0302", "break_value_types_differ": "SX0301",
    "break_value_after_plain": "SX0301", "break_plain_after_value": "SX0301",
}


@pytest.mark.parametrize("name,source,line,col,fragment,help_text", ERRORS,
                         ids=[case[0] for case in ERRORS])
def test_compile_error(tmp_path, name, source, line, col, fragment, help_text):
    path, proc = sxc_cli(tmp_path, source)
    expect_error(proc, path, line, col, fragment, source, help_text, ERROR_CODES.get(name))


def test_every_error_case_has_code():
    missing = [case[0] for case in ERRORS if case[0] not in ERROR_CODES]
    assert missing == [], "add the code of each case to ERROR_CODES (`sxc explain`)"
    assert sorted(ERROR_CODES) == sorted(case[0] for case in ERRORS)


def test_fmt_caret_inside_string(tmp_path):
    source = 'fn main() {\n    let a = 1;\n    println!("{} and {}", a);\n}\n'
    path, proc = sxc_cli(tmp_path, source)
    text = source.splitlines()[2]
    col = caret_col(proc.stderr, 3, text)
    assert text.index('"') + 1 < col < text.rindex('"') + 1
    assert text[col - 1:col + 1] == "{}"


def test_soft_assign_help(tmp_path):
    path, proc = sxc_cli(tmp_path, SOFT_ASSIGN)
    assert "= help:" in proc.stderr
    assert "total = if" in proc.stderr


def test_errors_also_in_run(tmp_path):
    source = "fn main() {\n    let x = y + 1;\n}\n"
    path, proc = sxc_cli(tmp_path, source, command="run")
    expect_error(proc, path, 2, 13, "cannot find value `y`", source)
    assert proc.stdout == ""


def test_nested_fn_sees_no_locals(tmp_path):
    source = ("fn main() {\n    let k = 2.0;\n    fn f(x: f64) -> f64 { x * k }\n"
              "    println!(\"{}\", f(1.0));\n}\n")
    path, proc = sxc_cli(tmp_path, source)
    expect_error(proc, path, 3, 31, "cannot find value `k`", source)


# --------------------------------------------------------------- runtime errors

RUNTIME = [
    ("div_zero",
     'fn main() {\n    let a = args().len() as i64;\n    let b = a - 1;\n'
     '    println!("{}", a / b);\n}\n', 4, 20, "attempt to divide by zero"),
    ("index_oob",
     'fn main() {\n    let v = [1, 2, 3];\n    let i = args().len() + 5;\n'
     '    println!("{}", v[i]);\n}\n', 4, 20,
     "index out of bounds: the len is 3 but the index is 6"),
    ("parse_fail",
     'fn main() {\n    let s = "abc";\n    let x = s.parse::<f64>().unwrap();\n'
     '    println!("{}", x);\n}\n', 3, 13, "cannot parse `abc` as `f64`"),
    ("lane_past_last",
     'fn main() {\n    let k = args().len() + 2;\n    let x = dual::unit(1.0, k);\n'
     '    println!("{}", x.val);\n}\n', 3, 13,
     "panicked: lane index out of bounds: the dual has 1 tangent lane but the index is 3"),
]

LIBRARY_PANICS = [
    ("short_tour",
     "use simplex_training::{Annealer, LearnableSchedule};\n"
     "fn e(d: &[f64], t: &Vec<usize>) -> f64 { 0.0 }\n"
     "fn de(d: &[f64], t: &Vec<usize>, i: usize, j: usize) -> f64 { 0.0 }\n"
     "fn ap(t: &mut Vec<usize>, i: usize, j: usize) {}\n"
     "fn main() {\n    let mut a = Annealer::new(LearnableSchedule::default());\n"
     "    let d: Vec<f64> = Vec::new();\n"
     "    a.optimize_discrete(vec![0, 1], de, ap, e, &d, 10);\n}\n",
     "optimize_discrete needs a permutation of at least 3 elements, got 2"),
    ("release_pathwise",
     '#![mode = "release"]\nuse simplex_training::{LearnableSchedule, MetaOptimizer};\n'
     "fn f(x: &[dual]) -> dual { x[0] * x[0] }\n"
     "fn main() {\n    let mut m = MetaOptimizer::new(LearnableSchedule::default(), f)"
     '.estimator("pathwise");\n    m.step(&[1.0]);\n}\n',
     "the pathwise and score estimators need derivatives: compile in train mode"),
    ("no_tangents_pathwise",
     '#![tangents = 0]\nuse simplex_training::{LearnableSchedule, MetaOptimizer};\n'
     "fn f(x: &[dual]) -> dual { x[0] * x[0] }\n"
     "fn main() {\n    let mut m = MetaOptimizer::new(LearnableSchedule::default(), f)"
     '.estimator("pathwise");\n    m.step(&[1.0]);\n}\n',
     "the pathwise and score estimators need derivatives: compile in train mode with "
     "tangent lanes (not --tangents 0)"),
    ("no_start",
     "use simplex_training::{LearnableSchedule, MetaOptimizer};\n"
     "fn f(x: &[dual]) -> dual { x[0] * x[0] }\n"
     "fn main() {\n    let mut m = MetaOptimizer::new(LearnableSchedule::default(), f);\n"
     "    m.run_epoch();\n}\n",
     "a continuous MetaOptimizer needs a start state"),
    ("freeze_range",
     "use simplex_training::{LearnableSchedule, MetaOptimizer};\n"
     "fn f(x: &[dual]) -> dual { x[0] * x[0] }\n"
     "fn main() {\n    let m = MetaOptimizer::new(LearnableSchedule::default(), f).freeze(8);\n}\n",
     "a schedule has 8 parameters (0 to 7), so there is no parameter 8"),
    ("zero_smoothing",
     "use simplex_training::{LearnableSchedule, MetaOptimizer};\n"
     "fn f(x: &[dual]) -> dual { x[0] * x[0] }\n"
     "fn main() {\n    let mut m = MetaOptimizer::new(LearnableSchedule::default(), f)"
     ".smoothing(0.0);\n    m.step(&[1.0]);\n}\n",
     "the smoothing radius must be positive, got 0"),
]


@pytest.mark.parametrize("source,reason", [case[1:] for case in LIBRARY_PANICS],
                         ids=[case[0] for case in LIBRARY_PANICS])
def test_library_panic(tmp_path, source, reason):
    _, proc = sxc_cli(tmp_path, source, command="run")
    no_traceback(proc)
    assert proc.returncode == 101, proc.stderr
    assert "runtime error: panicked: " + reason in proc.stderr


@pytest.mark.parametrize("source,line,col,reason", [case[1:] for case in RUNTIME],
                         ids=[case[0] for case in RUNTIME])
def test_runtime_error(tmp_path, source, line, col, reason):
    path, proc = sxc_cli(tmp_path, source, command="run")
    no_traceback(proc)
    assert proc.returncode == 101, proc.stderr
    assert f"{path}:{line}:{col}: runtime error: {reason}" in proc.stderr


def test_unknown_file_setting_warns(tmp_path):
    source = '#![tangnets = 8]\n#![allow(dead_code)]\nfn main() {\n    println!("{}", 1);\n}\n'
    path, proc = sxc_cli(tmp_path, source, command="run")
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    assert f"{path}:1:1: warning[SXW001]: unknown file setting `tangnets`, which sxc " \
        "ignores" in proc.stderr
    assert "allow" not in proc.stderr


def test_mut_self_warning(tmp_path):
    source = ("struct C { n: i64 }\nimpl C {\n    fn bump(&mut self) { self.n = self.n + 1; }\n"
              "}\nfn main() {\n    let c = C { n: 0 };\n    c.bump();\n"
              '    println!("{}", c.n);\n}\n')
    path, proc = sxc_cli(tmp_path, source, command="run")
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.startswith(f"{path}:7:5: warning[SXW003]: `bump` takes `&mut self`")
    assert "let mut c" in proc.stderr
    assert caret_col(proc.stderr, 7, "    c.bump();") == 5


@pytest.mark.parametrize("source,stdout", [
    # `Some(ref mut inner)` borrows `o` mutably, so its `mut` is needed
    ("fn main() {\n    let mut o = Some(vec![1, 2]);\n"
     "    if let Some(ref mut inner) = o {\n        inner.push(3);\n    }\n"
     '    println!("{:?}", o);\n}\n', "Some([1, 2, 3])\n"),
    # `rows: &mut [Vec<f64>]` is a reference, so its items may change
    ("fn reset(rows: &mut [Vec<f64>]) {\n    rows[0].push(1.5);\n}\n"
     "fn main() {\n    let mut v = vec![vec![1.0]];\n    reset(&mut v);\n"
     '    println!("{:?}", v);\n}\n', "[[1.0, 1.5]]\n"),
], ids=["ref_mut_binding", "slice_parameter"])
def test_no_false_mutability_warning(tmp_path, source, stdout):
    path, proc = sxc_cli(tmp_path, source, command="run")
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == stdout
    assert "warning" not in proc.stderr, proc.stderr


# --------------------------------------------------------------- Python API

def test_api_compile_error():
    source = "fn f(n: i64) -> f64 {\n    let y: f64 = n;\n    y\n}\n"
    with pytest.raises(sxc.CompileError) as info:
        sxc.compile(source)
    first = info.value.diagnostics[0]
    assert first.severity == "error"
    assert (first.span.line, first.span.col) == (2, 18)
    assert "mismatched types" in first.message
    assert "as" in (first.help or "")


def test_api_runtime_error_recovers():
    module = sxc.compile("fn g(n: i64) -> i64 { 10 / n }\n"
                         "fn h(n: i64) -> i64 { n * 2 }\n"
                         "fn v(i: i64) -> i64 { let a = [1, 2]; a[i as usize] }\n")
    with pytest.raises(sxc.RuntimeError) as info:
        module.g(0)
    assert str(info.value).startswith("<string>:1:23: runtime error: attempt to divide by zero")
    assert module.h(21) == 42
    assert module.g(5) == 2
    with pytest.raises(sxc.RuntimeError, match="index out of bounds"):
        module.v(7)
    assert module.v(1) == 2


# --------------------------------------------------------------- hostile input

def test_empty_file(tmp_path):
    path, proc = sxc_cli(tmp_path, "", command="run")
    no_traceback(proc)
    assert proc.returncode == 0
    assert proc.stdout == ""


def test_bom_prefix(tmp_path):
    source = "\ufefffn main() {\n    let x = y;\n}\n"
    path, proc = sxc_cli(tmp_path, source)
    expect_error(proc, path, 2, 13, "cannot find value `y`", source.lstrip("\ufeff"))
    path, proc = sxc_cli(tmp_path, '\ufefffn main() { println!("hi"); }\n', command="run")
    assert proc.returncode == 0
    assert proc.stdout == "hi\n"


def test_crlf_line_endings(tmp_path):
    source = "fn main() {\r\n    let a = 1;\r\n    let b: f64 = a;\r\n}\r\n"
    path, proc = sxc_cli(tmp_path, source)
    expect_error(proc, path, 3, 18, "mismatched types", source)


def test_invalid_utf8(tmp_path):
    path, proc = sxc_cli(tmp_path, b'fn main() {\n    let s = "\xff\xfe";\n}\n')
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{path}:2:14: error[SX0002]: source file is not valid UTF-8")


def test_random_bytes(tmp_path):
    data = random.Random(7).randbytes(4000)
    path, proc = sxc_cli(tmp_path, data)
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{path}:")


@pytest.mark.parametrize("source,line,col,header", [
    ('fn main() {\n    let s = "abc;\n}\n', 2, 13,
     "error[SX0103]: unterminated string literal"),
    ("fn main() {\n    /* never closed\n}\n", 2, 5,
     "error[SX0104]: unterminated block comment"),
    ("fn main() {}\n/* never closed\n", 2, 1,
     "error[SX0104]: unterminated block comment"),
    ("fn", 1, 3, "error[SX0101]: syntax error: unexpected end of file"),
], ids=["string", "comment", "comment_at_end", "eof"])
def test_unterminated(tmp_path, source, line, col, header):
    path, proc = sxc_cli(tmp_path, source)
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{path}:{line}:{col}: {header}"), proc.stderr


@pytest.mark.parametrize("source,line,col,help_text", [
    ("fn main() {\n    /* outer /* inner */\n    let x = 1;\n}\n", 2, 5,
     "close the comment with `*/`"),
    ("fn main() {}\n// a /* in a line comment\n  /* a /* b\n", 3, 3,
     "block comments nest, and 1 more `/*` inside this comment is still open"),
    ("fn main() {}\n/* a /* b /* c */\n", 2, 1,
     "block comments nest, and 1 more `/*` inside this comment is still open"),
    ('fn main() {}\nconst S: &str = "/*";\n/* a /* b /* c\n', 3, 1,
     "and 2 more `/*` inside this comment are still open"),
], ids=["outer_open", "after_line_comment", "two_closed_of_three", "three_open"])
def test_unterminated_nested_comment(tmp_path, source, line, col, help_text):
    path, proc = sxc_cli(tmp_path, source)
    expect_error(proc, path, line, col, "unterminated block comment", source,
                 help_text=help_text, code="SX0104")


STRUCT_TURBOFISH = """\
struct P { x: i64 }
struct S<T> { v: T }
fn main() {
    let p = P::<i64> { x: 1 };
    let s = S::<i64, u8> { v: 2 };
    println!("{} {}", p.x, s.v);
}
"""


def test_struct_literal_turbofish_count(tmp_path):
    path, proc = sxc_cli(tmp_path, STRUCT_TURBOFISH)
    expect_error(proc, path, 4, 13, "struct `P` takes 0 generic arguments but 1 was supplied",
                 STRUCT_TURBOFISH, help_text="write `P { .. }` without `::<..>`", code="SX0303")
    second = proc.stderr.split("\n\n")[1]
    check_diagnostic(second, path, 5, 13, "struct takes 1 generic argument but 2 were supplied",
                     STRUCT_TURBOFISH, code="SX0303")


def test_main_exit_status(tmp_path):
    path, proc = sxc_cli(tmp_path, "fn main() -> i64 { 3 }\n", command="run")
    no_traceback(proc)
    assert proc.returncode == 3


def test_many_statements(tmp_path):
    source = "fn main() {\n    let mut x = 0;\n" + "    x = x + 1;\n" * 5000 + \
        '    println!("{}", x);\n}\n'
    path, proc = sxc_cli(tmp_path, source, command="run")
    no_traceback(proc)
    assert proc.returncode == 0
    assert proc.stdout == "5000\n"


# ------------------------------------------- inputs that once crashed or misled


def nested(depth, opening, inner, closing):
    return opening * depth + inner + closing * depth


DEEP = [
    ("parens_10000",
     "fn main() { let x = " + nested(10000, "(", "1", ")") + '; println!("{}", x); }\n'),
    ("parens_300",
     "fn main() { let x = " + nested(300, "(", "1", ")") + '; println!("{}", x); }\n'),
    ("sum_300", "fn main() { let x = " + " + ".join(["1"] * 300) + '; println!("{}", x); }\n'),
    ("sum_100000",
     "fn main() { let x = " + " + ".join(["1"] * 100000) + '; println!("{}", x); }\n'),
    ("blocks_200",
     "fn main() { let x = " + nested(200, "{ ", "1", " }") + '; println!("{}", x); }\n'),
    ("else_if_400",
     "fn f(x: i64) -> i64 {\n    if x == 0 { 0 }"
     + "".join(f" else if x == {i} {{ {i} }}" for i in range(1, 400))
     + " else { -1 }\n}\nfn main() { println!(\"{}\", f(3)); }\n"),
]


@pytest.mark.parametrize("source", [case[1] for case in DEEP], ids=[case[0] for case in DEEP])
def test_deep_nesting(tmp_path, source):
    path, proc = sxc_cli(tmp_path, source)
    no_traceback(proc)
    assert proc.returncode in (0, 1)


@pytest.mark.parametrize("escape", [r"\u{zz}", r"\u{110000}", r"\u{41", r"\xZZ", r"\x"],
                         ids=["u_hex", "u_range", "u_brace", "x_hex", "x_short"])
def test_bad_escape(tmp_path, escape):
    source = 'fn main() {\n    println!("' + escape + '");\n}\n'
    path, proc = sxc_cli(tmp_path, source)
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{path}:2:")


def test_surrogate_escape(tmp_path):
    path, proc = sxc_cli(tmp_path, 'fn main() {\n    println!("\\u{d800}");\n}\n',
                         command="run")
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{path}:2:")


def test_use_without_names(tmp_path):
    path, proc = sxc_cli(tmp_path, "use simplex_training;\nfn main() { }\n")
    no_traceback(proc)
    assert proc.returncode in (0, 1)


def test_two_use_lines(tmp_path):
    source = ("use simplex_training::Annealer;\nuse simplex_training::LearnableSchedule;\n"
              "fn main() { }\n")
    path, proc = sxc_cli(tmp_path, source)
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr[:2000]


def test_impl_unknown_type(tmp_path):
    path, proc = sxc_cli(tmp_path, "impl Foo { fn f(&self) { } }\nfn main() { }\n",
                         command="run")
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{path}:1:")


@pytest.mark.parametrize("source", [
    'const A: i64 = B;\nconst B: i64 = A;\nfn main() { println!("{}", A); }\n',
    'const A: i64 = A + 1;\nfn main() { println!("{}", A); }\n',
], ids=["pair", "self"])
def test_const_cycle(tmp_path, source):
    path, proc = sxc_cli(tmp_path, source, command="run")
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{path}:1:")


def test_recursive_struct(tmp_path):
    path, proc = sxc_cli(tmp_path, "struct A { a: A }\nfn main() { }\n", command="run")
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{path}:1:")


def test_soft_break(tmp_path):
    source = ("fn main() {\n    let p = dual::variable(0.5).sigmoid();\n    loop {\n"
              "        let y = if p { break; } else { p };\n    }\n}\n")
    path, proc = sxc_cli(tmp_path, source, command="run")
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{path}:4:")


def test_soft_deref_assign(tmp_path):
    source = ("fn set(r: &mut f64, p: dual) {\n    if p { *r = 1.0; } else { *r = 2.0; }\n}\n"
              "fn main() {\n    let mut x = 0.0;\n"
              "    set(&mut x, dual::variable(0.5).sigmoid());\n"
              '    println!("{}", x);\n}\n')
    path, proc = sxc_cli(tmp_path, source)
    no_traceback(proc)
    assert proc.returncode == 1
    assert "a soft branch cannot assign" in proc.stderr


def test_range_value(tmp_path):
    path, proc = sxc_cli(tmp_path, "fn main() {\n    let x = 1..2;\n}\n", command="run")
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{path}:2:")


def test_unknown_label(tmp_path):
    path, proc = sxc_cli(tmp_path, "fn main() {\n    loop { break 'nope; }\n}\n",
                         command="run")
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{path}:2:")


@pytest.mark.parametrize("decl", ["let x = 99999999999999999999999;",
                                  "let x: u64 = 18446744073709551616;",
                                  "let x: u8 = 256;"], ids=["i64", "u64", "u8"])
def test_literal_out_of_range(tmp_path, decl):
    source = "fn main() {\n    " + decl + '\n    println!("{}", x);\n}\n'
    path, proc = sxc_cli(tmp_path, source)
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{path}:2:")


def test_fmt_caret_after_escapes(tmp_path):
    source = 'fn main() {\n    let a = 1;\n    println!("\\t\\t{} {}", a);\n}\n'
    path, proc = sxc_cli(tmp_path, source)
    text = source.splitlines()[2]
    expect_error(proc, path, 3, text.rindex("{}") + 1, "refers to argument 2", source)


def test_fmt_caret_multiline(tmp_path):
    source = 'fn main() {\n    let a = 1;\n    println!("first \\\n{} {}", a);\n}\n'
    path, proc = sxc_cli(tmp_path, source)
    expect_error(proc, path, 4, 4, "refers to argument 2", source)


def test_cr_line_endings(tmp_path):
    source = "fn main() {\r    let x = y;\r}\r"
    path, proc = sxc_cli(tmp_path, source)
    no_traceback(proc)
    assert proc.returncode == 1
    first = proc.stderr.split("\n\n")[0]
    assert "let x = y;" in first


def test_form_feed_in_comment(tmp_path):
    source = "fn main() {\n    // page\x0cbreak\n    let x = y;\n}\n"
    path, proc = sxc_cli(tmp_path, source)
    expect_error(proc, path, 3, 13, "cannot find value `y`", source)


def test_if_without_else_value(tmp_path):
    source = ('fn main() {\n    let c = true;\n    let x = if c { 1 };\n'
              '    println!("{:?}", x);\n}\n')
    path, proc = sxc_cli(tmp_path, source)
    no_traceback(proc)
    assert proc.returncode == 1


def test_no_suggestion_for_distant_names(tmp_path):
    source = "fn main() {\n    let total = 1.0;\n    println!(\"{}\", zzzzzz);\n}\n"
    path, proc = sxc_cli(tmp_path, source)
    expect_error(proc, path, 3, 20, "cannot find value `zzzzzz`", source, None, "SX0201")
    assert "similar name" not in proc.stderr


def test_unknown_type_reports_no_mismatch(tmp_path):
    source = "struct Point { x: f64 }\nfn main() {\n    let q: Pont = Point { x: 1.0 };\n}\n"
    _, proc = sxc_cli(tmp_path, source)
    assert "cannot find type `Pont`" in proc.stderr
    assert "mismatched types" not in proc.stderr


def test_unknown_shift_operand_reports_once(tmp_path):
    source = ("fn main() {\n    let s = opaque_value(3u32);\n"
              "    println!(\"{}\", 1u32 << s);\n}\n")
    path, proc = sxc_cli(tmp_path, source)
    expect_error(proc, path, 2, 13, "cannot find", source, None, "SX0201")
    assert "cannot shift" not in proc.stderr


def test_byte_string_escape_errors(tmp_path):
    source = 'fn main() {\n    let a = b"x\\u{41}";\n}\n'
    path, proc = sxc_cli(tmp_path, source)
    expect_error(proc, path, 2, 16, "unicode escape in byte literal", source, None, "SX0109")
    source = 'fn main() {\n    let a = b"caf\u00e9";\n}\n'
    path, proc = sxc_cli(tmp_path, source)
    expect_error(proc, path, 2, 18, "non-ASCII character in byte literal", source, None,
                 "SX0703")


def test_push_while_iterating_rejected(tmp_path):
    source = ("fn main() {\n    let mut v = vec![1, 2];\n    for x in v.iter() {\n"
              "        v.push(*x);\n    }\n}\n")
    path, proc = sxc_cli(tmp_path, source)
    expect_error(proc, path, 4, 11, "cannot change `v` while the `for` loop iterates over it",
                 source, "loop over the indices", "SX0406")
    assert "the loop borrows it here" in proc.stderr


def test_field_changed_while_iterating(tmp_path):
    source = ("struct Bag { items: Vec<i32> }\nimpl Bag {\n    fn grow(&mut self) {\n"
              "        for x in &self.items {\n            self.items.clear();\n"
              "            let _ = x;\n        }\n    }\n}\nfn main() {}\n")
    path, proc = sxc_cli(tmp_path, source)
    expect_error(proc, path, 5, 24, "cannot change `self.items`", source, None, "SX0406")


def test_index_loop_may_change_sequence(tmp_path):
    source = ("fn main() {\n    let mut v = vec![1, 2];\n    for i in 0..v.len() {\n"
              "        v.push(i as i32);\n    }\n    for x in v.clone() {\n"
              "        v.push(x);\n    }\n    println!(\"{:?}\", v);\n}\n")
    _, proc = sxc_cli(tmp_path, source, command="run")
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "[1, 2, 0, 1, 1, 2, 0, 1]\n"


def test_reference_to_local_returned(tmp_path):
    source = ("fn make() -> &'static Vec<i32> {\n    let v = vec![1];\n    &v\n}\n"
              "fn main() {\n    println!(\"{:?}\", make());\n}\n")
    path, proc = sxc_cli(tmp_path, source)
    expect_error(proc, path, 3, 5, "cannot return a reference to the local variable `v`",
                 source, "return the value itself", "SX0407")


def test_reference_to_parameter_returned(tmp_path):
    source = ("fn tail(v: Vec<i32>) -> &'static [i32] {\n    if v.len() > 3 {\n"
              "        return &v[..2];\n    }\n    &v[1..]\n}\nfn main() {}\n")
    path, proc = sxc_cli(tmp_path, source)
    expect_error(proc, path, 3, 16, "cannot return a reference to the function parameter `v`",
                 source, None, "SX0407")
    assert proc.stderr.count("SX0407") == 2


def test_similar_name_distances():
    from sxc.diagnostics import similar_name

    assert similar_name("totl", ["total", "tot"]) == "tot"
    assert similar_name("Limit", ["LIMIT"]) == "LIMIT"
    assert similar_name("f46", ["f64", "i64"]) == "f64"
    assert similar_name("abc", ["xyz"]) is None
    assert similar_name("fmt_pad", ["__fmt_pad"]) is None
    assert similar_name("same", ["same"]) is None
