"""Tests for ``crampdx.assess`` against a small fixture knowledge base.

The fixture (tests/assessment/kb/) is independent of the shipped rules, so these tests
pin the behaviour of the scoring model, explanations and workup logic themselves.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pytest

from crampdx import InvalidPatientError, assess, load_knowledge_base
from crampdx.assessment.result import Assessment
from crampdx.engine import CompiledKnowledgeBase

KB_DIR = Path(__file__).parent / "kb"


@pytest.fixture(scope="module")
def kb() -> CompiledKnowledgeBase:
    return CompiledKnowledgeBase(load_knowledge_base(KB_DIR))


def run(kb: CompiledKnowledgeBase, patient: dict[str, Any]) -> Assessment:
    return assess(patient, knowledge_base=kb, engine="reference")


def k(value: float, **extra: Any) -> dict[str, Any]:
    return {"analyte": "potassium", "value": value, "unit": "mmol/L", **extra}


class TestDifferential:
    def test_score_is_prior_plus_weights_and_defining_rule_establishes(self, kb):
        result = run(kb, {"labs": [k(3.0)], "symptoms": {"weakness": "present"}})
        lowk = result.cause("lowk")
        assert lowk is not None
        assert lowk.score == pytest.approx(-3.0 + 5.0 + 0.5)
        assert lowk.probability == pytest.approx(1 / (1 + math.exp(-2.5)), abs=1e-4)
        assert lowk.band == "high"
        assert lowk.status == "established"
        assert [e.rule_id for e in lowk.supporting] == ["lowk.defining", "lowk.weakness"]

    def test_suspected_without_defining_criterion(self, kb):
        lowk = run(kb, {"symptoms": {"weakness": "present"}}).cause("lowk")
        assert lowk is not None
        assert lowk.status == "suspected"

    def test_unknown_never_counts_against(self, kb):
        unknown = run(kb, {"symptoms": {"weakness": "present"}}).cause("lowk")
        known_normal = run(kb, {"symptoms": {"weakness": "present"}, "labs": [k(4.2)]}).cause(
            "lowk"
        )
        assert unknown is not None
        assert known_normal is not None
        assert unknown.conflicting == ()
        assert [e.rule_id for e in known_normal.conflicting] == ["lowk.normal-k"]
        assert known_normal.score < unknown.score
        pending = {p.rule_id: p for p in unknown.not_yet_known}
        assert pending["lowk.defining"].missing == ("derived.low_k",)
        assert pending["lowk.normal-k"].missing == ("lab.potassium",)

    def test_evidence_names_value_threshold_citation_and_grade(self, kb):
        lowk = run(kb, {"labs": [k(3.1)]}).cause("lowk")
        assert lowk is not None
        defining = lowk.supporting[0]
        assert defining.evidence_grade == "A"
        assert defining.citations[0].key == "SrcA"
        assert defining.citations[0].citation == "Source A. A guideline."
        assert defining.findings[0].finding == "derived.low_k"

    def test_coexisting_causes_show_the_chain(self, kb):
        result = run(kb, {"labs": [k(3.0)], "medications": [{"name": "indapamide"}]})
        diuretic, lowk = result.cause("diuretic"), result.cause("lowk")
        assert diuretic is not None
        assert lowk is not None
        assert diuretic.acts_through == ("lowk",)
        assert lowk.explained_by == ("diuretic",)

    def test_ranked_by_score_then_id(self, kb):
        result = run(
            kb, {"exam": {"pes_cavus": "present"}, "medications": [{"name": "indapamide"}]}
        )
        scores = [(c.score, c.id) for c in result.differential]
        assert scores == sorted(scores, key=lambda s: (-s[0], s[1]))
        assert [c.rank for c in result.differential] == list(range(1, len(scores) + 1))

    def test_causes_without_support_are_not_listed(self, kb):
        result = run(kb, {"labs": [k(4.5)]})
        assert result.cause("lowk") is None


class TestRedFlagsAndUrgency:
    def test_flag_carries_trigger_value_threshold_and_sets_urgency(self, kb):
        result = run(kb, {"labs": [k(2.1)]})
        assert [f.id for f in result.red_flags] == ["very_low_k"]
        flag = result.red_flags[0]
        assert flag.urgency == "EMERG"
        assert flag.trigger[0].value == 2.1
        assert flag.trigger[0].threshold == 2.5
        assert flag.trigger[0].unit == "mmol/L"
        assert result.urgency == "EMERG"

    def test_no_flag_and_no_leading_cause_is_routine(self, kb):
        assert run(kb, {"exam": {"pes_cavus": "absent"}}).urgency == "ROUTINE"


class TestWorkup:
    def test_measured_analyte_is_skipped_with_reason(self, kb):
        result = run(kb, {"labs": [k(3.0)]})
        skipped = {s.test: s.reason for s in result.workup_skipped}
        assert "potassium_test" in skipped
        assert "potassium" in skipped["potassium_test"]
        assert "potassium_test" not in [w.test for w in result.workup]

    def test_stale_result_is_repeated(self, kb):
        patient = {
            "assessment_date": "2026-06-01",
            "symptoms": {"weakness": "present"},
            "labs": [k(3.0, collected="2025-01-01")],
        }
        assert "potassium_test" in [w.test for w in run(kb, patient).workup]

    def test_leading_cause_urgency_orders_tests(self, kb):
        result = run(kb, {"labs": [k(3.0)], "exam": {"pes_cavus": "present"}})
        tests = [w.test for w in result.workup]
        ecg = next(w for w in result.workup if w.test == "ecg")
        assert ecg.urgency == "URGENT"
        assert tests.index("ecg") < tests.index("ncs")

    def test_genetics_come_after_their_prerequisite(self, kb):
        result = run(kb, {"exam": {"pes_cavus": "present"}})
        tests = [w.test for w in result.workup]
        gene = next(w for w in result.workup if w.test == "gene")
        assert gene.after == ("ncs",)
        assert tests.index("ncs") < tests.index("gene")
        assert [w.order for w in result.workup] == list(range(1, len(tests) + 1))

    def test_done_test_is_skipped(self, kb):
        patient = {
            "exam": {"pes_cavus": "present"},
            "tests_done": [{"test": "ncs", "result": "abnormal", "findings": ["demyelinating"]}],
        }
        result = run(kb, patient)
        assert "ncs" not in [w.test for w in result.workup]
        assert any(s.test == "ncs" and "abnormal" in s.reason for s in result.workup_skipped)

    def test_typical_benign_picture_gets_no_tests(self, kb):
        patient = {
            "cramps": {"timing": ["nocturnal"], "sites": ["calf"]},
            "exam": {"weakness": "absent"},
            "medications": [{"name": "indapamide"}],
        }
        result = run(kb, patient)
        assert result.differential[0].id == "benign"
        assert (
            result.no_tests_reason
            == "Typical night cramps with a normal examination need no tests."
        )
        assert [w.test for w in result.workup] == ["medication_review"]

    def test_red_flag_overrides_no_tests(self, kb):
        patient = {
            "cramps": {"timing": ["nocturnal"], "sites": ["calf"]},
            "exam": {"weakness": "absent"},
            "labs": [k(2.2)],
        }
        result = run(kb, patient)
        assert result.no_tests_reason is None
        assert "ecg" in [w.test for w in result.workup]


class TestGateNotesAndInputs:
    def test_gate_defaults_to_true_cramp(self, kb):
        gate = run(kb, {}).gate
        assert (gate.phenomenon, gate.true_cramp, gate.score) == ("true_cramp", True, 0.0)

    def test_gate_detects_mimic(self, kb):
        gate = run(kb, {"exam": {"carpopedal_spasm": "present"}}).gate
        assert gate.phenomenon == "tetany"
        assert gate.true_cramp is False
        assert [e.rule_id for e in gate.evidence] == ["base.tetany"]

    def test_management_note(self, kb):
        notes = run(kb, {"medications": [{"name": "quinine"}]}).management
        assert [(n.rule_id, n.level) for n in notes] == [("base.quinine-note", "FDA boxed warning")]

    def test_unmapped_medication_is_reported(self, kb):
        result = run(kb, {"medications": [{"name": "unobtainium"}, {"name": "indapamide"}]})
        assert [m.name for m in result.unmapped_medications] == ["unobtainium"]

    def test_unknown_test_id_is_a_typed_error(self, kb):
        with pytest.raises(InvalidPatientError) as caught:
            run(kb, {"tests_done": [{"test": "xray_of_soul", "result": "normal"}]})
        assert caught.value.problems[0].field == "tests_done.0.test"
        assert "xray_of_soul" in caught.value.problems[0].message

    def test_next_findings_are_measured_and_phrased(self, kb):
        result = run(kb, {"exam": {"pes_cavus": "present"}})
        findings = {f.finding: f for f in result.next_findings}
        family = findings["history.family_history.neuropathy"]
        assert family.impact > 0
        assert family.question.endswith("?")


def test_output_is_deterministic(kb):
    patient = {
        "labs": [k(3.0, collected=dt.date(2026, 1, 2).isoformat())],
        "medications": [{"name": "indapamide"}],
        "exam": {"pes_cavus": "present"},
    }
    first, second = run(kb, patient).to_json(), run(kb, patient).to_json()
    assert first == second
    assert json.loads(first)["provenance"]["knowledge_base_hash"] == kb.kb.content_hash
