"""Peak memory of `sxc run` on loops that build a value per turn and drop it.

    python bench/memory_loops.py [--turns N]

Each program makes a new map, struct, `Vec` or string in every turn of a
loop and uses it only inside the turn.  When compiled code frees these
values, the peak resident set stays near what the compiler itself needs
(about 100 MB on a 2-core x86-64 Linux machine).  When it does not, the peak
grows with the number of turns.
The peak is the child's own `ru_maxrss` from `wait4`.  docs/decisions.md
(Memory) quotes the numbers this prints.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

PROGRAMS = {
    "map of ten entries": """
use std::collections::HashMap;
fn main() {
    let mut total = 0usize;
    for i in 0..TURNS {
        let mut m: HashMap<u64, u64> = HashMap::new();
        for j in 0..10u64 {
            m.insert(j, j + i);
        }
        total += m.len();
    }
    println!("{}", total);
}
""",
    "set and struct holding a Vec": """
use std::collections::HashSet;
struct Grid {
    cells: Vec<u8>,
    width: usize,
}
fn main() {
    let mut total = 0usize;
    for i in 0..TURNS {
        let mut seen: HashSet<i64> = HashSet::new();
        seen.insert(i % 7);
        let cells = vec![1; 64];
        let g = Grid { cells, width: 8 };
        total += seen.len() + g.cells[(i % 64) as usize] as usize + g.width;
    }
    println!("{}", total);
}
""",
    "two 8 KB Vecs": """
fn main() {
    let mut total = 0.0;
    for i in 0..TURNS {
        let v = vec![i as f64; 1000];
        let w: Vec<f64> = v.iter().map(|x| x * 2.0).collect();
        total += w[999];
    }
    println!("{}", total);
}
""",
    "formatted strings": """
fn main() {
    let mut total = 0usize;
    for i in 0..TURNS {
        let s = format!("{} {:.3}", i, i as f64 * 0.5);
        for w in s.split(' ') {
            total += w.len();
        }
    }
    println!("{}", total);
}
""",
}


def peak_rss_mib(argv: list[str]) -> tuple[int, float]:
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.stderr.close()
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200_000)
    args = parser.parse_args()
    sxc = [sys.executable, "-m", "sxc.cli", "run", "--no-cache"]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{platform.platform()}; {args.turns:,} turns")
    with tempfile.TemporaryDirectory() as tmp:
        for name, source in PROGRAMS.items():
            path = Path(tmp) / "loop.sx"
            path.write_text(source.replace("TURNS", str(args.turns)))
            status, peak = peak_rss_mib([*sxc, str(path)])
            print(f"{name:32} peak RSS {peak:7.1f} MiB" + (f"  (exit {status})" if status else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
