"""Assessment → FHIR R4: RequestGroup/ServiceRequests, RiskAssessment, DetectedIssue,
GuidanceResponse, each validated with fhir.resources.R4B."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from fhir_bundles import ICD10CM, bundle, condition, lab, medication_request

from crampdx import CompiledKnowledgeBase, assess
from crampdx.assessment.result import Assessment
from crampdx.fhir import MappingResult, patient_from_fhir
from crampdx.fhir.outbound import CATALOGUE_SYSTEM, assessment_to_fhir

DAY = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def mapped() -> MappingResult:
    return patient_from_fhir(
        bundle(
            condition("cramps", ICD10CM, "R25.2"),
            lab("k", "2823-3", 2.9, "mmol/L", date="2026-10-20"),
            medication_request("hctz", rxnorm="5487"),
            lab("chol", "2093-3", 190.0, "mg/dL"),  # not a crampdx analyte: reported
        ),
        assessment_date=DAY,
    )


@pytest.fixture(scope="module")
def assessment(mapped: MappingResult, knowledge_base: CompiledKnowledgeBase) -> Assessment:
    return assess(mapped.patient, knowledge_base=knowledge_base, engine="reference")


def _out(assessment: Assessment, mapped: MappingResult, kb: CompiledKnowledgeBase) -> Any:
    return assessment_to_fhir(assessment, report=mapped.report, knowledge_base=kb)


def _json(resource: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resource.model_dump_json(exclude_none=True))
    return data


def test_workup_becomes_a_request_group_of_draft_proposals(
    assessment: Assessment, mapped: MappingResult, knowledge_base: CompiledKnowledgeBase
) -> None:
    kb = knowledge_base
    assert assessment.workup, "the fixture patient should get a workup"
    out = _out(assessment, mapped, kb)
    group = _json(out.request_group)
    assert (group["status"], group["intent"]) == ("draft", "proposal")
    assert [a["id"] for a in group["action"]] == [item.test for item in assessment.workup]
    assert len(out.service_requests) == len(assessment.workup)
    by_id = {f"urn:uuid:{r.id}": _json(r) for r in out.service_requests}
    for action, item in zip(group["action"], assessment.workup, strict=True):
        request = by_id[action["resource"]["reference"]]
        assert (request["status"], request["intent"]) == ("draft", "proposal")
        assert request["subject"] == {"reference": "Patient/p1"}
        codes = {(c["system"], c["code"]) for c in request["code"]["coding"]}
        assert (CATALOGUE_SYSTEM, item.test) in codes
        assert set(item.codes.get("cpt", ())) <= {code for _, code in codes}
        assert [r["text"] for r in request["reasonCode"]][: len(item.reasons)] == list(item.reasons)


def test_the_potassium_result_is_the_reason_for_tests_that_separate_its_causes(
    assessment: Assessment, mapped: MappingResult, knowledge_base: CompiledKnowledgeBase
) -> None:
    kb = knowledge_base
    out = _out(assessment, mapped, kb)
    reasons = {
        ref["reference"]
        for request in out.service_requests
        for ref in _json(request).get("reasonReference", [])
    }
    assert "Observation/k" in reasons


def test_dependencies_become_related_actions(assessment: Assessment) -> None:
    first, second = assessment.workup[0], assessment.workup[1]
    changed = assessment.model_copy(
        update={"workup": (first, second.model_copy(update={"after": (first.test,)}))}
    )
    group = _json(assessment_to_fhir(changed).request_group)
    assert group["action"][1]["relatedAction"] == [
        {"actionId": first.test, "relationship": "after-end"}
    ]
    assert "relatedAction" not in group["action"][0]


def test_differential_becomes_a_risk_assessment(
    assessment: Assessment, mapped: MappingResult, knowledge_base: CompiledKnowledgeBase
) -> None:
    kb = knowledge_base
    risk = _json(_out(assessment, mapped, kb).risk_assessment)
    assert len(risk["prediction"]) == len(assessment.differential)
    for prediction, cause in zip(risk["prediction"], assessment.differential, strict=True):
        assert prediction["outcome"]["text"] == cause.name
        assert prediction["probabilityDecimal"] == pytest.approx(cause.probability, abs=1e-4)
        for item in cause.supporting:
            assert item.rule_id in prediction["rationale"]
    assert "not a diagnosis" in risk["mitigation"]
    assert {"reference": "Observation/k"} in risk["basis"]


def test_drug_and_lab_causes_become_detected_issues(
    assessment: Assessment, mapped: MappingResult, knowledge_base: CompiledKnowledgeBase
) -> None:
    kb = knowledge_base
    expected = {
        c.id
        for c in assessment.differential
        if c.category in ("drug", "electrolyte") and c.band in ("high", "moderate")
    }
    assert expected, "the fixture should have a drug or electrolyte cause"
    issues = [_json(i) for i in _out(assessment, mapped, kb).detected_issues]
    assert len(issues) == len(expected)
    implicated = {ref["reference"] for issue in issues for ref in issue.get("implicated", [])}
    if "thiazide_diuretic" in expected:
        assert "MedicationRequest/hctz" in implicated
    if "hypokalaemia" in expected:
        assert "Observation/k" in implicated


def test_guidance_response_carries_the_provenance(
    assessment: Assessment, mapped: MappingResult, knowledge_base: CompiledKnowledgeBase
) -> None:
    kb = knowledge_base
    out = _out(assessment, mapped, kb)
    guidance = _json(out.guidance_response)
    provenance = assessment.provenance
    text = json.dumps(guidance)
    assert provenance.knowledge_base_hash in text
    assert guidance["moduleCodeableConcept"]["coding"][0]["version"] == (
        provenance.knowledge_base_version
    )
    assert guidance["result"] == {"reference": f"urn:uuid:{out.request_group.id}"}
    # The mapping report travels with it as an OperationOutcome.
    assert guidance["evaluationMessage"] == [{"reference": "#mapping"}]


def test_output_is_a_valid_r4_bundle_and_deterministic(
    assessment: Assessment, mapped: MappingResult, knowledge_base: CompiledKnowledgeBase
) -> None:
    kb = knowledge_base
    from fhir.resources.R4B.bundle import Bundle

    first = _out(assessment, mapped, kb).bundle().model_dump_json()
    second = _out(assessment, mapped, kb).bundle().model_dump_json()
    assert first == second
    parsed = Bundle.model_validate_json(first)
    types = [entry.resource.get_resource_type() for entry in parsed.entry]
    assert types[0] == "GuidanceResponse"
    assert {"RiskAssessment", "RequestGroup", "ServiceRequest"} <= set(types)


def test_patient_reference_is_required_without_a_patient_id(assessment: Assessment) -> None:
    anonymous = assessment.model_copy(update={"patient_id": None})
    with pytest.raises(ValueError, match="patient_reference"):
        assessment_to_fhir(anonymous)
    out = assessment_to_fhir(anonymous, patient_reference="Patient/x")
    assert _json(out.risk_assessment)["subject"] == {"reference": "Patient/x"}
