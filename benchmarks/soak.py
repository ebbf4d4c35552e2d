"""Soak test: many random patients over many threads, every durable result checked.

Usage::

    python -m benchmarks.soak --patients 200000 --threads 8 --engine both

Patients are split into chunks; each chunk runs in its own worker process with
``--threads`` threads sharing one engine per knowledge base. A worker that dies
(a segfault in durable's C core, say) is counted as a crash and its unfinished
patients as lost; the soak goes on. Engine errors (``EngineError``), other
exceptions and mismatches against the reference engine are counted separately.

Engines: ``both`` (default) evaluates every patient on durable and reference and
compares them; ``durable`` evaluates on durable and checks ``--verify`` of the
patients against reference; ``reference`` only runs the reference engine.

Patient ``i`` of seed ``s`` is always the same, so a mismatch can be replayed
with ``--replay i``. The rules folder is copied once at start, so edits made to
``rules/`` during the run do not change what is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import FactSpace, freeze_rules, load_compiled, random_patient, rules_digest

_PROGRESS_SECONDS = 2.0
_MAX_REPORTED_MISMATCHES = 5
_MAX_STARTUP_RETRIES = 20


@dataclass
class Tally:
    """Counts from one worker, or from the whole soak."""

    done: int = 0
    engine_errors: int = 0
    other_errors: int = 0
    mismatches: int = 0
    checked: int = 0
    durable_seconds: float = 0.0
    reference_seconds: float = 0.0
    max_rss_kb: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in (
            "done",
            "engine_errors",
            "other_errors",
            "mismatches",
            "checked",
            "durable_seconds",
            "reference_seconds",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.max_rss_kb = max(self.max_rss_kb, other.max_rss_kb)
        room = _MAX_REPORTED_MISMATCHES - len(self.examples)
        self.examples.extend(other.examples[: max(room, 0)])


def patient(seed: int, index: int, space: FactSpace, max_facts: int) -> dict[str, Any]:
    """Patient ``index`` of ``seed``: the same facts on every run and every machine."""
    rng = random.Random(seed * 1_000_003 + index)
    return random_patient(rng, space, rng.randint(0, max_facts))


# --------------------------------------------------------------------------- worker


def _worker(args: argparse.Namespace) -> int:
    from crampdx.engine import get_engine
    from crampdx.errors import EngineError

    compiled = load_compiled(Path(args.rules))
    space = FactSpace.of(compiled)
    durable = get_engine(compiled, "durable") if args.engine != "reference" else None
    reference = get_engine(compiled, "reference")
    indices = iter(range(args.start, args.start + args.count))
    take = threading.Lock()
    totals = Tally()
    totals_lock = threading.Lock()
    verify_every = max(1, round(1 / args.verify)) if args.verify > 0 else 0
    # Failures before this line (an import error while sources are being edited, a
    # rules folder that does not load) are not engine crashes: the parent retries.
    print(json.dumps({"ready": True}), flush=True)

    def next_index() -> int | None:
        with take:
            return next(indices, None)

    def work() -> None:
        local = Tally()
        while (index := next_index()) is not None:
            facts = patient(args.seed, index, space, args.max_facts)
            check = args.engine == "both" or (verify_every and index % verify_every == 0)
            try:
                got = None
                if durable is not None:
                    started = time.perf_counter()
                    got = durable.evaluate(facts)
                    local.durable_seconds += time.perf_counter() - started
                if durable is None or check:
                    started = time.perf_counter()
                    expected = reference.evaluate(facts)
                    local.reference_seconds += time.perf_counter() - started
                    if got is not None:
                        local.checked += 1
                        if got != expected:
                            local.mismatches += 1
                            if len(local.examples) < _MAX_REPORTED_MISMATCHES:
                                local.examples.append({"patient": index, "facts": facts})
            except EngineError as error:
                local.engine_errors += 1
                if len(local.examples) < _MAX_REPORTED_MISMATCHES:
                    local.examples.append({"patient": index, "error": str(error)})
            except Exception as error:
                local.other_errors += 1
                if len(local.examples) < _MAX_REPORTED_MISMATCHES:
                    local.examples.append({"patient": index, "error": repr(error)})
            local.done += 1
            if local.done % 200 == 0:
                with totals_lock:
                    totals.add(local)
                local = Tally()
        with totals_lock:
            totals.add(local)

    def report(final: bool) -> None:
        with totals_lock:
            line = asdict(totals) | {
                "final": final,
                "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            }
        print(json.dumps(line), flush=True)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(args.threads)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        threads[0].join(_PROGRESS_SECONDS)
        report(final=False)
    report(final=True)
    return 0


# --------------------------------------------------------------------------- parent


@dataclass
class _Chunk:
    start: int
    count: int


def _chunks(total: int, size: int) -> Iterator[_Chunk]:
    for start in range(0, total, size):
        yield _Chunk(start, min(size, total - start))


@dataclass
class _Outcome:
    tally: Tally
    started: bool  # the worker built its engines and began evaluating
    crashed: bool  # it died (or failed) after that
    detail: str


def _run_chunk(args: argparse.Namespace, rules: Path, chunk: _Chunk) -> _Outcome:
    """Run one worker process on one chunk of patients."""
    command = [
        sys.executable,
        "-m",
        "benchmarks.soak",
        "--worker",
        "--rules",
        str(rules),
        "--start",
        str(chunk.start),
        "--patients",
        str(chunk.count),
        "--threads",
        str(args.threads),
        "--engine",
        args.engine,
        "--seed",
        str(args.seed),
        "--max-facts",
        str(args.max_facts),
        "--verify",
        str(args.verify),
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_worker_env()
    )
    last: dict[str, Any] = {}
    started = False
    assert process.stdout is not None
    for line in process.stdout:
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        started = started or bool(message.get("ready"))
        if "done" in message:
            last = message
    stderr = process.stderr.read() if process.stderr else ""
    code = process.wait()
    tally = Tally(**{k: v for k, v in last.items() if k in Tally.__dataclass_fields__})
    failed = code != 0 or not last.get("final", False)
    tail = " | ".join(stderr.strip().splitlines()[-3:])
    detail = f"exit code {code}, after {tally.done} patients: {tail}" if failed else ""
    return _Outcome(tally, started, started and failed, detail)


def _worker_env() -> dict[str, str]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH", "")]))
    return env


def _parent(args: argparse.Namespace) -> int:
    rules = freeze_rules()
    try:
        digest = rules_digest(rules)
        compiled = load_compiled(rules)
        print(
            f"soak: {args.patients} patients, {args.threads} threads x {args.workers} worker "
            f"processes, engine={args.engine}, seed={args.seed}, up to {args.max_facts} facts; "
            f"knowledge base {digest}: {len(compiled.rules)} rules reading "
            f"{len(compiled.findings)} facts",
            flush=True,
        )
        chunk_size = args.chunk or max(1, min(25_000, -(-args.patients // (args.workers * 4))))
        pending = list(_chunks(args.patients, chunk_size))
        totals, crashes, lost, retries = Tally(), 0, 0, 0
        lock = threading.Lock()
        started = time.perf_counter()
        last_print = [started]
        crash_details: list[str] = []

        def drive() -> None:
            nonlocal crashes, lost, retries
            while True:
                with lock:
                    if not pending:
                        return
                    chunk = pending.pop(0)
                outcome = _run_chunk(args, rules, chunk)
                with lock:
                    if not outcome.started:
                        retries += 1
                        crash_details.append(f"start-up failure, retried: {outcome.detail}")
                        if retries > _MAX_STARTUP_RETRIES:
                            lost += chunk.count
                        else:
                            pending.append(chunk)
                        continue
                    totals.add(outcome.tally)
                    if outcome.crashed:
                        crashes += 1
                        lost += chunk.count - outcome.tally.done
                        crash_details.append(f"crash in chunk at {chunk.start}: {outcome.detail}")
                    now = time.perf_counter()
                    if now - last_print[0] > 30:
                        last_print[0] = now
                        rate = totals.done / (now - started)
                        print(f"  ... {totals.done} patients, {rate:.0f}/s", flush=True)

        drivers = [threading.Thread(target=drive) for _ in range(args.workers)]
        for driver in drivers:
            driver.start()
        for driver in drivers:
            driver.join()
        wall = time.perf_counter() - started
    finally:
        shutil.rmtree(rules, ignore_errors=True)

    for detail in crash_details:
        print(f"  {detail}")
    for example in totals.examples:
        print(f"  example: {json.dumps(example)[:400]}")
    per_patient = {
        "durable": totals.durable_seconds / max(totals.done, 1) * 1e3,
        "reference": totals.reference_seconds / max(totals.checked or totals.done, 1) * 1e3,
    }
    print(
        f"SUMMARY engine={args.engine} patients={args.patients} done={totals.done} "
        f"threads={args.threads} workers={args.workers} crashes={crashes} lost={lost} "
        f"startup_retries={retries} "
        f"engine_errors={totals.engine_errors} other_errors={totals.other_errors} "
        f"checked={totals.checked} mismatches={totals.mismatches} wall={wall:.1f}s "
        f"rate={totals.done / wall:.0f}/s durable_ms={per_patient['durable']:.2f} "
        f"reference_ms={per_patient['reference']:.2f} worker_max_rss={totals.max_rss_kb // 1024}MB"
    )
    failed = crashes or lost or totals.engine_errors or totals.other_errors or totals.mismatches
    return 1 if failed else 0


def _replay(args: argparse.Namespace) -> int:
    from crampdx.engine import get_engine

    compiled = load_compiled()
    facts = patient(args.seed, args.replay, FactSpace.of(compiled), args.max_facts)
    print(json.dumps(facts, indent=1, sort_keys=True))
    for name in ("reference", "durable"):
        print(name, get_engine(compiled, name).evaluate(facts))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__)
    parser.add_argument("--patients", type=int, default=20_000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--engine", choices=("both", "durable", "reference"), default="both")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--chunk", type=int, default=0, help="patients per worker process")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-facts", type=int, default=60, help="facts per patient, at most")
    parser.add_argument(
        "--verify", type=float, default=0.1, help="share of patients checked with --engine durable"
    )
    parser.add_argument("--replay", type=int, help="print patient N and both evaluations")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rules", help=argparse.SUPPRESS)
    parser.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        args.count = args.patients
        return _worker(args)
    if args.replay is not None:
        return _replay(args)
    return _parent(args)


if __name__ == "__main__":
    sys.exit(main())
