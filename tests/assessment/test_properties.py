"""Properties of the assessment on the shipped knowledge base and generated patients.

* Recording a supporting finding as present never lowers that cause's score.
* Changing a finding from unknown to absent never raises a cause whose rules expect
  it present.
* The output is deterministic, and both engines give the same assessment.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crampdx import Patient, assess, available_engines, default_knowledge_base, patient_facts
from crampdx.assessment.rank import score_causes
from crampdx.engine import CompiledKnowledgeBase
from crampdx.facts import FactValue
from crampdx.kb.compile import CompiledRule
from crampdx.kb.model import Opposes, Supports
from crampdx.testing.strategies import patients

Literal = tuple[str, str]  # (finding, op)

PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _literals(
    compiled: CompiledKnowledgeBase, rule: CompiledRule, seen: frozenset[str]
) -> Iterator[Literal]:
    """Every (finding, op) a rule depends on, through the rules that derive its inputs."""
    for alternative in rule.alternatives:
        for test in alternative:
            yield test.finding, test.op
            if test.finding.startswith("derived.") and test.finding not in seen:
                for other in compiled.rules:
                    if getattr(other.rule.then, "derive", None) == test.finding:
                        yield from _literals(compiled, other, seen | {test.finding})


@cache
def supporting_pairs() -> tuple[tuple[str, str], ...]:
    """(cause, finding) where the finding only ever speaks for the cause when present."""
    compiled = default_knowledge_base()
    pairs = []
    for cause, rules in compiled.rules_for_cause.items():
        supports: set[Literal] = set()
        opposes: set[Literal] = set()
        for rule in rules:
            target = supports if isinstance(rule.rule.then, Supports) else opposes
            target.update(_literals(compiled, rule, frozenset()))
        opposed = {finding for finding, _ in opposes}
        for finding, op in sorted(supports):
            only_present = (finding, "absent") not in supports and finding not in opposed
            if op == "present" and not finding.startswith("derived.") and only_present:
                pairs.append((cause, finding))
    return tuple(pairs)


def raw_score(compiled: CompiledKnowledgeBase, facts: dict[str, FactValue], cause: str) -> float:
    """prior + supports - opposes for one cause, whether or not it would be listed."""
    fired = compiled.engine("reference").evaluate(facts).fired
    total = compiled.kb.causes[cause].prior
    for rule_id in fired:
        effect = compiled.rule_index[rule_id].rule.then
        if isinstance(effect, Supports) and effect.supports == cause:
            total += effect.weight
        elif isinstance(effect, Opposes) and effect.opposes == cause:
            total -= effect.weight
    return total


def test_some_pairs_exist():
    """Guards the properties below against vacuity as the knowledge base changes."""
    assert len(supporting_pairs()) > 20


@PROPERTY_SETTINGS
@given(patient=patients(), data=st.data())
def test_supporting_finding_never_lowers_its_cause(patient: Patient, data: st.DataObject):
    compiled = default_knowledge_base()
    cause, finding = data.draw(st.sampled_from(supporting_pairs()))
    facts = patient_facts(patient)
    facts.pop(finding, None)
    before = raw_score(compiled, facts, cause)
    after = raw_score(compiled, {**facts, finding: "present"}, cause)
    assert after >= before, f"{finding}=present lowered {cause}: {before} -> {after}"


@PROPERTY_SETTINGS
@given(patient=patients(), data=st.data())
def test_unknown_to_absent_never_raises_a_cause_expecting_present(
    patient: Patient, data: st.DataObject
):
    compiled = default_knowledge_base()
    cause, finding = data.draw(st.sampled_from(supporting_pairs()))
    facts = patient_facts(patient)
    facts.pop(finding, None)
    before = raw_score(compiled, facts, cause)
    after = raw_score(compiled, {**facts, finding: "absent"}, cause)
    assert after <= before, f"{finding}=absent raised {cause}: {before} -> {after}"


@PROPERTY_SETTINGS
@given(patient=patients())
def test_listed_scores_match_the_scoring_model(patient: Patient):
    compiled = default_knowledge_base()
    result = assess(patient, engine="reference")
    scores = score_causes(
        compiled, compiled.engine("reference").evaluate(patient_facts(patient)).fired
    )
    assert [c.id for c in result.differential] == sorted(
        scores, key=lambda c: (-scores[c].score, c)
    )
    for cause in result.differential:
        assert cause.score == pytest.approx(scores[cause.id].score)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patient=patients())
def test_output_is_deterministic_and_engines_agree(patient: Patient):
    first = assess(patient, engine="reference").to_json()
    assert assess(patient, engine="reference").to_json() == first
    if "durable" in available_engines():
        durable = assess(patient, engine="durable").to_json()
        assert durable.replace('"engine": "durable"', '"engine": "reference"') == first
