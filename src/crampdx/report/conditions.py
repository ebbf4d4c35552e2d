"""Rule conditions and effects in words, and a condition's truth on one patient.

The readable form is generated from the rule's data, never written by hand, so
it cannot drift from the logic. Truth follows the knowledge base's Kleene
semantics: a leaf on an unrecorded fact is *unknown*, ``not unknown`` is
unknown, ``all`` is false if any part is false, ``any`` is true if any part is
true.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from crampdx.kb.compile import Test, evaluate_test
from crampdx.kb.model import (
    AllOf,
    AnyOf,
    Condition,
    Derive,
    Effect,
    Leaf,
    Not,
    Note,
    Opposes,
    Order,
    Phenomenon,
    RedFlag,
    Supports,
    SuppressTests,
)
from crampdx.report.common import OP_SYMBOLS

__all__ = [
    "LeafTruth",
    "Truth",
    "condition_text",
    "effect_text",
    "evaluate_condition",
    "leaf_text",
    "leaf_truths",
    "missing_findings",
]

Truth = bool | None  # None: unknown

_OP_WORDS = {
    **OP_SYMBOLS,
    "present": "is present",
    "absent": "is absent",
    "in": "is one of",
    "not_in": "is none of",
}


def _value_text(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def leaf_text(leaf: Leaf) -> str:
    """``lab.potassium < 3.5``, ``exam.babinski is present``."""
    words = _OP_WORDS[leaf.op]
    if leaf.value is None:
        return f"{leaf.finding} {words}"
    return f"{leaf.finding} {words} {_value_text(leaf.value)}"


def condition_text(condition: Condition, indent: int = 0) -> str:
    """A condition as indented lines: ALL of / ANY of / NOT, one leaf per line."""
    pad = "  " * indent
    if isinstance(condition, Leaf):
        return f"{pad}{leaf_text(condition)}"
    if isinstance(condition, Not):
        return f"{pad}NOT:\n{condition_text(condition.negated, indent + 1)}"
    label, parts = (
        ("ALL of", condition.all) if isinstance(condition, AllOf) else ("ANY of", condition.any)
    )
    inner = "\n".join(condition_text(part, indent + 1) for part in parts)
    return f"{pad}{label}:\n{inner}"


def effect_text(effect: Effect) -> str:
    """What a rule does, in one line."""
    if isinstance(effect, Supports):
        defining = ", defining criterion" if effect.defining else ""
        return f"supports {effect.supports} (+{effect.weight:g} log-odds{defining})"
    if isinstance(effect, Opposes):
        return f"opposes {effect.opposes} (−{effect.weight:g} log-odds)"
    if isinstance(effect, Derive):
        return f"derives {effect.derive}"
    if isinstance(effect, RedFlag):
        return f"raises red flag {effect.red_flag}"
    if isinstance(effect, Order):
        return f"orders {effect.order} ({effect.urgency}): {effect.reason}"
    if isinstance(effect, Note):
        return f"management note ({effect.level}): {effect.note}"
    if isinstance(effect, Phenomenon):
        return f"evidence for phenomenon {effect.phenomenon} (+{effect.weight:g})"
    if isinstance(effect, SuppressTests):
        return f"no tests needed: {effect.no_tests}"
    raise TypeError(f"unknown effect {effect!r}")  # pragma: no cover - closed union


def _leaf_truth(leaf: Leaf, facts: Mapping[str, float | str]) -> Truth:
    if leaf.finding not in facts:
        return None
    return evaluate_test(Test(leaf.finding, leaf.op, leaf.value), facts)


def evaluate_condition(condition: Condition, facts: Mapping[str, float | str]) -> Truth:
    """Kleene truth of ``condition`` on ``facts`` (``None`` when unknown)."""
    if isinstance(condition, Leaf):
        return _leaf_truth(condition, facts)
    if isinstance(condition, Not):
        inner = evaluate_condition(condition.negated, facts)
        return None if inner is None else not inner
    parts = [
        evaluate_condition(p, facts)
        for p in (condition.all if isinstance(condition, AllOf) else condition.any)
    ]
    decisive = isinstance(condition, AnyOf)  # True decides ANY, False decides ALL
    if decisive in parts:
        return decisive
    return None if None in parts else not decisive


@dataclass(frozen=True, slots=True)
class LeafTruth:
    """One leaf of a condition with the patient's value and its truth."""

    leaf: Leaf
    value: float | str | None
    truth: Truth


def leaf_truths(condition: Condition, facts: Mapping[str, float | str]) -> list[LeafTruth]:
    """Every leaf, in reading order, with the recorded value (``None``: not recorded)."""
    if isinstance(condition, Leaf):
        return [LeafTruth(condition, facts.get(condition.finding), _leaf_truth(condition, facts))]
    if isinstance(condition, Not):
        return leaf_truths(condition.negated, facts)
    parts = condition.all if isinstance(condition, AllOf) else condition.any
    return [truth for part in parts for truth in leaf_truths(part, facts)]


def missing_findings(condition: Condition, facts: Mapping[str, float | str]) -> list[str]:
    """Unrecorded findings the condition reads, without duplicates, in reading order."""
    seen: dict[str, None] = {}
    for item in leaf_truths(condition, facts):
        if item.value is None:
            seen.setdefault(item.leaf.finding, None)
    return list(seen)
