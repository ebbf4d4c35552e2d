"""Run the inline test cases of rules (``tests: {fires: [...], does_not_fire: [...]}``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from crampdx.engine.base import CompiledKnowledgeBase, Engine
from crampdx.facts import FactValue, patient_facts
from crampdx.kb.model import Rule
from crampdx.record.io import parse_patient

__all__ = ["InlineCase", "InlineResult", "inline_cases", "run_inline_case"]


@dataclass(frozen=True, slots=True)
class InlineCase:
    """One inline case of one rule."""

    rule: Rule
    kind: Literal["fires", "does_not_fire"]
    index: int
    snippet: dict[str, object]

    @property
    def name(self) -> str:
        return f"{self.rule.id}[{self.kind}-{self.index}]"


@dataclass(frozen=True, slots=True)
class InlineResult:
    case: InlineCase
    passed: bool
    fired: tuple[str, ...]
    derived: tuple[str, ...]
    facts: dict[str, FactValue]

    def explain(self) -> str:
        """A failure message readable without a debugger."""
        expected = "fire" if self.case.kind == "fires" else "not fire"
        lines = [
            f"rule {self.case.rule.id} was expected to {expected} on case "
            f"{self.case.kind}[{self.case.index}]",
            f"  patient facts: {self.facts}",
            f"  derived: {list(self.derived)}",
            f"  rules fired: {list(self.fired)}",
        ]
        return "\n".join(lines)


def inline_cases(compiled: CompiledKnowledgeBase) -> Iterator[InlineCase]:
    """Every inline case of every active rule, in rule-id order."""
    for rule in sorted(compiled.kb.active_rules(), key=lambda r: r.id):
        for kind in ("fires", "does_not_fire"):
            for index, snippet in enumerate(getattr(rule.tests, kind)):
                yield InlineCase(rule, kind, index, snippet)


def run_inline_case(case: InlineCase, engine: Engine) -> InlineResult:
    """Evaluate one case on ``engine``; ``passed`` tells whether the rule behaved as expected."""
    patient = parse_patient(case.snippet, source=case.name)
    facts = patient_facts(patient)
    evaluation = engine.evaluate(facts)
    fired = case.rule.id in evaluation.fired
    passed = fired if case.kind == "fires" else not fired
    return InlineResult(case, passed, evaluation.fired, evaluation.derived, facts)
