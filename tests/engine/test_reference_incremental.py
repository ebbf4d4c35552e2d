"""Re-running only the rules a changed finding reaches gives the full evaluation."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crampdx import Patient, default_knowledge_base, patient_facts
from crampdx.engine.reference import ReferenceEngine
from crampdx.testing.strategies import patients


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patient=patients(), data=st.data())
def test_evaluate_changed_matches_a_full_evaluation(patient: Patient, data: st.DataObject):
    compiled = default_knowledge_base()
    engine = compiled.engine("reference")
    assert isinstance(engine, ReferenceEngine)
    names = sorted(n for n in compiled.findings if not n.startswith("derived."))
    finding = data.draw(st.sampled_from(names))
    spec = compiled.vocabulary[finding]
    if spec.kind == "state":
        value: str | float = data.draw(st.sampled_from(["present", "absent"]))
    elif spec.kind == "category":
        value = data.draw(st.sampled_from(spec.values))
    else:
        value = data.draw(st.floats(min_value=0, max_value=500, allow_nan=False).map(round))
        value = float(value)
    facts = patient_facts(patient)
    base = engine.evaluate(facts)
    assert engine.evaluate_changed(facts, base, finding, value) == engine.evaluate(
        {**facts, finding: value}
    )
