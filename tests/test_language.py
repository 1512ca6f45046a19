"""Programs in both styles the language supports, with outputs worked out by
hand (or, for floats, by Python's shortest round-trip `repr`, which matches
Rust's `{}` for numbers between 1e-5 and 1e16)."""

from __future__ import annotations

import pytest

from conftest import run_sxc

CASES = {
    "struct_methods": ("""
struct Point { x: f64, y: f64 }

impl Point {
    fn new(x: f64, y: f64) -> Point { Point { x, y } }
    fn norm(&self) -> f64 { (self.x * self.x + self.y * self.y).sqrt() }
    fn scale(&mut self, k: f64) { self.x *= k; self.y *= k; }
}

fn main() {
    let mut p = Point::new(3.0, 4.0);
    println!("{}", p.norm());
    p.scale(2.0);
    println!("{} {}", p.x, p.norm());
}
""", "5\n6 10\n"),
    "script_style_method": ("""
struct Counter { n: i64 }
fn bump(&mut self) { self.n += 1; }
fn get(&self) -> i64 { self.n }

let mut c = Counter { n: 40 };
c.bump();
c.bump();
println!("{}", c.get());
""", "42\n"),
    "vec_ops": ("""
fn main() {
    let mut v: Vec<i64> = Vec::new();
    for i in 0..5 { v.push(i * i); }
    v.swap(0, 4);
    let mut sum = 0;
    for x in v.iter() { sum += x; }
    println!("{:?} len={} sum={}", v, v.len(), sum);
}
""", "[16, 1, 4, 9, 0] len=5 sum=30\n"),
    "arrays": ("""
fn main() {
    let mut a = [0.0; 4];
    for i in 0..4 { a[i] = (i as f64) * 0.5; }
    let b = [1, 2, 3];
    let mut t = 0;
    for x in b { t += x; }
    println!("{:?} {}", a, t);
}
""", "[0.0, 0.5, 1.0, 1.5] 6\n"),
    "literal_types_linked_both_ways": ("""
fn main() {
    let mut found = (0, 0);
    for a in 1..4 {
        for b in 1..4 {
            if a * b == 6 {
                found = (a, b);
            }
        }
    }
    println!("{:?}", found);
}
""", "(3, 2)\n"),
    "if_expression": ("""
fn sign(x: i64) -> i64 { if x > 0 { 1 } else if x < 0 { -1 } else { 0 } }
fn main() {
    let v = if sign(-5) < 0 { "negative" } else { "other" };
    println!("{} {} {} {}", sign(7), sign(-3), sign(0), v);
}
""", "1 -1 0 negative\n"),
    "loop_break_value": ("""
fn main() {
    let mut n = 27;
    let mut steps = 0;
    let last = loop {
        if n == 1 { break steps; }
        n = if n % 2 == 0 { n / 2 } else { 3 * n + 1 };
        steps += 1;
    };
    println!("{}", last);
}
""", "111\n"),
    "integer_semantics": ("""
fn main() {
    let a: i64 = -7;
    println!("{} {}", a / 2, a % 2);
    let big: u64 = 18446744073709551615;
    println!("{}", big + 2);
    let x: i32 = 2147483647;
    println!("{}", x + 1);
    let s: u32 = 1;
    println!("{}", s << 33);
}
""", "-3 -1\n1\n-2147483648\n2\n"),
    "casts_saturate": ("""
fn main() {
    let f = 1e20;
    let n = -3.9;
    println!("{} {} {}", f as i64, n as i64, n as u8);
    let wide = 300;
    println!("{} {}", f64::NAN as i32, wide as u8);
    println!("{}", (7 as f64) / 2.0);
}
""", "9223372036854775807 -3 0\n0 44\n3.5\n"),
    "float_printing": ("""
fn main() {
    println!("{} {:?}", 1.0, 1.0);
    println!("{}", 0.1 + 0.2);
    println!("{:.3} {:.0} {:.1}", 3.14159, 2.5, 0.05);
    println!("{:?} {:?} {}", 1e16, 1e-7, 1e16);
    println!("{} {} {}", -0.0, f64::INFINITY, f64::NAN);
    println!("{:e} {:>8.2}|{:<6}|{:^7}|{:+}", 1234.5, 3.14159, 42, "ab", 5);
}
""", "1 1.0\n0.30000000000000004\n3.142 2 0.1\n1e16 1e-7 10000000000000000\n"
     "-0 inf NaN\n1.2345e3     3.14|42    |  ab   |+5\n"),
    "var_style": ("""
fn add(a: i64, b: i64) -> i64 {
    return a + b;
}
fn main() -> i64 {
    var total = 0;
    var i = 0;
    while i < 10 {
        total = add(total, i);
        i = i + 1;
    }
    print_i64(total);
    println("");
    print_f64(2.5);
    print_f64(1.0 / 3.0);
    return 0;
}
""", "45\n2.5\n0.333333\n"),
    "parse_strings": ("""
fn main() {
    let text = "NAME : demo\\nDIMENSION: 3\\n  1 2.5  -3\\r\\nEOF\\n";
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("NAME") {
            let parts = t.split(":");
            println!("name=[{}]", parts[1].trim());
        } else if t.starts_with("EOF") {
            break;
        } else {
            let f = t.split_whitespace();
            if f.len() == 3 {
                let total = f[0].parse::<i64>().unwrap() as f64 + f[1].parse::<f64>().unwrap()
                    + f[2].parse::<f64>().unwrap();
                println!("sum={}", total);
            }
        }
    }
}
""", "name=[demo]\nsum=0.5\n"),
    "function_values": ("""
fn twice(f: fn(f64) -> f64, x: f64) -> f64 { f(f(x)) }
fn inc(x: f64) -> f64 { x + 1.5 }
fn main() {
    let g = inc;
    println!("{}", twice(g, 1.0));
}
""", "4\n"),
    "dual_promotion": ("""
fn main() {
    let x = dual::variable(3.0);
    let n: u64 = 4;
    let y = x * n + 2;
    let z = (x * x).powi(2) / x;
    println!("{} {} {} {}", y.val, y.der, z.val, z.der);
}
""", "14 4 27 27\n"),
    "format_macro": ("""
fn main() {
    let s = format!("{}-{:03}", "id", 7);
    println!("{} {}", s, s.len());
}
""", "id-007 6\n"),
    "iter_through_reference": ("""
fn total(v: &Vec<f64>) -> f64 {
    let mut s = 0.0;
    for x in v.iter() { s += *x; }
    s
}
fn main() {
    let v = vec![1.0, 2.0, 3.5];
    let w = &v;
    let mut n = 0;
    for _x in w.iter() { n += 1; }
    println!("{} {}", total(&v), n);
}
""", "6.5 3\n"),
    "literal_type_from_use": ("""
fn argmax(xs: &[f64]) -> usize {
    let mut best = 0;
    for i in 1..xs.len() {
        if xs[i] > xs[best] { best = i; }
    }
    best
}
fn main() {
    let v = vec![1.0, 5.0, 2.0];
    let mut k = 0;
    while k < v.len() { k += 1; }
    let mut fact: u64 = 1;
    for n in 1..21 { fact *= n; }
    println!("{} {} {}", argmax(&v), k, fact);
}
""", "1 3 2432902008176640000\n"),
    "parse_into_annotation": ("""
fn main() {
    let u: u64 = "42".parse().unwrap();
    let f: f64 = "2.5".parse().expect("a number");
    println!("{} {}", u + 1, f * 2.0);
}
""", "43 5\n"),
    "iter_enumerate": ("""
fn main() {
    let v = vec![1.5, 2.5, 4.0];
    let mut s = 0.0;
    for (i, x) in v.iter().enumerate() {
        s += (i as f64) * x;
    }
    let a = [3, 4];
    for (k, y) in a.iter().enumerate() {
        println!("{}:{}", k, y);
    }
    println!("{}", s);
}
""", "0:3\n1:4\n10.5\n"),
    "exit_code": ("""
fn main() {
    println!("before");
    std::process::exit(0);
}
""", "before\n"),
    "labelled_break_from_inner_loop": ("""
fn main() {
    let mut n = 0;
    'outer: loop {
        n += 1;
        loop {
            if n == 3 {
                break 'outer;
            }
            break;
        }
    }
    let mut k = 0;
    let v = 'search: loop {
        k += 1;
        while k < 100 {
            if k % 5 == 0 {
                break 'search k * 2;
            }
            k += 1;
        }
    };
    println!("{} {}", n, v);
}
""", "3 10\n"),
    "labelled_break_in_for_infers_int": ("""
fn main() {
    let mut s = 0;
    'rows: for r in 0..5 {
        s += r;
        if r > 2 {
            break 'rows;
        }
    }
    println!("{}", s);
}
""", "6\n"),
    "string_from": ("""
fn main() {
    let a = String::from("héllo");
    let b = String::from(&a);
    println!("{} {} {}", a, b.len(), String::from("lit").len());
}
""", "héllo 6 3\n"),
    "vec_repeat_clones_rows": ("""
fn main() {
    let mut g = vec![vec![0i64; 2]; 3];
    g[0][0] = 5;
    let row = vec![1, 2];
    let mut h = vec![row.clone(); 2];
    h[1][1] = 9;
    println!("{:?} {:?} {:?}", g, h, row);
}
""", "[[5, 0], [0, 0], [0, 0]] [[1, 2], [1, 9]] [1, 2]\n"),
    "reference_patterns_in_for": ("""
fn main() {
    let v = vec![3, 1, 4];
    let mut s = 0;
    for &x in v.iter() {
        s += x;
    }
    for (i, &x) in v.iter().enumerate() {
        s += i as i64 * x;
    }
    for &(a, b) in [(1, 2), (3, 4)].iter() {
        s += a * b;
    }
    println!("{}", s);
}
""", "31\n"),
    "for_over_reversed_range": ("""
fn main() {
    for i in (0..4).rev() {
        print!("{} ", i);
    }
    for i in (1..=3).rev() {
        print!("{} ", i);
    }
    let n: usize = 0;
    for i in (0..n).rev() {
        print!("x{} ", i);
    }
    for i in (0..=n).rev() {
        print!("z{} ", i);
    }
    println!();
}
""", "3 2 1 0 3 2 1 z0 \n"),
    "clone_copies_nested_vecs": ("""
fn main() {
    let a: Vec<Vec<i64>> = vec![vec![1, 2], vec![3, 4]];
    let mut b = a.clone();
    b[0][0] = 100;
    b[1].push(5);
    let mut c = vec![vec![vec![0; 2]; 2]; 2];
    c[0][0][0] = 7;
    let d = c.clone();
    c[1][1][1] = 8;
    println!("{:?} {:?}", a, b);
    println!("{:?} {:?}", c, d);
}
""", "[[1, 2], [3, 4]] [[100, 2], [3, 4, 5]]\n"
     "[[[7, 0], [0, 0]], [[0, 0], [0, 8]]] [[[7, 0], [0, 0]], [[0, 0], [0, 0]]]\n"),
    "mut_self_by_value": ("""
struct Acc { total: i64 }

impl Acc {
    fn add(mut self, x: i64) -> Acc {
        self.total += x;
        self
    }
}

fn main() {
    let a = Acc { total: 1 };
    let b = a.add(2).add(3);
    println!("{} {}", a.total, b.total);
}
""", "1 6\n"),
    "byte_literals": ("""
fn main() {
    let b = 3;
    let v = vec![b'a', b'\\n', b' '];
    let twice = 'outer: loop { break 'outer b * 2; };
    println!("{:?} {} {}", v, b'z' - b'a', twice);
}
""", "[97, 10, 32] 25 6\n"),
    "enumerate_string_splitters": ("""
fn main() {
    let text = "a b\\nc";
    for (i, line) in text.lines().enumerate() {
        for (j, w) in line.split_whitespace().enumerate() {
            print!("{}.{}={} ", i, j, w);
        }
    }
    for (k, f) in "x,,y".split(",").enumerate() {
        print!("{}:{} ", k, f);
    }
    println!();
}
""", "0.0=a 0.1=b 1.0=c 0:x 1: 2:y \n"),
    "string_push_str": ("""
struct Log { text: String }

fn main() {
    let mut s = String::new();
    s.push_str("ab");
    s += "cd";
    s += &format!("{}", 5);
    let mut l = Log { text: String::from("log:") };
    l.text.push_str(" one");
    let mut v = vec![String::new(), String::from("z")];
    v[1].push_str("zz");
    println!("{} {} {} {:?}", s, s.len(), l.text, v);
}
""", "abcd5 5 log: one [\"\", \"zzz\"]\n"),
    "derived_clone_copies": ("""
#[derive(Debug, Clone, Copy)]
struct P { x: f64, y: [i64; 2] }

fn twice(p: &P) -> P {
    let mut c = p.clone();
    c.x *= 2.0;
    c
}

fn main() {
    let a = P { x: 1.5, y: [1, 2] };
    let mut b = a.clone();
    b.y[0] = 9;
    println!("{:?} {:?} {:?}", a, b, twice(&a));
}
""", "P { x: 1.5, y: [1, 2] } P { x: 1.5, y: [9, 2] } P { x: 3.0, y: [1, 2] }\n"),
    "read_file_args": ("""
fn main() {
    let a = args();
    let text = read_file(&a[1]);
    let lines = text.lines();
    println!("{} lines, first [{}]", lines.len(), lines[0]);
}
""", None),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_program(name, tmp_path):
    source, expected = CASES[name]
    path = tmp_path / f"{name}.sx"
    path.write_text(source)
    extra = []
    if expected is None:
        data = tmp_path / "data.txt"
        data.write_text("alpha\nbeta\ngamma\n")
        extra = [str(data)]
        expected = "3 lines, first [alpha]\n"
    for level in ("-O0", "-O2"):
        result = run_sxc("run", str(path), level, *extra)
        assert result.returncode == 0, result.stderr
        assert result.stdout == expected, f"{name} at {level}"
