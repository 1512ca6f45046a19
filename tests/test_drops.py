"""Local `Vec`s and strings freed at the end of their scope (`sxc.drops`).

The analysis must free a `Vec` or a string only when nothing else refers to
it: these
tests check which locals it frees, that programs which leaked a `Vec` per
loop turn now run in bounded memory, and that moves sxc accepts but Rust
rejects never free a `Vec` twice.  `tests/programs/memory_vec_drops.sx`
checks the output of every exit path against rustc.
"""

from __future__ import annotations

import dataclasses

import pytest

import sxc
from sxc import ast
from sxc.driver import Options, compile_program
from tests.conftest import heap_bytes_in_use


def dropped(source: str, function: str = "main") -> set[str]:
    """Return the names of the locals of `function` that compiled code frees."""
    compiled = compile_program(source, "drops.sx", Options())
    compiled.llvm_ir  # the analysis runs with code generation
    names: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, ast.Let) and getattr(node, "drop", False):
            names.add(node.pattern.name)
        if dataclasses.is_dataclass(node):
            for f in dataclasses.fields(node):
                value = getattr(node, f.name)
                for item in value if isinstance(value, (list, tuple)) else [value]:
                    for part in item if isinstance(item, tuple) else [item]:
                        if dataclasses.is_dataclass(part) and not isinstance(part, type):
                            walk(part)

    walk(compiled.program.functions[function].body)
    return {n for n in names if not n.startswith("__")}


CASES = [
    ("new_and_read", "let v = vec![1.0; 4];\n    println!(\"{}\", v[0] + v.len() as f64);",
     {"v"}),
    ("clone_and_borrow", "let v = vec![1.0; 4];\n    let w = v.clone();\n"
                         "    println!(\"{}\", total(&w) + total(&v[1..]));", {"v", "w"}),
    ("collect", "let v: Vec<f64> = (0..4).map(|i| i as f64).collect();\n"
                "    println!(\"{:?}\", v);", {"v"}),
    ("from_fresh_function", "let v = make(3);\n    println!(\"{}\", v[2]);", {"v"}),
    ("kept_slice", "let v = vec![1.0; 4];\n    let s = &v[1..];\n    println!(\"{}\", s[0]);",
     set()),
    # a struct that contains `Vec`s of plain items is freed with them
    ("moved_into_struct", "let v = vec![1.0; 4];\n    let h = Holder { data: v };\n"
                          "    println!(\"{}\", h.data[0]);", {"h"}),
    ("struct_of_new_vec", "let h = Holder { data: vec![1.0; 4] };\n"
                          "    println!(\"{}\", total(&h.data));", {"h"}),
    ("struct_moved", "let h = Holder { data: vec![1.0; 4] };\n    let g = h;\n"
                     "    println!(\"{}\", g.data[0]);", {"g"}),
    ("struct_field_moved_out", "let h = Holder { data: vec![1.0; 4] };\n"
                               "    let d = h.data;\n    println!(\"{}\", d[0]);", set()),
    ("struct_passed_by_value", "let h = Holder { data: vec![1.0; 4] };\n"
                               "    println!(\"{}\", first(h));", set()),
    ("struct_method_by_value", "let h = Holder { data: vec![1.0; 4] };\n"
                               "    println!(\"{}\", h.into_first());", set()),
    ("struct_method_by_reference", "let mut h = Holder { data: vec![1.0; 4] };\n"
                                   "    h.add(2.0);\n    println!(\"{}\", h.data.len());",
     {"h"}),
    ("struct_kept_in_vec", "let h = Holder { data: vec![1.0; 4] };\n"
                           "    let mut all = Vec::new();\n    all.push(h);\n"
                           "    println!(\"{}\", all.len());", set()),
    ("struct_with_string_stays", "let n = Named { data: vec![1.0], name: format!(\"a\") };\n"
                                 "    println!(\"{}\", n.name);", set()),
    ("struct_of_local_read_after", "let v = vec![1.0; 4];\n    let h = Holder { data: v };\n"
                                   "    println!(\"{} {}\", h.data[0], v[1]);", set()),
    ("map_read", "let mut m: HashMap<u64, f64> = HashMap::new();\n    m.insert(1, 2.0);\n"
                 "    *m.entry(2).or_insert(0.0) += 1.0;\n"
                 "    println!(\"{} {:?}\", m.len(), m.get(&1));", {"m"}),
    ("set_read", "let mut s = HashSet::new();\n    s.insert(3i64);\n"
                 "    println!(\"{}\", s.contains(&3));", {"s"}),
    ("map_of_vecs_stays", "let mut m: HashMap<u64, Vec<f64>> = HashMap::new();\n"
                          "    m.insert(1, vec![2.0]);\n    println!(\"{}\", m.len());", set()),
    ("passed_by_value", "let v = vec![1.0; 4];\n    println!(\"{}\", consume(v));", set()),
    ("pushed_into_vec", "let v = vec![1.0; 4];\n    let mut all = Vec::new();\n"
                        "    all.push(v);\n    println!(\"{}\", all.len());", {"all"}),
    ("alias_of_other", "let v = vec![1.0; 4];\n    let w = v;\n    println!(\"{}\", w[0]);",
     {"w"}),
    ("reference_alias", "let mut v = vec![1.0; 4];\n    let r = &mut v;\n    r.push(2.0);\n"
                        "    println!(\"{}\", r.len());", {"v"}),
    ("element_reference_kept", "let v = vec![1.0; 4];\n    let first = v.first();\n"
                               "    println!(\"{:?}\", first);", set()),
    ("element_reference_in_option", "let v = vec![1.0; 4];\n    let r = &v;\n"
                                    "    let first = Some(&r[0]);\n"
                                    "    println!(\"{:?}\", first);", set()),
    ("pop_until_empty", "let mut v = vec![1.0; 4];\n    while let Some(x) = v.pop() {\n"
                        "        println!(\"{}\", x);\n    }", {"v"}),
    ("strings_stay", "let v = vec![String::from(\"a\")];\n    println!(\"{}\", v[0]);", set()),
    ("reassigned_new", "let mut v = vec![1.0; 4];\n    for _ in 0..3 {\n"
                       "        v = v.iter().map(|x| x * 2.0).collect();\n    }\n"
                       "    println!(\"{}\", v[0]);", {"v"}),
    # `w` moves into `v` as its last use, so `v` owns it: the old value of
    # `v` is freed at the assignment and `w`'s at the end
    ("reassigned_moved", "let mut v = vec![1.0; 4];\n    let w = vec![2.0; 4];\n"
                         "    v = w;\n    println!(\"{}\", v[0]);", {"v"}),
    ("reassigned_then_used", "let mut v = vec![1.0; 4];\n    let w = vec![2.0; 4];\n"
                             "    v = w;\n    println!(\"{} {}\", v[0], w[0]);", set()),
    # strings: `format!` and `to_string()` of a number make a buffer of their
    # own; a string literal, `to_string()` of a string and `clone()` share bytes
    ("format_read", "let s = format!(\"{}-{}\", 1, 2);\n"
                    "    println!(\"{} {}\", s, s.len() + count(&s));", {"s"}),
    ("number_to_string", "let s = 42.to_string();\n    println!(\"{}\", s);", {"s"}),
    ("from_fresh_string_function", "let s = label(3);\n    println!(\"{}\", s);", {"s"}),
    ("literal_stays", "let s = \"abc\".to_string();\n    println!(\"{}\", s);", set()),
    ("string_clone_shares", "let s = format!(\"{}\", 1);\n    let t = s.clone();\n"
                            "    println!(\"{}{}\", s, t);", set()),
    ("string_view_kept", "let s = format!(\"{} \", 1);\n    let t = s.trim();\n"
                         "    println!(\"{}\", t);", set()),
    ("string_appended", "let mut s = format!(\"{}\", 1);\n    s.push_str(\"x\");\n"
                        "    println!(\"{}\", s);", set()),
    ("string_add_assign", "let mut s = format!(\"{}\", 1);\n    s += \"x\";\n"
                          "    println!(\"{}\", s);", set()),
    ("string_lent_mutably", "let mut s = format!(\"{}\", 1);\n    grow(&mut s);\n"
                            "    println!(\"{}\", s);", set()),
    ("string_reassigned_new", "let mut s = String::new();\n    for i in 0..3 {\n"
                              "        s = format!(\"{}{}\", s, i);\n    }\n"
                              "    println!(\"{}\", s);", {"s"}),
    ("string_pushed_into_vec", "let s = format!(\"{}\", 1);\n    let mut all = Vec::new();\n"
                               "    all.push(s);\n    println!(\"{}\", all.len());", set()),
    ("split_words_read", "let s = format!(\"{} {}\", 1, 2);\n    let mut n = 0;\n"
                         "    for w in s.split(' ') {\n        n += w.len();\n    }\n"
                         "    println!(\"{}\", n);", {"s"}),
    ("split_words_kept", "let s = format!(\"{} {}\", 1, 2);\n    let mut all = Vec::new();\n"
                         "    for (i, w) in s.split(' ').enumerate() {\n"
                         "        all.push(w);\n        println!(\"{}\", i);\n    }\n"
                         "    println!(\"{:?}\", all);", set()),
    ("reference_reassigned", "let mut v = vec![1.0; 4];\n    let mut w = vec![2.0];\n"
                             "    let mut r = &mut v;\n    r.push(3.0);\n    r = &mut w;\n"
                             "    r.push(4.0);\n    println!(\"{:?} {:?}\", v, w);", {"v"}),
    # a `Vec` of `Vec`s is freed with its rows when every row in it is its own
    ("rows_read", "let g = vec![vec![1.0; 2]; 2];\n    let r = &g[0];\n"
                  "    println!(\"{}\", r[1] + g[1][0]);", {"g"}),
    ("row_cloned_out", "let g = vec![vec![1.0; 2]; 2];\n    let mut kept = Vec::new();\n"
                       "    kept.push(g[0].clone());\n    println!(\"{:?}\", kept);",
     {"g", "kept"}),
    ("row_moved_out", "let g = vec![vec![1.0; 2]; 2];\n    let mut kept = Vec::new();\n"
                      "    let row = g[0];\n    kept.push(row);\n    println!(\"{:?}\", kept);",
     set()),
    ("local_row_moved_in", "let v = vec![1.0];\n    let mut g = vec![vec![0.0]];\n"
                           "    g[0] = v;\n    println!(\"{:?}\", g);", {"g"}),
    ("rows_lent_mutably", "let mut g = vec![vec![0.0]];\n    add_row(&mut g);\n"
                          "    println!(\"{:?}\", g);", set()),
    # `all` keeps references to the rows, which Rust lets live no longer than
    # `g`: freeing `g` where its block ends comes after their last use
    ("rows_kept_by_loop", "let g = vec![vec![1.0; 2]; 2];\n    let mut all = Vec::new();\n"
                          "    for row in g.iter() {\n        all.push(row);\n    }\n"
                          "    println!(\"{}\", all.len());", {"g"}),
    # `println!` reads its arguments after evaluating all of them, so a move
    # inside a later argument must not free what an earlier one prints
    ("printed_then_moved", "let w = vec![1.0; 4];\n"
                           "    println!(\"{:?} {}\", w, { let z = w; z.len() });", set()),
    ("chars_read", "let s = format!(\"{}\", 12);\n    let cs = s.chars();\n"
                   "    println!(\"{}\", cs.len());", {"s", "cs"}),
]

PRELUDE = """use std::collections::{HashMap, HashSet};

struct Holder {
    data: Vec<f64>,
}

impl Holder {
    fn add(&mut self, x: f64) {
        self.data.push(x);
    }

    fn into_first(self) -> f64 {
        self.data[0]
    }
}

struct Named {
    data: Vec<f64>,
    name: String,
}

fn first(h: Holder) -> f64 {
    h.data[0]
}

fn total(values: &[f64]) -> f64 {
    values.iter().sum()
}

fn consume(v: Vec<f64>) -> f64 {
    v[0]
}

fn count(s: &str) -> usize {
    s.len()
}

fn label(i: i64) -> String {
    format!("item-{}", i)
}

fn grow(s: &mut String) {
    s.push_str("!");
}

fn add_row(g: &mut Vec<Vec<f64>>) {
    g.push(vec![1.0]);
}

fn make(n: usize) -> Vec<f64> {
    let mut v = Vec::new();
    for i in 0..n {
        v.push(i as f64);
    }
    v
}

"""


@pytest.mark.parametrize("body, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_locals_freed(body, expected):
    source = PRELUDE + "fn main() {\n    " + body + "\n}\n"
    assert dropped(source) == expected


def test_function_returning_its_local_keeps_it():
    assert dropped(PRELUDE + "fn main() {}\n", "make") == set()


LOOP = """
fn work(n: usize, k: usize) -> f64 {
    let v = vec![k as f64; n];
    let w: Vec<f64> = v.iter().map(|x| x * 2.0).collect();
    let mut best = w.clone();
    best = best.iter().map(|x| x + 1.0).collect();
    best[n - 1]
}

fn repeat(rounds: usize) -> f64 {
    let mut total = 0.0;
    for k in 0..rounds {
        total += work(1000, k);
    }
    total
}
"""


def test_vec_per_loop_turn_bounded():
    # each call made four 8 KB Vecs that were never freed: 160 MB for 5,000 calls
    m = sxc.compile(LOOP, cache=False)
    m.repeat(10)
    before = heap_bytes_in_use()
    assert m.repeat(5000) == sum(2.0 * k + 1.0 for k in range(5000))
    assert heap_bytes_in_use() - before < 4 << 20


STRINGS = """
fn label(i: usize) -> String {
    format!("item-{}", i)
}

fn digits(s: &str) -> usize {
    s.chars().filter(|c| c.is_ascii_digit()).count()
}

fn work(rounds: usize) -> usize {
    let mut total = 0;
    for i in 0..rounds {
        let s = format!("{} {:.3}", i, i as f64 * 0.5);
        let t = label(i);
        let n = i.to_string();
        for w in s.split(' ') {
            total += w.len();
        }
        for (k, c) in t.chars().enumerate() {
            if c == '-' {
                total += k;
            }
        }
        total += n.len() + digits(&t);
    }
    total
}
"""


def test_strings_per_loop_turn_bounded():
    # each turn made five strings and buffers of 16 to 100 bytes that were
    # never freed: about 60 MB for 200,000 turns
    m = sxc.compile(STRINGS, cache=False)
    m.work(10)
    before = heap_bytes_in_use()
    rounds = 200_000
    expected = sum(len(f"{i} {i * 0.5:.3f}") - 1 + 4 + 2 * len(str(i)) for i in range(rounds))
    assert m.work(rounds) == expected
    assert heap_bytes_in_use() - before < 4 << 20


MAPS = """
use std::collections::{HashMap, HashSet};

struct Grid {
    cells: Vec<u8>,
    width: usize,
}

fn work(rounds: usize) -> usize {
    let mut total = 0;
    for i in 0..rounds {
        let mut m: HashMap<usize, usize> = HashMap::new();
        for j in 0..4 {
            m.insert(j, i + j);
        }
        let mut seen = HashSet::new();
        seen.insert(i % 7);
        let cells = vec![1; 64];
        let g = Grid { cells, width: 8 };
        total += m.len() + seen.len() + g.cells[i % 64] as usize + g.width;
    }
    total
}
"""


def test_maps_and_structs_per_loop_turn_bounded():
    # each turn made a map, a set and a struct holding a Vec that were never
    # freed: about 100 MB for 200,000 turns
    m = sxc.compile(MAPS, cache=False)
    m.work(10)
    before = heap_bytes_in_use()
    assert m.work(200_000) == 14 * 200_000
    assert heap_bytes_in_use() - before < 4 << 20


INVALID_MOVES = """
fn main() {
    let a = vec![1.5; 3];
    let b = a;
    let c = a;
    println!("{} {}", b[0], c[1]);
    let d = vec![2.5; 3];
    for _ in 0..3 {
        let e = d;
        println!("{}", e[2]);
    }
    let f = vec![3.5; 2];
    {
        let g = f;
        println!("{}", g[0]);
    }
    println!("{}", f[1]);
}
"""


def test_moves_rust_rejects_free_nothing_twice(tmp_path):
    # rustc rejects each of these uses after a move; sxc runs them, and must
    # not free a Vec that another binding still uses
    assert dropped(INVALID_MOVES) == set()
    path = tmp_path / "moves.sx"
    path.write_text(INVALID_MOVES)
    m = sxc.compile(path, cache=False)
    assert m.run([]) == 0
