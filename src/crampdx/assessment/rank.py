"""The scoring model: log-odds per cause, bands, status and causal chains.

``score = prior + Σ weight(supports) − Σ weight(opposes)`` over the rules that fired.
A cause is listed when at least one of its supporting rules fired. ``probability`` is
the logistic of the score: the model's reading of the log-odds, not a calibrated risk.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from crampdx.assessment.explain import RuleTruth, Truth, citations_out, evidence_item, pending_rule
from crampdx.assessment.result import Band, EvidenceItem, PendingRule, RankedCause
from crampdx.engine.base import CompiledKnowledgeBase
from crampdx.facts import FactValue
from crampdx.kb.model import Opposes, Supports

__all__ = ["CauseScore", "band_of", "rank_causes", "score_causes"]

# Bands on the log-odds scale: high ≥ 1 (p ≥ 0.73), moderate ≥ -1 (p ≥ 0.27),
# low ≥ -3 (p ≥ 0.05), unlikely below.
_BANDS: tuple[tuple[float, Band], ...] = ((1.0, "high"), (-1.0, "moderate"), (-3.0, "low"))


def band_of(score: float) -> Band:
    return next((band for floor, band in _BANDS if score >= floor), "unlikely")


def logistic(score: float) -> float:
    return 1.0 / (1.0 + math.exp(-score))


@dataclass
class CauseScore:
    cause_id: str
    score: float
    supporting: list[str] = field(default_factory=list)
    conflicting: list[str] = field(default_factory=list)
    defining: bool = False


def score_causes(compiled: CompiledKnowledgeBase, fired: tuple[str, ...]) -> dict[str, CauseScore]:
    """Scores of the causes with at least one supporting rule fired."""
    by_id = compiled.rule_index
    scores: dict[str, CauseScore] = {}
    for rule_id in fired:
        effect = by_id[rule_id].rule.then
        if isinstance(effect, Supports):
            entry = scores.setdefault(
                effect.supports,
                CauseScore(effect.supports, compiled.kb.causes[effect.supports].prior),
            )
            entry.score += effect.weight
            entry.supporting.append(rule_id)
            entry.defining = entry.defining or effect.defining
    for rule_id in fired:
        effect = by_id[rule_id].rule.then
        if isinstance(effect, Opposes) and effect.opposes in scores:
            scores[effect.opposes].score -= effect.weight
            scores[effect.opposes].conflicting.append(rule_id)
    for entry in scores.values():
        entry.score = round(entry.score, 6)
    return scores


def ordered(scores: Mapping[str, CauseScore]) -> list[CauseScore]:
    """Highest score first; ties broken by cause id so the order never varies."""
    return sorted(scores.values(), key=lambda s: (-s.score, s.cause_id))


def rank_causes(
    compiled: CompiledKnowledgeBase,
    scores: Mapping[str, CauseScore],
    facts: Mapping[str, FactValue],
    truths: Mapping[str, RuleTruth],
) -> tuple[RankedCause, ...]:
    kb = compiled.kb
    order = ordered(scores)
    listed = {entry.cause_id for entry in order}
    ranked: list[RankedCause] = []
    for rank, entry in enumerate(order, start=1):
        cause = kb.causes[entry.cause_id]

        def items(rule_ids: list[str]) -> tuple[EvidenceItem, ...]:
            return tuple(
                evidence_item(compiled, compiled.rule_index[rid], facts) for rid in sorted(rule_ids)
            )

        pending: list[PendingRule] = [
            pending_rule(rule, truths[rule.id].missing)
            for rule in compiled.rules_for_cause.get(cause.id, ())
            if truths[rule.id].truth is Truth.UNKNOWN
        ]
        ranked.append(
            RankedCause(
                rank=rank,
                id=cause.id,
                name=cause.name,
                category=cause.category,
                mimic=cause.mimic,
                codes={k: tuple(v) for k, v in cause.codes.model_dump().items() if v},
                score=entry.score,
                probability=round(logistic(entry.score), 4),
                band=band_of(entry.score),
                status="established" if entry.defining else "suspected",
                urgency=cause.urgency,
                supporting=items(entry.supporting),
                conflicting=items(entry.conflicting),
                not_yet_known=tuple(sorted(pending, key=lambda p: (-p.weight, p.rule_id))),
                acts_through=tuple(m for m in cause.mechanisms if m in listed),
                explained_by=tuple(
                    sorted(
                        o.cause_id for o in order if cause.id in kb.causes[o.cause_id].mechanisms
                    )
                ),
                confirm_with=cause.confirm_with,
                citations=citations_out(compiled, cause.citations),
            )
        )
    return tuple(ranked)
