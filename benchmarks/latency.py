"""Latency of the rule engines on the shipped knowledge base.

Usage::

    python -m benchmarks.latency [--patients 1500] [--warmup 200]

Prints, for each engine, per-evaluation latency (p50, p90, p99) on random
patients with 10, 40 and 200 facts that the knowledge base reads; the time to
build the durable ruleset; the time of ``import crampdx`` in a fresh interpreter;
and the latency of a full ``crampdx.assess()`` per engine on the example patients.
Every timed durable evaluation is also checked against the reference engine
(outside the timed region).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks import FactSpace, freeze_rules, load_compiled, random_patient, rules_digest
from crampdx.engine import CompiledKnowledgeBase, available_engines, get_engine
from crampdx.facts import FactValue

SIZES = (10, 40, 200)
_EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "patients"


def percentiles(samples: Sequence[float]) -> tuple[float, float, float]:
    """p50, p90 and p99 of ``samples`` (seconds), in milliseconds."""
    ordered = sorted(samples)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1e3

    return at(0.50), at(0.90), at(0.99)


def time_calls(call: Callable[[Any], object], inputs: Sequence[Any], warmup: int) -> list[float]:
    for item in inputs[:warmup]:
        call(item)
    samples = []
    for item in inputs[warmup:]:
        started = time.perf_counter()
        call(item)
        samples.append(time.perf_counter() - started)
    return samples


def import_time(repeats: int = 5) -> tuple[float, bool]:
    """Median seconds of ``import crampdx`` in a fresh interpreter; is durable imported then?"""
    code = (
        "import sys, time; t = time.perf_counter(); import crampdx; "
        "print(time.perf_counter() - t, 'durable' in sys.modules)"
    )
    runs = []
    durable_loaded = False
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
        runs.append(float(out[0]))
        durable_loaded = out[1] == "True"
    return statistics.median(runs), durable_loaded


def build_time(rules: Path, repeats: int = 5) -> tuple[float, float]:
    """Median seconds to load+compile the knowledge base, and to build its durable ruleset."""
    loads, builds = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        compiled = load_compiled(rules)
        loads.append(time.perf_counter() - started)
        started = time.perf_counter()
        get_engine(compiled, "durable")
        builds.append(time.perf_counter() - started)
    return statistics.median(loads), statistics.median(builds)


def engine_table(
    compiled: CompiledKnowledgeBase, engines: Sequence[str], patients: int, warmup: int
) -> list[str]:
    space = FactSpace.of(compiled)
    reference = get_engine(compiled, "reference")
    rows = []
    for size in SIZES:
        rng = random.Random(size)
        inputs: list[dict[str, FactValue]] = [
            random_patient(rng, space, size) for _ in range(patients + warmup)
        ]
        actual = min(size, len(space.names))
        for name in engines:
            engine = get_engine(compiled, name)
            samples = time_calls(engine.evaluate, inputs, warmup)
            p50, p90, p99 = percentiles(samples)
            mismatches = sum(engine.evaluate(f) != reference.evaluate(f) for f in inputs)
            fired = statistics.mean(len(reference.evaluate(f).fired) for f in inputs[:200])
            rows.append(
                f"| {name} | {actual} | {p50:.2f} | {p90:.2f} | {p99:.2f} | {fired:.0f} "
                f"| {mismatches} |"
            )
    return rows


def assess_table(
    compiled: CompiledKnowledgeBase, engines: Sequence[str], repeats: int
) -> list[str]:
    try:
        from crampdx import assess, load_patient
    except ImportError:
        return ["(crampdx.assess is not available yet)"]
    files = sorted(p for p in _EXAMPLES.glob("*") if p.suffix in (".yaml", ".yml", ".json"))
    records = [load_patient(path) for path in files]
    if not records:
        return ["(no example patients)"]
    rows = []
    for name in engines:

        def run(record: Any, engine: str = name) -> object:
            return assess(record, knowledge_base=compiled, engine=engine)

        samples = time_calls(run, records * repeats, len(records))
        p50, p90, p99 = percentiles(samples)
        rows.append(f"| {name} | {len(records)} | {p50:.2f} | {p90:.2f} | {p99:.2f} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.latency", description=__doc__)
    parser.add_argument("--patients", type=int, default=1500, help="timed patients per size")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--assess-repeats", type=int, default=50)
    args = parser.parse_args(argv)

    rules = freeze_rules()
    compiled = load_compiled(rules)
    engines = [name for name in ("reference", "durable") if name in available_engines()]
    print(
        f"knowledge base {rules_digest(rules)}: {len(compiled.rules)} rules, "
        f"{len(compiled.findings)} facts read; Python {sys.version.split()[0]}"
    )
    seconds, durable_loaded = import_time()
    print(
        f"import crampdx: {seconds * 1e3:.0f} ms (median of 5 fresh interpreters; "
        f"durable_rules imported: {'yes' if durable_loaded else 'no, lazily on first use'})"
    )
    if "durable" in engines:
        load, build = build_time(rules)
        network = get_engine(compiled, "durable").network  # type: ignore[attr-defined]
        print(
            f"load + compile knowledge base: {load * 1e3:.0f} ms; build durable ruleset: "
            f"{build * 1e3:.0f} ms ({len(network.groups)} durable rules, "
            f"{sum(len(g.chains) for g in network.groups)} bindings)"
        )
    print()
    print("| engine | facts/patient | p50 ms | p90 ms | p99 ms | rules fired (mean) | mismatches |")
    print("|---|---|---|---|---|---|---|")
    for row in engine_table(compiled, engines, args.patients, args.warmup):
        print(row)
    print()
    print("full assess() on the example patients:")
    print()
    print("| engine | patients | p50 ms | p90 ms | p99 ms |")
    print("|---|---|---|---|---|")
    for row in assess_table(compiled, engines, args.assess_repeats):
        print(row)
    shutil.rmtree(rules, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
