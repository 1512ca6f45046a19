"""Call-graph analysis: which functions can call themselves."""

from __future__ import annotations

import random
from types import SimpleNamespace

from sxc import reach
from sxc.driver import Options, compile_program


def closure_recursive(graph: dict[str, set[str]]) -> set[str]:
    """Return the keys that reach themselves, by a search from each key."""
    found = set()
    for start in graph:
        seen: set[str] = set()
        todo = list(graph[start])
        while todo:
            key = todo.pop()
            if key == start:
                found.add(start)
                break
            if key not in seen:
                seen.add(key)
                todo.extend(graph[key])
    return found


def test_recursive_random_graphs(monkeypatch):
    rng = random.Random(7)
    for _ in range(300):
        size = rng.randint(1, 12)
        keys = [f"f{i}" for i in range(size)]
        graph = {key: {rng.choice(keys) for _ in range(rng.randint(0, 3))} for key in keys}
        program = SimpleNamespace(functions={key: SimpleNamespace(body=key) for key in keys})
        monkeypatch.setattr(reach, "callees", lambda body, graph=graph: set(graph[body]))
        assert reach.recursive_functions(program, set(keys)) == closure_recursive(graph)


def test_recursive_long_chain(monkeypatch):
    keys = [f"f{i}" for i in range(5000)]
    graph = {key: {keys[i + 1]} if i + 1 < len(keys) else {keys[0]}
             for i, key in enumerate(keys)}
    program = SimpleNamespace(functions={key: SimpleNamespace(body=key) for key in keys})
    monkeypatch.setattr(reach, "callees", lambda body: set(graph[body]))
    assert reach.recursive_functions(program, set(keys)) == set(keys)


def test_recursive_in_program():
    source = """
fn even(n: i64) -> bool { if n == 0 { true } else { odd(n - 1) } }
fn odd(n: i64) -> bool { if n == 0 { false } else { even(n - 1) } }
fn fact(n: i64) -> i64 { if n < 2 { 1 } else { n * fact(n - 1) } }
fn twice(n: i64) -> i64 { fact(n) * 2 }
fn main() { println!("{} {}", even(10), twice(5)); }
"""
    compiled = compile_program(source, "prog.sx", Options(opt_level=0))
    program = compiled.program
    live = reach.reachable_functions(program)
    found = reach.recursive_functions(program, live)
    assert {"even", "odd", "fact"} <= found
    assert "twice" not in found
    assert "main" not in found
