"""Generate `.sx` programs of a given length for measuring compile time.

A program is a sequence of independent units of about 30 lines.  Each unit
has a struct, a method, a loop of f64 math, a `match`, a `Vec` and a function
on `dual`.  `main` calls every unit and prints the sum, so no function is
unreachable.  Units differ only in their constants and names, so compile time
should grow linearly with their count.
"""

from __future__ import annotations

UNIT = """struct Point{k} {{
    x: f64,
    y: f64,
}}

impl Point{k} {{
    fn norm(&self) -> f64 {{
        (self.x * self.x + self.y * self.y).sqrt()
    }}
}}

fn smooth{k}(x: dual) -> dual {{
    (x * {a}).sin() + (x * x).exp() / (1.0 + x * x)
}}

fn unit{k}(n: i64) -> f64 {{
    let p = Point{k} {{ x: {a}, y: {b} }};
    let mut values: Vec<f64> = Vec::new();
    let mut acc = p.norm();
    for i in 0..n {{
        let t = (i as f64) * {b};
        acc = acc * 0.5 + t.cos() - (t * {a}).sin();
        values.push(acc);
    }}
    let bonus = match n % 3 {{
        0 => {a},
        1 => {b},
        _ => values.len() as f64,
    }};
    acc + bonus + smooth{k}(dual::variable(acc)).der
}}
"""


def generate_program(target_lines: int) -> str:
    """Return a program of about `target_lines` lines (never fewer units than one)."""
    unit_lines = UNIT.count("\n") + 1
    units = max(1, round((target_lines - 6) / (unit_lines + 1)))
    parts = []
    for k in range(units):
        a = 0.5 + (k % 17) * 0.125
        b = 1.25 + (k % 11) * 0.0625
        parts.append(UNIT.format(k=k, a=repr(a), b=repr(b)))
    calls = [f"    total = total + unit{k}({k % 7 + 3});" for k in range(units)]
    main = ["fn main() {", "    let mut total = 0.0;", *calls,
            '    println!("{}", total);', "}"]
    return "\n".join(parts) + "\n".join(main) + "\n"
