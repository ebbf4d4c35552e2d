"""The reference engine: the compiled rules evaluated in plain Python.

It is the test oracle for the durable adapter and the engine wherever
durable_rules cannot import. Rules run once each, layer by layer, which is
exact because compiled conditions are monotone (see :mod:`crampdx.kb.compile`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping

from crampdx.engine.base import CompiledKnowledgeBase, EngineName, Evaluation
from crampdx.facts import FactValue
from crampdx.kb.compile import Conjunction, evaluate_test

__all__ = ["ReferenceEngine"]

_PRESENT = "present"

# One rule as the engine runs it: id, alternatives with the fact names each needs, derived fact.
_Rule = tuple[str, tuple[tuple[frozenset[str], Conjunction], ...], str | None]


def _fires(rule: _Rule, known: Mapping[str, FactValue]) -> bool:
    names = known.keys()
    return any(
        needed <= names and all(evaluate_test(test, known) for test in alt)
        for needed, alt in rule[1]
    )


class ReferenceEngine:
    """Pure-Python evaluation; stateless per call, so it is thread-safe by construction."""

    name: EngineName = "reference"

    def __init__(self, compiled: CompiledKnowledgeBase) -> None:
        # Each alternative carries the fact names it needs: most alternatives lack one of
        # them, and a set comparison rejects those before any test is evaluated.
        self._rules: tuple[_Rule, ...] = tuple(
            (
                rule.id,
                tuple((frozenset(t.finding for t in alt), alt) for alt in rule.alternatives),
                getattr(rule.rule.then, "derive", None),
            )
            for rule in compiled.rules
        )
        self._readers: dict[str, list[int]] = {}
        for position, rule in enumerate(self._rules):
            for finding in sorted({name for needed, _ in rule[1] for name in needed}):
                self._readers.setdefault(finding, []).append(position)
        self._affected: dict[str, tuple[int, ...]] = {}
        self._affected_lock = threading.Lock()

    def evaluate(self, facts: Mapping[str, FactValue]) -> Evaluation:
        fired: set[str] = set()
        derived: set[str] = set()
        self._run(range(len(self._rules)), dict(facts), fired, derived)
        return Evaluation(fired=tuple(sorted(fired)), derived=tuple(sorted(derived)))

    def _run(
        self,
        positions: Iterable[int],
        known: dict[str, FactValue],
        fired: set[str],
        derived: set[str],
    ) -> None:
        """Run the rules at ``positions`` in layer order, adding what fires and derives."""
        for position in positions:
            rule = self._rules[position]
            if _fires(rule, known):
                fired.add(rule[0])
                derives = rule[2]
                if derives is not None and derives not in known:
                    known[derives] = _PRESENT
                    derived.add(derives)

    def _rules_affected_by(self, finding: str) -> tuple[int, ...]:
        """Rules that read ``finding``, directly or through the facts such rules derive."""
        with self._affected_lock:
            cached = self._affected.get(finding)
        if cached is not None:
            return cached
        seen: set[int] = set()
        pending = [finding]
        while pending:
            for position in self._readers.get(pending.pop(), ()):
                if position not in seen:
                    seen.add(position)
                    derives = self._rules[position][2]
                    if derives is not None:
                        pending.append(derives)
        affected = tuple(sorted(seen))  # rule order is layer order
        with self._affected_lock:
            self._affected[finding] = affected
        return affected

    def evaluate_changed(
        self, facts: Mapping[str, FactValue], base: Evaluation, finding: str, value: FactValue
    ) -> Evaluation:
        """``evaluate({**facts, finding: value})``, re-running only the rules it can affect.

        ``base`` must be ``evaluate(facts)``. Rules that read neither ``finding`` nor a fact
        derived from it keep their outcome, because every compiled test is positive; this
        is what makes counterfactual "what if" questions cheap.
        """
        affected = self._rules_affected_by(finding)
        affected_ids = {self._rules[position][0] for position in affected}
        fired = {rule_id for rule_id in base.fired if rule_id not in affected_ids}
        kept = {rule[2] for rule in self._rules if rule[2] is not None and rule[0] in fired}
        known: dict[str, FactValue] = dict(facts)
        known[finding] = value
        known.update(dict.fromkeys(kept, _PRESENT))
        derived = set(kept)
        self._run(affected, known, fired, derived)
        return Evaluation(fired=tuple(sorted(fired)), derived=tuple(sorted(derived)))
