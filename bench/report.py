"""Render the results of bench/run.py (performance.json) as docs/performance.md."""

from __future__ import annotations

THETA_NAMES = ["T0", "alpha", "Tmin", "beta", "omega", "tau"]

TASK_TITLES = {
    "w1": "W1 tsp-sa",
    "w2-primal": "W2 primal",
    "w2-dual1x6": "W2 gradient, six 1-tangent passes",
    "w2-dual6": "W2 gradient, one 6-tangent pass",
}


def seconds(x: float | None) -> str:
    if x is None:
        return "-"
    if x >= 1:
        return f"{x:.3f} s"
    if x >= 1e-3:
        return f"{x * 1e3:.2f} ms"
    return f"{x * 1e6:.1f} us"


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def number(x: float | None, fmt: str = ".2f") -> str:
    return "-" if x is None else format(x, fmt)


def find(rows: list[dict], **match) -> dict | None:
    return next((r for r in rows if all(r.get(k) == v for k, v in match.items())), None)


def header(results: dict) -> list[str]:
    m = results["machine"]
    v = results["versions"]
    loads = ", ".join(f"{x:.1f}" for x in m.get("load_avg_at_round_starts", []))
    lines = [
        "# Performance",
        "",
        "sxc against hand-written C, Numba, JAX and pure Python on the workloads of",
        "[bench/WORKLOADS.md](../bench/WORKLOADS.md): W1, 2-opt simulated annealing of a",
        "100-city instance in plain f64; W2, soft annealing of the Rastrigin function",
        "with the derivative of its final energy along six schedule parameters; W3,",
        "compile latency.  This page is generated from `performance.json` beside it.",
        "",
        f"- command: `{results['command']}` ({plural(results['settings']['rounds'], 'round')}, "
        f"{results['duration_s'] / 60:.1f} min, started {results['date_utc']} UTC)",
        f"- machine: {m['cpu']}, {m['cores']} cores"
        + (f", {m['memory_gb']:.0f} GiB" if m.get("memory_gb") else "")
        + f", {m['os']}",
        f"- load average (1 min) at the start of each round: {loads}; the machine was shared,",
        "  so compare ratios taken in the same round rather than absolute times",
        "- versions: " + ", ".join(f"{k} {val}" for k, val in v.items() if val),
    ]
    for entry in results.get("skipped", []):
        lines.append(f"- skipped {entry['what']}: {entry['reason']}")
    if results.get("errors"):
        lines.append(f"- **{len(results['errors'])} program(s) failed**; see `errors` in "
                     "performance.json")
    return lines + [""]


def summary(results: dict) -> list[str]:
    t = results["timings"]
    lines = ["## Summary", ""]

    def ratio_line(label, task, impl, steps=None):
        row = find(t, task=task, impl=impl, **({"steps": steps} if steps else {}))
        if row and row.get("ratio_vs_c_O3") is not None:
            lines.append(f"- {label}: {row['ratio_vs_c_O3']:.2f}x the time of C -O3 "
                         f"(ratio of fastest repeats {row['ratio_of_mins']:.2f}x), "
                         f"{row['ns_per_step']:.1f} ns per step")

    steps = results["settings"]["w1_steps"]
    ratio_line(f"W1 at {steps:,} steps, sxc -O3", "w1", "sxc-O3", steps)
    ratio_line("W2 primal, sxc -O3", "w2-primal", "sxc-O3")
    ratio_line("W2 six 1-tangent passes, sxc -O3", "w2-dual1x6", "sxc-O3")
    ratio_line("W2 one 6-tangent pass, sxc -O3", "w2-dual6", "sxc-O3")
    cost = find(results["ad_cost"], impl="sxc-O3")
    if cost and cost.get("dual6_over_primal"):
        lines.append(f"- sxc -O3 gradient cost over its own primal: "
                     f"{cost['dual1x6_over_primal']:.1f}x for six passes, "
                     f"{cost['dual6_over_primal']:.1f}x for one 6-tangent pass")
    sched = results.get("schedule_variant", {})
    if sched.get("train8_over_train0"):
        lines.append(f"- `LearnableSchedule`, all 8 parameters in one pass: "
                     f"{sched['train8_over_train0']:.1f}x the same run without tangents, "
                     f"{number(sched.get('train8_over_release'), '.1f')}x the release-mode run")
    for row in results["process"]:
        if row["workload"].startswith("W1"):
            lines.append(f"- `sxc run` on W1, whole process, {row['state']}: "
                         f"{seconds(row['median_wall_s'])}, peak RSS "
                         f"{row['median_peak_rss_mib']:.0f} MiB")
    scaling = [r for r in results["compile"]["scaling"] if r["impl"] == "sxc-O2"]
    two_k = min(scaling, key=lambda r: abs(r["lines"] - 2000), default=None)
    if two_k:
        lines.append(f"- compile of a generated {two_k['lines']}-line program (-O2, in a warm "
                     f"process): {seconds(two_k['median_s'])}")
    bad = [c for c in results["checks"] if not c["bit_identical"] and c["impl"].startswith("sxc")]
    good = [c for c in results["checks"] if c["bit_identical"] and c["impl"].startswith("sxc")]
    lines.append(f"- correctness: {len(good)} sxc results bit-identical to the reference, "
                 f"{len(bad)} not")
    return lines + [""]


def kernel_table(results: dict) -> list[str]:
    lines = [
        "## Kernels",
        "",
        "median: median over rounds of each round's median repeat; min: the fastest repeat;",
        "ratio: this row's time per step over C -O3's in the same round, medianed over the",
        "rounds; ratio of mins: fastest repeat over fastest repeat, less sensitive to other",
        "load.  Only the kernel is timed: for sxc, one call of the compiled function through",
        "the Python API, whose own overhead is a few microseconds.",
        "",
        "| workload | impl | steps | median | min | ns/step | ratio vs C -O3 | ratio of mins "
        "| compile |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    order = ["w1", "w2-primal", "w2-dual1x6", "w2-dual6"]
    rows = [r for r in results["timings"] if r["task"] in order]
    rows.sort(key=lambda r: (order.index(r["task"]), -(r["steps"] or 0), r["impl"]))
    for r in rows:
        lines.append(f"| {TASK_TITLES[r['task']]} | {r['impl']} | {r['steps']:,} | "
                     f"{seconds(r['median_s'])} | {seconds(r['min_s'])} | "
                     f"{number(r['ns_per_step'], ',.1f')} | {number(r['ratio_vs_c_O3'])} | "
                     f"{number(r['ratio_of_mins'])} | {seconds(r.get('compile_s'))} |")
    lines += ["", "compile: for sxc, `sxc.compile` of the workload in the timing process with the "
              "program cache off; for Numba and JAX, the first call or "
              "`jit(...).lower().compile()`.", ""]
    return lines


def checks_table(results: dict) -> list[str]:
    lines = [
        "## Correctness",
        "",
        "W1 and W2 results against the reference values of bench/WORKLOADS.md (all bits of",
        "final and best length and the accepted count; loss and all six derivatives), and",
        "the TSPLIB runs against C -O3 on the same instance.",
        "",
        "| task | impl | steps | reference | bit-identical | max rel. diff of gradient | result |",
        "|---|---|---:|---|---|---:|---|",
    ]
    for c in results["checks"]:
        rel = c.get("max_rel_diff_grad")
        lines.append(f"| {c['task']} | {c['impl']} | {c['steps']:,} | {c['reference']} | "
                     f"{'yes' if c['bit_identical'] else '**no**'} | "
                     f"{'-' if rel is None else f'{rel:.1e}'} | {c['result']} |")
    return lines + [""]


def ad_section(results: dict) -> list[str]:
    lines = [
        "## Cost of derivatives",
        "",
        "Time of the W2 gradient over the same implementation's primal (medians).",
        "",
        "| impl | six 1-tangent passes | one 6-tangent pass |",
        "|---|---:|---:|",
    ]
    for row in results["ad_cost"]:
        lines.append(f"| {row['impl']} | {number(row.get('dual1x6_over_primal'), '.1f')} | "
                     f"{number(row.get('dual6_over_primal'), '.1f')} |")
    sched = results.get("schedule_variant", {})
    if sched:
        lines += [
            "",
            "`bench/workloads/rastrigin_schedule.sx` anneals the same Rastrigin problem with",
            "the library's `Annealer` and a `LearnableSchedule`, whose eight parameters are",
            "differentiated in one pass with `--tangents 8` (train mode, decisions blended).",
            "Its primal is the train-mode run with `--tangents 0`: the same arithmetic on",
            "plain floats, soft branches still blended, and the same final energy.  The",
            "release-mode run drops the tangents and samples each decision instead, with",
            "the same energy evaluations per step but not the same arithmetic, so its final",
            "energy differs.",
            "",
            "| run | lanes | median | min | final energy |",
            "|---|---:|---:|---:|---:|",
        ]
        for task, label in (("w2s-release", "release mode"), ("w2s-train0", "train, no tangents"),
                            ("w2s-train1", "train, 1 lane"), ("w2s-train8", "train, 8 lanes")):
            if task in sched:
                e = sched[task]
                lines.append(f"| {label} | {e['lanes']} | {seconds(e['median_s'])} | "
                             f"{seconds(e['min_s'])} | {e['loss']:.6g} |")
        lines.append("")
        if sched.get("train8_over_train0"):
            lines.append(f"8 lanes over no tangents: {sched['train8_over_train0']:.1f}x; "
                         f"over release: {number(sched.get('train8_over_release'), '.1f')}x; "
                         f"over 1 lane: {number(sched.get('train8_over_train1'), '.1f')}x.")
    return lines + [""]


def tsplib_section(results: dict) -> list[str]:
    entries = results["tsplib"]
    if not entries:
        return []
    impls = sorted({impl for e in entries for impl in e["impls"]})
    lines = [
        "## Annealing step cost on TSPLIB instances",
        "",
        f"W1's algorithm (T0 = 100, Tend = 0.01, random state 42) on TSPLIB EUC_2D instances,",
        f"{entries[0]['steps']:,} steps each; the distance matrix is built outside the timed",
        "region.  Per step: one move proposal and delta, and on acceptance a segment",
        "reversal of up to n/2 swaps.  gap: best length over the known optimum.",
        "",
        "| instance | cities | " + " | ".join(f"{i} ns/step" for i in impls)
        + " | sxc-O3 / C -O3 | accepted | best (gap) |",
        "|---|---:|" + "---:|" * len(impls) + "---:|---:|---:|",
    ]
    for e in entries:
        cells = e["impls"]
        sx = cells.get("sxc-O3", {})
        ref = sx or next(iter(cells.values()), {})
        gap = ref.get("gap_percent")
        lines.append(f"| {e['instance']} | {e['cities']} | "
                     + " | ".join(number(cells.get(i, {}).get("ns_per_step"), ",.1f")
                                  for i in impls)
                     + f" | {number(sx.get('ratio_vs_c_O3'))} | {number(ref.get('accepted'), ',')} | "
                     f"{number(ref.get('best_len'), '.0f')} ({number(gap, '.1f')}%) |")
    return lines + [""]


def process_section(results: dict) -> list[str]:
    lines = [
        "## Whole `sxc run` processes",
        "",
        "Wall time from process start to exit, Python start-up, compile and run included;",
        "peak RSS is the process's own maximum resident set (wait4).  cold: a fresh, empty",
        "cache directory (`SXC_CACHE_DIR`), so the grammar tables, the parsed library and",
        "the program are all built; warm: the same command again; edited: a copy of the",
        "program with one more comment line, which misses the program cache but reuses the",
        "rest, as after an edit.  cache files: files in the cache directory after the run.",
        "",
        "| program | state | median | min | peak RSS | cache files | samples |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results["process"]:
        lines.append(f"| `sxc run` {r['workload']} | {r['state']} | {seconds(r['median_wall_s'])} "
                     f"| {seconds(r['min_wall_s'])} | {r['median_peak_rss_mib']:.0f} MiB | "
                     f"{r['cache_files']} | {r['samples']} |")
    return lines + [""]


def compile_section(results: dict) -> list[str]:
    comp = results["compile"]
    lines = [
        "## Compile time",
        "",
        "Generated programs (bench/generate.py: units of a struct, a method, a loop of f64",
        "math, a `match`, a `Vec` and a `dual` function, all called from `main`), compiled",
        "with `sxc.compile` in a process that has already compiled one program, with the",
        "program cache off (`SXC_NO_CACHE=1`; the grammar tables and the parsed library",
        "still come from the cache directory).  The fit is a least-squares line through",
        "the medians.",
        "",
        "| level | lines | median | min | samples |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in comp["scaling"]:
        lines.append(f"| {r['impl']} | {r['lines']:,} | {seconds(r['median_s'])} | "
                     f"{seconds(r['min_s'])} | {r['samples']} |")
    lines.append("")
    for impl, fit in comp["fit"].items():
        if fit:
            lines.append(f"- {impl}: {fit['intercept_s']:.2f} s + {fit['seconds_per_1000_lines']:.2f}"
                         f" s per 1,000 lines (R^2 = {fit['r_squared']:.3f})")
    lines += ["", "### Compile latency", "",
              "| what | median | min | samples |", "|---|---:|---:|---:|"]
    for r in comp["latency"]:
        lines.append(f"| {r['name']} | {seconds(r['median_s'])} | {seconds(r['min_s'])} | "
                     f"{r['samples']} |")
    return lines + [""]


def gradient_section(results: dict) -> list[str]:
    rows = [c for c in results["records"] if c.get("task") == "w2-dual6" and c.get("grad")]
    seen, lines = set(), []
    for r in rows:
        if r["impl"] in seen:
            continue
        seen.add(r["impl"])
        lines.append(f"| {r['impl']} | " + " | ".join(f"{g:.12g}" for g in r["grad"]) + " |")
    if not lines:
        return []
    return (["## W2 gradient (one 6-tangent pass)", "",
             "| impl | " + " | ".join(THETA_NAMES) + " |", "|---|" + "---:|" * 6]
            + lines + [""])


def render_markdown(results: dict) -> str:
    parts = [header(results), summary(results), kernel_table(results), checks_table(results),
             ad_section(results), tsplib_section(results), process_section(results),
             compile_section(results), gradient_section(results)]
    return "\n".join(line for part in parts for line in part).rstrip() + "\n"
