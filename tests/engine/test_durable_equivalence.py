"""The durable engine returns exactly the reference engine's Evaluation.

The reference engine is the oracle. Facts are generated directly over the names
the shipped knowledge base reads (whatever is in ``rules/`` now), with the values
of each name's kind and every numeric threshold of the rules together with its
neighbouring floats, so each comparison boundary is hit and missed by one ulp.

Set ``CRAMPDX_EQUIVALENCE_EXAMPLES`` to run more than the default 200 examples.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import astuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crampdx.engine import CompiledKnowledgeBase, Engine
from crampdx.facts import FactValue
from crampdx.kb.cases import inline_cases, run_inline_case

MakePatients = Callable[[int, int, int], list[dict[str, FactValue]]]
EXAMPLES = int(os.environ.get("CRAMPDX_EQUIVALENCE_EXAMPLES", "200"))


def _inline_failures(compiled: CompiledKnowledgeBase, engine: Engine) -> list[str]:
    results = (run_inline_case(case, engine) for case in inline_cases(compiled))
    return [result.explain() for result in results if not result.passed]


def test_inline_cases_pass_on_reference(compiled: CompiledKnowledgeBase, reference: Engine) -> None:
    failures = [
        result.explain()
        for result in (run_inline_case(case, reference) for case in inline_cases(compiled))
        if not result.passed
    ]
    assert not failures, "\n".join(failures)


def test_inline_cases_pass_on_durable_with_identical_evaluations(
    compiled: CompiledKnowledgeBase, reference: Engine, durable: Engine
) -> None:
    failures, differing = [], []
    for case in inline_cases(compiled):
        result = run_inline_case(case, durable)
        if not result.passed:
            failures.append(result.explain())
        if (result.fired, result.derived) != astuple(reference.evaluate(result.facts)):
            differing.append(case.name)
    assert not failures, "\n".join(failures)
    assert not differing


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_engines_agree_on_generated_facts(
    data: st.DataObject,
    fact_dicts: st.SearchStrategy[dict[str, FactValue]],
    reference: Engine,
    durable: Engine,
) -> None:
    facts = data.draw(fact_dicts, label="facts")
    assert durable.evaluate(facts) == reference.evaluate(facts)


def test_engines_agree_when_derived_findings_are_given(
    compiled: CompiledKnowledgeBase,
    reference: Engine,
    durable: Engine,
    make_patients: MakePatients,
) -> None:
    # A derived finding supplied as input is known: rules deriving it add nothing,
    # and "absent" blocks the rules that read it, on both engines.
    derived = sorted(name for name in compiled.findings if name.startswith("derived."))
    if not derived:
        pytest.skip("the knowledge base reads no derived finding")
    for index, facts in enumerate(make_patients(7, 200, 60)):
        facts[derived[index % len(derived)]] = "absent" if index % 2 else "present"
        assert durable.evaluate(facts) == reference.evaluate(facts), facts


def test_threads_never_mix_patients(
    reference: Engine, durable: Engine, make_patients: MakePatients
) -> None:
    threads, per_thread = 8, 200
    mismatches: list[dict[str, FactValue]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def work(seed: int) -> None:
        try:
            patients = make_patients(seed, per_thread, 30)
            start.wait()
            for facts in patients:
                if durable.evaluate(facts) != reference.evaluate(facts):
                    mismatches.append(facts)
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    workers = [threading.Thread(target=work, args=(seed,)) for seed in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors
    assert not mismatches
