"""Explanations: which facts made a rule fire, what is still unknown, and the sources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from crampdx.assessment.result import CitationOut, EvidenceItem, FindingValue, PendingRule
from crampdx.engine.base import CompiledKnowledgeBase
from crampdx.facts import VOCABULARY, FactValue
from crampdx.kb.compile import CompiledRule, Conjunction, evaluate_test
from crampdx.kb.model import Citation, Opposes, Phenomenon, Supports

__all__ = ["Truth", "citations_out", "evidence_item", "kleene", "pending_rule", "trigger"]


class Truth(Enum):
    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class RuleTruth:
    truth: Truth
    missing: tuple[str, ...]  # fact names whose recording could make the rule true


def _alternative_truth(
    alternative: Conjunction, facts: Mapping[str, FactValue], derived_unknown: set[str]
) -> tuple[Truth, tuple[str, ...]]:
    missing: list[str] = []
    for test in alternative:
        if test.finding in facts:
            if not evaluate_test(test, facts):
                return Truth.FALSE, ()
        elif test.finding.startswith("derived.") and test.finding not in derived_unknown:
            return Truth.FALSE, ()  # every rule deriving it is already false
        else:
            missing.append(test.finding)
    return (Truth.UNKNOWN, tuple(missing)) if missing else (Truth.TRUE, ())


def kleene(compiled: CompiledKnowledgeBase, facts: Mapping[str, FactValue]) -> dict[str, RuleTruth]:
    """Three-valued truth of every rule on ``facts`` (which already hold derived facts).

    A derived fact that is absent from ``facts`` is unknown while some rule deriving it
    is unknown, and false once all of them are false. Rules are visited layer by layer.
    """
    truths: dict[str, RuleTruth] = {}
    derived_unknown: set[str] = set()
    for rule in compiled.rules:
        results = [_alternative_truth(alt, facts, derived_unknown) for alt in rule.alternatives]
        missing: tuple[str, ...] = ()
        if any(truth is Truth.TRUE for truth, _ in results):
            truth = Truth.TRUE
        elif any(truth is Truth.UNKNOWN for truth, _ in results):
            names = {name for t, miss in results if t is Truth.UNKNOWN for name in miss}
            truth, missing = Truth.UNKNOWN, tuple(sorted(names))
        else:
            truth = Truth.FALSE
        truths[rule.id] = RuleTruth(truth, missing)
        derives = getattr(rule.rule.then, "derive", None)
        if derives is not None and truth is Truth.UNKNOWN:
            derived_unknown.add(derives)
    return truths


def citations_out(
    compiled: CompiledKnowledgeBase, citations: tuple[Citation, ...]
) -> tuple[CitationOut, ...]:
    out = []
    for citation in citations:
        reference = compiled.kb.references.get(citation.key)
        out.append(
            CitationOut(
                key=citation.key,
                citation=reference.citation if reference else citation.key,
                locator=citation.locator,
                url=None if reference is None else reference.url,
            )
        )
    return tuple(out)


def _unit(finding: str) -> str | None:
    spec = VOCABULARY.get(finding)
    return None if spec is None else spec.unit


def trigger(rule: CompiledRule, facts: Mapping[str, FactValue]) -> tuple[FindingValue, ...]:
    """The tests of the first true alternative, with the patient's values and thresholds."""
    for alternative in rule.alternatives:
        if all(evaluate_test(test, facts) for test in alternative):
            return tuple(
                FindingValue(
                    finding=test.finding,
                    value=facts.get(test.finding),
                    unit=_unit(test.finding),
                    op=test.op,
                    threshold=test.value,
                )
                for test in alternative
            )
    return ()


def evidence_item(
    compiled: CompiledKnowledgeBase, rule: CompiledRule, facts: Mapping[str, FactValue]
) -> EvidenceItem:
    effect = rule.rule.then
    if isinstance(effect, Supports):
        kind, weight, defining = "supports", effect.weight, effect.defining
    elif isinstance(effect, Opposes):
        kind, weight, defining = "opposes", effect.weight, False
    elif isinstance(effect, Phenomenon):
        kind, weight, defining = "phenomenon", effect.weight, False
    else:
        kind, weight, defining = "derive", 0.0, False
    return EvidenceItem(
        rule_id=rule.id,
        rule_version=rule.rule.version,
        title=rule.rule.title or rule.id,
        effect=kind,
        weight=weight,
        defining=defining,
        findings=trigger(rule, facts),
        evidence_grade=rule.rule.evidence.value,
        citations=citations_out(compiled, rule.rule.citations),
    )


def pending_rule(rule: CompiledRule, missing: tuple[str, ...]) -> PendingRule:
    effect = rule.rule.then
    assert isinstance(effect, Supports | Opposes)
    return PendingRule(
        rule_id=rule.id,
        title=rule.rule.title or rule.id,
        effect="supports" if isinstance(effect, Supports) else "opposes",
        weight=effect.weight,
        missing=missing,
        evidence_grade=rule.rule.evidence.value,
    )
