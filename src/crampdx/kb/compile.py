"""Compile rule conditions to an engine-neutral form both engines execute.

Three-valued (Kleene) conditions are rewritten in two steps:

1. *Negation normal form*: ``not`` is pushed down to the leaves with De Morgan's
   laws, and a negated leaf becomes the complementary test on a fact that is
   known (``not present`` → ``absent``, ``not lt`` → ``ge``…). Under Kleene logic
   this is exact: a negated leaf is true only when the fact is recorded and fails
   the test, never when it is missing.
2. *Disjunctive normal form*: a rule becomes alternatives (``any``), each a
   conjunction of tests grouped by fact name (one binding per fact).

Every compiled test is positive ("this fact exists and satisfies this"), so
evaluation is monotone: recording a fact can only add firings through it, and
forward chaining needs no truth maintenance. Derived findings may only be
tested with ``present``; rules are layered so that a rule reading a derived
finding runs after every rule that can derive it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from crampdx.kb.model import AllOf, Condition, Leaf, Not, Op, Rule

__all__ = [
    "MAX_ALTERNATIVES",
    "CompiledRule",
    "Conjunction",
    "Test",
    "compile_condition",
    "compile_rules",
    "evaluate_test",
]

# A rule expanding to more alternatives than this is rejected by the linter: it is
# unreadable for reviewers and multiplies durable_rules' network size.
MAX_ALTERNATIVES = 64

PositiveOp = Literal["present", "absent", "eq", "ne", "lt", "le", "gt", "ge", "in", "not_in"]

_COMPLEMENT: dict[Op, Op] = {
    "present": "absent",
    "absent": "present",
    "eq": "ne",
    "ne": "eq",
    "lt": "ge",
    "ge": "lt",
    "le": "gt",
    "gt": "le",
    "in": "not_in",
    "not_in": "in",
}


@dataclass(frozen=True, slots=True)
class Test:
    """A positive test on one recorded fact."""

    finding: str
    op: Op
    value: float | str | tuple[str, ...] | None = None


# One alternative: every test must hold. Tests are sorted; several may share a fact.
Conjunction = tuple[Test, ...]


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule ready to run: its alternatives, its layer and where its effect goes."""

    rule: Rule
    alternatives: tuple[Conjunction, ...]
    layer: int

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def findings(self) -> frozenset[str]:
        return frozenset(test.finding for alt in self.alternatives for test in alt)


def _nnf(condition: Condition, negate: bool) -> list[list[Test]]:
    """DNF of ``condition`` (or of its negation) as a list of conjunctions."""
    if isinstance(condition, Leaf):
        op = _COMPLEMENT[condition.op] if negate else condition.op
        return [[Test(condition.finding, op, condition.value)]]
    if isinstance(condition, Not):
        return _nnf(condition.negated, not negate)
    parts = condition.all if isinstance(condition, AllOf) else condition.any
    conjunctive = isinstance(condition, AllOf) != negate
    expanded = [_nnf(part, negate) for part in parts]
    if not conjunctive:
        return [alt for alts in expanded for alt in alts]
    return [
        [test for alt in combination for test in alt]
        for combination in itertools.product(*expanded)
    ]


def _sort_key(test: Test) -> tuple[str, str, str]:
    return (test.finding, test.op, repr(test.value))


def compile_condition(condition: Condition) -> tuple[Conjunction, ...]:
    """The alternatives of a condition, deduplicated and in a stable order."""
    alternatives: dict[Conjunction, None] = {}
    for alt in _nnf(condition, negate=False):
        conjunction = tuple(sorted(set(alt), key=_sort_key))
        alternatives.setdefault(conjunction, None)
    return tuple(alternatives)


def evaluate_test(test: Test, facts: Mapping[str, float | str]) -> bool:
    """Is ``test`` true on ``facts``? A missing fact makes every test false."""
    value = facts.get(test.finding)
    if value is None:
        return False
    op, expected = test.op, test.value
    if op == "present" or op == "absent":
        return value == op
    if op == "eq":
        return value == expected
    if op == "ne":
        return value != expected
    if op == "in":
        return isinstance(expected, tuple) and value in expected
    if op == "not_in":
        return isinstance(expected, tuple) and value not in expected
    if not isinstance(value, float) or not isinstance(expected, float):
        return False
    if op == "lt":
        return value < expected
    if op == "le":
        return value <= expected
    if op == "gt":
        return value > expected
    return value >= expected  # "ge"


def compile_rules(rules: tuple[Rule, ...]) -> tuple[CompiledRule, ...]:
    """Compile and layer active rules; derivations run before the rules that read them.

    The linter rejects derivation cycles before this is called; a cycle here would
    leave rules unlayered, so it raises ``ValueError`` as a last line of defence.
    """
    active = [rule for rule in rules if rule.status.value == "active"]
    alternatives = {rule.id: compile_condition(rule.when) for rule in active}
    derivers: dict[str, list[str]] = {}
    for rule in active:
        derived = getattr(rule.then, "derive", None)
        if derived is not None:
            derivers.setdefault(derived, []).append(rule.id)
    layers: dict[str, int] = {}

    def layer_of(rule_id: str, stack: tuple[str, ...]) -> int:
        if rule_id in layers:
            return layers[rule_id]
        if rule_id in stack:
            raise ValueError(f"derivation cycle through {' -> '.join((*stack, rule_id))}")
        reads = {t.finding for alt in alternatives[rule_id] for t in alt}
        below = [
            layer_of(deriver, (*stack, rule_id))
            for finding in sorted(reads)
            for deriver in derivers.get(finding, ())
        ]
        layers[rule_id] = 1 + max(below) if below else 0
        return layers[rule_id]

    compiled = [CompiledRule(rule, alternatives[rule.id], layer_of(rule.id, ())) for rule in active]
    return tuple(sorted(compiled, key=lambda c: (c.layer, c.id)))
