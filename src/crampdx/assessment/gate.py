"""The first question: is it a true cramp at all, or a mimic (clinical reference §1)?"""

from __future__ import annotations

from collections.abc import Mapping

from crampdx.assessment.explain import evidence_item
from crampdx.assessment.result import Gate
from crampdx.engine.base import CompiledKnowledgeBase
from crampdx.facts import FactValue
from crampdx.kb.model import Phenomenon

__all__ = ["classify_phenomenon"]

_DEFAULT = "true_cramp"


def classify_phenomenon(
    compiled: CompiledKnowledgeBase, fired: tuple[str, ...], facts: Mapping[str, FactValue]
) -> Gate:
    """The phenomenon with the most evidence; true cramp when nothing points elsewhere.

    True cramp wins ties, because the gate only redirects the differential when a mimic
    has more recorded evidence than the cramp itself.
    """
    phenomena = compiled.kb.phenomena
    scores: dict[str, float] = dict.fromkeys(phenomena, 0.0)
    evidence: dict[str, list[str]] = {key: [] for key in phenomena}
    for rule_id in fired:
        effect = compiled.rule_index[rule_id].rule.then
        if isinstance(effect, Phenomenon) and effect.phenomenon in scores:
            scores[effect.phenomenon] += effect.weight
            evidence[effect.phenomenon].append(rule_id)
    ranking = sorted(scores.items(), key=lambda item: (-item[1], item[0] != _DEFAULT, item[0]))
    if not ranking:
        return Gate(
            phenomenon=_DEFAULT,
            name="True muscle cramp",
            true_cramp=True,
            score=0.0,
            description="No phenomena are defined in this knowledge base.",
            evidence=(),
            alternatives=(),
        )
    chosen, score = ranking[0]
    definition = phenomena[chosen]
    description = definition.description
    if score == 0.0:
        description = (
            "No distinguishing features were recorded; assessed as a true cramp by default. "
            + description
        )
    return Gate(
        phenomenon=chosen,
        name=definition.name,
        true_cramp=definition.true_cramp,
        score=round(score, 6),
        description=description,
        evidence=tuple(
            evidence_item(compiled, compiled.rule_index[rid], facts)
            for rid in sorted(evidence[chosen])
        ),
        alternatives=tuple((key, round(value, 6)) for key, value in ranking[1:] if value > 0),
    )
