"""The workup plan: which tests, in which order, and why (clinical reference §4).

Tests come from the rules that order them and from the confirm-or-exclude lists of
the leading causes. The plan orders them by urgency, then tier (bloods, then
neurophysiology, antibodies, genetics, imaging, tissue), then by how much of the
leading differential each one tells apart, then cost. Tests already done (or whose
analyte is already measured) within their validity window are skipped, with the
reason. When a rule says the published logic needs no tests (typical idiopathic
nocturnal leg cramps with a normal examination) and nothing more urgent competes,
the plan is a medication review only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from crampdx.assessment.explain import citations_out
from crampdx.assessment.rank import logistic
from crampdx.assessment.result import RankedCause, RedFlagOut, SkippedTest, WorkupItem
from crampdx.engine.base import CompiledKnowledgeBase
from crampdx.kb.model import Order, SuppressTests, TestDef, Urgency
from crampdx.record.patient import Patient

__all__ = ["LEADING_CAUSES", "WorkupPlan", "plan_workup"]

# How many causes at the top of the differential drive confirm-or-exclude tests.
LEADING_CAUSES = 5
# Causes below this score (log-odds) are too unlikely to justify their own tests.
LEADING_FLOOR = -3.0

_MEDICATION_REVIEW = "medication_review"


@dataclass
class _Candidate:
    test: TestDef
    urgency: Urgency = Urgency.ROUTINE
    reasons: list[str] = field(default_factory=list)
    distinguishes: list[str] = field(default_factory=list)
    rule_ids: list[str] = field(default_factory=list)
    separation: float = 0.0


@dataclass(frozen=True)
class WorkupPlan:
    items: tuple[WorkupItem, ...]
    skipped: tuple[SkippedTest, ...]
    no_tests_reason: str | None


def _done_reason(test: TestDef, patient: Patient) -> str | None:
    """Why ``test`` need not be repeated, or None when it is needed."""
    today = patient.assessment_date

    def fresh(when: dt.date | None) -> bool:
        if when is None or today is None or test.valid_days is None:
            return True
        return (today - when).days <= test.valid_days

    for done in patient.tests_done:
        if done.test == test.id and fresh(done.date):
            on = f" on {done.date.isoformat()}" if done.date else ""
            return f"already done{on} ({done.result.value})"
    for analyte in test.analytes:
        for lab in patient.labs:
            if lab.analyte.value == analyte and fresh(lab.collected):
                on = f" on {lab.collected.isoformat()}" if lab.collected else ""
                return f"{analyte.replace('_', ' ')} already measured{on}"
    return None


def _leading(differential: Sequence[RankedCause]) -> list[RankedCause]:
    return [c for c in differential[:LEADING_CAUSES] if c.score >= LEADING_FLOOR]


def plan_workup(
    compiled: CompiledKnowledgeBase,
    patient: Patient,
    fired: tuple[str, ...],
    differential: Sequence[RankedCause],
    red_flags: Sequence[RedFlagOut],
) -> WorkupPlan:
    kb = compiled.kb
    candidates: dict[str, _Candidate] = {}

    def candidate(test_id: str) -> _Candidate:
        return candidates.setdefault(test_id, _Candidate(kb.catalogue[test_id]))

    suppress: list[tuple[str, str]] = []
    for rule_id in fired:
        effect = compiled.rule_index[rule_id].rule.then
        if isinstance(effect, Order):
            entry = candidate(effect.order)
            entry.urgency = max(entry.urgency, Urgency[effect.urgency])
            entry.reasons.append(effect.reason)
            entry.rule_ids.append(rule_id)
        elif isinstance(effect, SuppressTests):
            suppress.append((rule_id, effect.no_tests))

    leading = _leading(differential)
    top_band_causes = {c.id for c in differential[:3] if c.band in ("high", "moderate")}
    for cause in leading:
        weight = logistic(cause.score)
        for test_id in cause.confirm_with:
            entry = candidate(test_id)
            entry.distinguishes.append(cause.id)
            entry.separation += weight
            if cause.id in top_band_causes:
                entry.urgency = max(entry.urgency, Urgency[cause.urgency])

    no_tests_reason = _no_tests(suppress, differential, red_flags)
    if no_tests_reason is not None:
        keep = {tid: c for tid, c in candidates.items() if c.urgency >= Urgency.SOON and c.rule_ids}
        if _MEDICATION_REVIEW in kb.catalogue:
            review = keep.setdefault(
                _MEDICATION_REVIEW, _Candidate(kb.catalogue[_MEDICATION_REVIEW])
            )
            review.reasons.append(no_tests_reason)
        candidates = keep

    # Prerequisites come along: genetics after neurophysiology, and so on.
    pending = list(candidates)
    while pending:
        test_id = pending.pop()
        for prerequisite in kb.catalogue[test_id].prerequisites:
            if prerequisite not in candidates:
                entry = candidate(prerequisite)
                entry.reasons.append(f"needed before {kb.catalogue[test_id].name}")
                pending.append(prerequisite)
            candidates[prerequisite].urgency = max(
                candidates[prerequisite].urgency, candidates[test_id].urgency
            )

    skipped: list[SkippedTest] = []
    planned: list[_Candidate] = []
    for test_id in sorted(candidates):
        entry = candidates[test_id]
        reason = _done_reason(entry.test, patient)
        if reason is not None:
            skipped.append(SkippedTest(test=test_id, name=entry.test.name, reason=reason))
        else:
            planned.append(entry)

    planned.sort(
        key=lambda c: (-c.urgency, c.test.tier, -round(c.separation, 6), c.test.cost, c.test.id)
    )
    in_plan = {c.test.id for c in planned}
    items = tuple(
        WorkupItem(
            order=index,
            test=entry.test.id,
            name=entry.test.name,
            tier=entry.test.tier,
            category=entry.test.category,
            urgency=entry.urgency.name,
            reasons=tuple(dict.fromkeys(entry.reasons))
            or (f"to confirm or exclude: {', '.join(sorted(entry.distinguishes))}",),
            distinguishes=tuple(sorted(set(entry.distinguishes))),
            separation=round(entry.separation, 4),
            after=tuple(p for p in entry.test.prerequisites if p in in_plan),
            cost=entry.test.cost,
            invasiveness=entry.test.invasiveness,
            codes={k: tuple(v) for k, v in entry.test.codes.model_dump().items() if v},
            rule_ids=tuple(sorted(set(entry.rule_ids))),
            citations=citations_out(compiled, entry.test.citations),
        )
        for index, entry in enumerate(planned, start=1)
    )
    return WorkupPlan(items=items, skipped=tuple(skipped), no_tests_reason=no_tests_reason)


def _no_tests(
    suppress: list[tuple[str, str]],
    differential: Sequence[RankedCause],
    red_flags: Sequence[RedFlagOut],
) -> str | None:
    """The no-tests reason, if it applies: its cause leads and no flag demands action."""
    if not suppress or not differential:
        return None
    if any(Urgency[flag.urgency] > Urgency.ROUTINE for flag in red_flags):
        return None
    top = differential[0].id
    for rule_id, reason in sorted(suppress):
        if rule_id.split(".", 1)[0] == top:
            return reason
    return None
