"""The reference engine: the compiled rules evaluated in plain Python.

It is the test oracle for the durable adapter and the engine wherever
durable_rules cannot import. Rules run once each, layer by layer, which is
exact because compiled conditions are monotone (see :mod:`crampdx.kb.compile`).
"""

from __future__ import annotations

from collections.abc import Mapping

from crampdx.engine.base import CompiledKnowledgeBase, EngineName, Evaluation
from crampdx.facts import FactValue
from crampdx.kb.compile import evaluate_test

__all__ = ["ReferenceEngine"]

_PRESENT = "present"


class ReferenceEngine:
    """Pure-Python evaluation; stateless, so it is thread-safe by construction."""

    name: EngineName = "reference"

    def __init__(self, compiled: CompiledKnowledgeBase) -> None:
        # Each alternative carries the fact names it needs: most alternatives lack one of
        # them, and a set comparison rejects those before any test is evaluated.
        self._rules = tuple(
            (
                rule.id,
                tuple((frozenset(t.finding for t in alt), alt) for alt in rule.alternatives),
                getattr(rule.rule.then, "derive", None),
            )
            for rule in compiled.rules
        )

    def evaluate(self, facts: Mapping[str, FactValue]) -> Evaluation:
        known: dict[str, FactValue] = dict(facts)
        names = known.keys()
        fired: list[str] = []
        derived: list[str] = []
        for rule_id, alternatives, derives in self._rules:
            if any(
                needed <= names and all(evaluate_test(test, known) for test in alt)
                for needed, alt in alternatives
            ):
                fired.append(rule_id)
                if derives is not None and derives not in known:
                    known[derives] = _PRESENT
                    derived.append(derives)
        return Evaluation(fired=tuple(sorted(fired)), derived=tuple(sorted(derived)))
