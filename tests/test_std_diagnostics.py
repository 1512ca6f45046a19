"""Diagnostics of range slices, rewritten sequence loops and `String::from`."""

from __future__ import annotations

import pytest

from conftest import check_diagnostic
from sxc.diagnostics import CompileError
from sxc.driver import Options, compile_program
from test_diagnostics import expect_error, sxc_cli

# (id, source, line, col, message fragment, help fragment or None)
ERRORS = [
    ("box_from_value", "fn main() {\n    let b: Box<i32> = 5;\n}\n",
     2, 23, "mismatched types: expected `Box<i32>`, found `i32`", "`Box::new(5)`"),
    ("box_from_reference", "fn main() {\n    let x = 1.0;\n    let b: Box<f64> = &x;\n}\n",
     3, 23, "mismatched types: expected `Box<f64>`, found `&f64`", None),
    ("hashmap_float_key",
     "use std::collections::HashMap;\nfn main() {\n    let m: HashMap<f64, i32> = HashMap::new();\n"
     "    println!(\"{}\", m.len());\n}\n",
     3, 20, "the trait `Hash` is not implemented for `f64`", "`#[derive(Hash)]` structs"),
    ("btreemap_float_key",
     "use std::collections::BTreeMap;\nfn main() {\n    let m: BTreeMap<f64, i32> = BTreeMap::new();\n"
     "    println!(\"{}\", m.len());\n}\n",
     3, 21, "the trait `Ord` is not implemented for `f64`", "`#[derive(PartialOrd, Ord)]` structs"),
    ("btreeset_unordered_struct",
     "use std::collections::BTreeSet;\n#[derive(PartialEq)]\nstruct P { x: i32 }\nfn main() {\n"
     "    let s: BTreeSet<P> = BTreeSet::new();\n    println!(\"{}\", s.len());\n}\n",
     5, 21, "the trait `Ord` is not implemented for `P`", None),
    ("btreeset_vec_item",
     "use std::collections::BTreeSet;\nfn main() {\n    let s: BTreeSet<Vec<f64>> = BTreeSet::new();\n"
     "    println!(\"{}\", s.len());\n}\n",
     3, 21, "the trait `Ord` is not implemented for `Vec<f64>`",
     "enums that derive `Ord`, and tuples, arrays, `Vec`s"),
    ("hashmap_get_mut_let",
     "use std::collections::HashMap;\nfn main() {\n    let mut m: HashMap<i32, i32> = HashMap::new();\n"
     "    let v = m.get_mut(&1);\n}\n",
     4, 15, "no method named `get_mut` found for struct `HashMap<i32, i32>`",
     "sxc has no `Option<&mut V>`"),
    ("box_new_arity", "fn main() {\n    let b = Box::new();\n}\n",
     2, 13, "`Box::new` takes 1 argument but 0 were supplied", None),
    ("slice_of_int", "fn main() {\n    let x = 5;\n    let s = &x[1..2];\n}\n",
     3, 14, "cannot slice a value of type `i64`", None),
    ("iter_mut_of_int",
     "fn main() {\n    let x = 5;\n    for y in x.iter_mut() {\n    }\n}\n",
     3, 14, "cannot iterate over a value of type `i64`", None),
    ("iter_mut_not_mut",
     "fn main() {\n    let v = vec![1];\n    for y in &mut v {\n        *y += 1;\n    }\n}\n",
     3, 19, "cannot borrow `v` as mutable", "let mut v"),
    ("zip_of_int",
     "fn main() {\n    let v = vec![1];\n    let n = 3;\n"
     "    for (a, b) in v.iter().zip(n.iter()) {\n    }\n}\n",
     4, 32, "cannot iterate over a value of type `i64`", None),
    ("string_from_int", "fn main() {\n    let s = String::from(5);\n}\n",
     2, 26, "`String::from` takes a string, not `i64`", "to_string"),
    ("sort_floats", "fn main() {\n    let mut v = vec![2.0, 1.0];\n    v.sort();\n}\n",
     3, 7, "`sort` needs elements with a total order, not `f64`", "NaN"),
    ("insert_on_array", "fn main() {\n    let mut a = [1, 2];\n    a.insert(0, 3);\n}\n",
     3, 7, "no method named `insert` found for `[i64; 2]`", "only for `Vec`"),
    ("extend_wrong_elem",
     "fn main() {\n    let mut v: Vec<i64> = vec![1];\n    let w: Vec<f64> = vec![1.0];\n"
     "    v.extend(w);\n}\n",
     4, 14, "`extend` takes a sequence of `i64`", None),
    ("push_str_not_mut",
     'fn main() {\n    let s = String::new();\n    s.push_str("a");\n}\n',
     3, 5, "cannot assign to `s`, which is not mutable", "let mut s"),
    ("push_str_number",
     'fn main() {\n    let mut s = String::new();\n    s.push_str(5);\n}\n',
     3, 16, "mismatched types", None),
    ("string_pop_not_mut",
     'fn main() {\n    let s = String::from("ab");\n    let c = s.pop();\n}\n',
     3, 13, "cannot assign to `s`, which is not mutable", "let mut s"),
    ("string_unknown_method",
     'fn main() {\n    let mut s = String::new();\n    s.retain(5);\n}\n',
     3, 7, "no method named `retain` found for `&str`", "`insert_str`"),
    ("truncate_not_mut",
     'fn main() {\n    let s = String::from("ab");\n    s.truncate(1);\n}\n',
     3, 5, "cannot assign to `s`, which is not mutable", "let mut s"),
    ("insert_char_number",
     'fn main() {\n    let mut s = String::new();\n    s.insert(0, 5);\n}\n',
     3, 17, "mismatched types", None),
    ("retain_not_mut",
     'fn main() {\n    let v = vec![1, 2];\n    v.retain(|x| *x > 1);\n}\n',
     3, 5, "cannot assign to `v`, which is not mutable", "let mut v"),
    ("retain_not_closure",
     'fn main() {\n    let mut v = vec![1, 2];\n    v.retain(5);\n}\n',
     3, 5, "expected function, found `i64`", None),
    ("swap_wrong_count",
     'fn main() {\n    let mut a = 1;\n    std::mem::swap(&mut a);\n}\n',
     3, 5, "`std::mem::swap` takes 2 arguments but 1 was supplied", None),
    ("join_numbers",
     'fn main() {\n    let v = vec![1, 2];\n    let s = v.join(",");\n}\n',
     3, 15, "no method named `join` found for `Vec<i64>`", None),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_error(tmp_path, case):
    _, source, line, col, fragment, help_text = case
    path, proc = sxc_cli(tmp_path, source)
    expect_error(proc, path, line, col, fragment, source, help_text)


# Misused forms of the sequence methods that the type checker rewrites, checked
# in this process: (id, statement in `main`, column, message fragment)
REWRITTEN = [
    ("drain_index", "v.drain(1);", 7, "`drain` takes a range, such as `a..b`, `a..` or `..`"),
    ("rotate_no_count", "v.rotate_left();", 7, "`rotate_left` takes 1 argument but 0 were"),
    ("dedup_by_key_no_key", "v.dedup_by_key();", 7,
     "`dedup_by_key` takes 1 argument but 0 were supplied"),
    ("pop_front_argument", "v.pop_front(3);", 7, "`pop_front` takes 0 arguments but 1 was"),
    ("push_front_two", "v.push_front(1, 2);", 7, "`push_front` takes 1 argument but 2 were"),
]


@pytest.mark.parametrize("case", REWRITTEN, ids=[c[0] for c in REWRITTEN])
def test_rewritten_method_misuse(case):
    _, statement, col, fragment = case
    source = f"fn main() {{\n    let mut v = vec![1, 2];\n    {statement}\n}}\n"
    with pytest.raises(CompileError) as info:
        compile_program(source, "prog.sx", Options(opt_level=0))
    check_diagnostic(info.value.render().split("\n\n")[0], "prog.sx", 3, col, fragment,
                     source, None)
