"""Next findings worth collecting, measured by re-assessing with each answer.

Candidates are the unrecorded findings that rules of the leading causes still wait
on. Each is tried as present and as absent (or, for a category, as each value the
rules test); the knowledge base is re-evaluated and the change in the leading
causes' probabilities is measured. The findings whose answers move the top of the
differential most are proposed, each phrased as the question or manoeuvre that
records it. Re-evaluation uses the reference engine: it is the oracle the durable
adapter is proven identical to, and it is 5–10 times faster.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crampdx.assessment.rank import CauseScore, logistic, ordered, score_causes
from crampdx.assessment.result import NextFinding, PendingRule, RankedCause
from crampdx.engine.base import CompiledKnowledgeBase
from crampdx.engine.reference import ReferenceEngine
from crampdx.facts import FactValue

__all__ = ["MAX_CANDIDATES", "next_findings"]

MAX_CANDIDATES = 40
SHOWN = 5
_TOP = 5


def _probabilities(scores: Mapping[str, CauseScore]) -> dict[str, float]:
    return {entry.cause_id: logistic(entry.score) for entry in ordered(scores)[:_TOP]}


def _impact(before: Mapping[str, float], after: Mapping[str, float]) -> float:
    causes = set(before) | set(after)
    return sum(abs(after.get(c, 0.0) - before.get(c, 0.0)) for c in causes)


def _summary(
    before: Sequence[str],
    baseline: Mapping[str, float],
    scores: Mapping[str, CauseScore],
    names: Mapping[str, str],
) -> str:
    """What the answer does to the top: who leads, and the largest move among the leaders."""
    top = [entry.cause_id for entry in ordered(scores)[:3]]
    if not top:
        return "no cause would be supported"
    lead = f"{names[top[0]]} {'stays' if top[:1] == list(before[:1]) else 'would rank'} first"
    after = _probabilities(scores)
    moves = {c: after.get(c, 0.0) - baseline.get(c, 0.0) for c in set(after) | set(baseline)}
    cause = max(sorted(moves), key=lambda c: abs(moves[c]))
    if abs(moves[cause]) < 0.05:
        return lead
    verb = "rises" if moves[cause] > 0 else "falls"
    return f"{lead}; {names[cause]} {verb} to {after.get(cause, 0.0):.2f}"


def next_findings(
    compiled: CompiledKnowledgeBase,
    facts: Mapping[str, FactValue],
    differential: Sequence[RankedCause],
    engine: ReferenceEngine,
) -> tuple[NextFinding, ...]:
    vocabulary = compiled.vocabulary
    pending: list[PendingRule] = [p for cause in differential[:_TOP] for p in cause.not_yet_known]
    weight: dict[str, float] = {}
    for rule in pending:
        for name in rule.missing:
            spec = vocabulary.get(name)
            if spec is None or spec.kind == "number" or name.startswith(("derived.", "test.")):
                continue
            weight[name] = weight.get(name, 0.0) + rule.weight
    candidates = sorted(weight, key=lambda n: (-weight[n], n))[:MAX_CANDIDATES]
    if not candidates:
        return ()

    names = {cid: cause.name for cid, cause in compiled.kb.causes.items()}
    base = engine.evaluate(facts)
    baseline_scores = score_causes(compiled, base.fired)
    baseline = _probabilities(baseline_scores)
    leaders = [entry.cause_id for entry in ordered(baseline_scores)[:3]]
    results: list[NextFinding] = []
    for name in candidates:
        spec = vocabulary[name]
        answers = ("present", "absent") if spec.kind == "state" else spec.values
        outcomes: dict[str, tuple[float, str]] = {}
        for answer in answers:
            trial = engine.evaluate_changed(facts, base, name, answer)
            scores = score_causes(compiled, trial.fired)
            outcomes[answer] = (
                _impact(baseline, _probabilities(scores)),
                _summary(leaders, baseline, scores, names),
            )
        impact = max(value for value, _ in outcomes.values())
        if impact <= 0.0:
            continue
        if spec.kind == "state":
            if_present, if_absent = outcomes["present"][1], outcomes["absent"][1]
        else:
            best = max(outcomes, key=lambda a: (outcomes[a][0], a))
            if_present, if_absent = (
                f"if {best}: {outcomes[best][1]}",
                "otherwise: no change at the top",
            )
        results.append(
            NextFinding(
                finding=name,
                question=spec.question,
                impact=round(impact, 4),
                if_present=if_present,
                if_absent=if_absent,
            )
        )
    results.sort(key=lambda f: (-f.impact, f.finding))
    return tuple(results[:SHOWN])
