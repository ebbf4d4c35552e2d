"""Findings (SNOMED CT Observations and Conditions) and conditions (SNOMED CT, ICD-10-CM)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fhir_bundles import ICD10CM, SNOMED, bundle, condition, finding, patient

from crampdx.errors import InteropError
from crampdx.facts import patient_facts
from crampdx.fhir import patient_from_fhir
from crampdx.fhir.codes import (
    CONDITIONS_ICD10,
    CONDITIONS_SNOMED,
    FINDINGS,
    FINDINGS_ICD10,
    SENSORY_LOSS_FIELDS,
    ConditionTarget,
    FindingTarget,
)
from crampdx.record.patient import Patient

DAY = dt.date(2026, 11, 1)


def _field(patient: Patient, path: str) -> Any:
    value: Any = patient
    for part in path.split("."):
        value = getattr(value, part)
    return value


def _state_of(patient: Patient, path: str) -> str:
    value = _field(patient, path)
    return str(getattr(value, "status", value))


def _check_finding(patient: Patient, target: FindingTarget, status: str) -> None:
    value = _field(patient, target.path)
    if target.kind == "reflex":
        assert str(value) == target.present_value
    elif target.kind == "sign":
        assert str(value.status) == status
        assert set(target.regions) <= set(value.regions)
    else:
        assert str(value) == status


@pytest.mark.parametrize(
    "code", sorted(c for c, t in FINDINGS.items() if t.kind != "either_sensory")
)
def test_every_snomed_finding_observation_fills_its_field(code: str) -> None:
    target = FINDINGS[code]
    result = patient_from_fhir(bundle(finding("f", code, value=True)), assessment_date=DAY)
    _check_finding(result.patient, target, "present")
    assert any(m.code == f"{SNOMED}|{code}" for m in result.report.mapped)


@pytest.mark.parametrize(
    "code", sorted(c for c, t in FINDINGS.items() if t.kind in ("state", "sign"))
)
def test_absent_findings_are_recorded_absent(code: str) -> None:
    target = FINDINGS[code]
    result = patient_from_fhir(
        bundle(finding("f", code, value="373067005")), assessment_date=DAY
    )  # SNOMED CT 'No'
    assert _state_of(result.patient, target.path) == "absent"


@pytest.mark.parametrize(
    "code", sorted(c for c, t in FINDINGS.items() if t.kind != "either_sensory")
)
def test_every_snomed_finding_condition_fills_its_field(code: str) -> None:
    result = patient_from_fhir(bundle(condition("c", SNOMED, code)), assessment_date=DAY)
    _check_finding(result.patient, FINDINGS[code], "present")


@pytest.mark.parametrize("prefix", sorted(FINDINGS_ICD10))
def test_every_icd10_symptom_code_fills_its_field(prefix: str) -> None:
    result = patient_from_fhir(bundle(condition("c", ICD10CM, prefix)), assessment_date=DAY)
    _check_finding(result.patient, FINDINGS_ICD10[prefix], "present")


def test_sensory_loss_present_is_ambiguous_but_absent_clears_every_distribution() -> None:
    present = patient_from_fhir(bundle(finding("f", "397974008", value=True)), assessment_date=DAY)
    assert all(_state_of(present.patient, p) == "unknown" for p in SENSORY_LOSS_FIELDS)
    (issue,) = present.report.unmapped
    assert "distribution" in issue.reason
    absent = patient_from_fhir(bundle(finding("f", "397974008", value=False)), assessment_date=DAY)
    assert all(_state_of(absent.patient, p) == "absent" for p in SENSORY_LOSS_FIELDS)


def test_absent_hyperreflexia_does_not_grade_reflexes() -> None:
    result = patient_from_fhir(bundle(finding("f", "86854008", value=False)), assessment_date=DAY)
    assert str(result.patient.exam.reflexes.overall) == "unknown"
    assert len(result.report.unmapped) == 1


def test_myotonia_is_mapped_with_its_stated_assumption() -> None:
    result = patient_from_fhir(bundle(finding("f", "3434004", value=True)), assessment_date=DAY)
    assert str(result.patient.exam.myotonia_grip) == "present"
    (issue,) = result.report.issues_of("assumption")
    assert "grip" in issue.reason


def test_body_site_gives_the_region_of_a_sign() -> None:
    result = patient_from_fhir(
        bundle(finding("f", "82470000", value=True, body_site="21974007")), assessment_date=DAY
    )
    facts = patient_facts(result.patient)
    assert facts["exam.fasciculations"] == "present"
    assert facts["exam.fasciculations.tongue"] == "present"


def test_unknown_body_site_is_reported_and_the_finding_kept() -> None:
    result = patient_from_fhir(
        bundle(finding("f", "82470000", value=True, body_site="999999999")), assessment_date=DAY
    )
    assert str(result.patient.exam.fasciculations.status) == "present"
    assert result.patient.exam.fasciculations.regions == ()
    (issue,) = result.report.unmapped
    assert issue.code == f"{SNOMED}|999999999"


def test_a_finding_without_a_value_is_present_with_a_stated_assumption() -> None:
    result = patient_from_fhir(bundle(finding("f", "55300003")), assessment_date=DAY)
    assert str(result.patient.cramps.reported) == "present"
    assert len(result.report.issues_of("assumption")) == 1


def test_present_wins_over_absent_and_the_conflict_is_reported() -> None:
    resources = [
        finding("a", "82470000", value=True, date="2026-01-01"),
        finding("b", "82470000", value=False, date="2026-02-01"),
    ]
    result = patient_from_fhir(bundle(*resources), assessment_date=DAY)
    assert str(result.patient.exam.fasciculations.status) == "present"
    (issue,) = result.report.issues_of("assumption")
    assert issue.resource == "Observation/b"


# --- conditions ------------------------------------------------------------------------------


def _check_condition(patient: Patient, target: ConditionTarget) -> None:
    for path, value in target.sets:
        assert str(_field(patient, path)) == str(value), path


@pytest.mark.parametrize("code", sorted(CONDITIONS_SNOMED))
def test_every_snomed_condition_maps_or_says_why_not(code: str) -> None:
    target = CONDITIONS_SNOMED[code]
    data = bundle(condition("c", SNOMED, code))
    if "pregnancy.status" in dict(target.sets):
        data["entry"][0]["resource"] = patient(birth="1995-01-01")
    result = patient_from_fhir(data, assessment_date=DAY)
    if target.no_field is not None:
        (issue,) = result.report.unmapped
        assert issue.code == f"{SNOMED}|{code}"
        assert target.no_field in issue.reason
    else:
        _check_condition(result.patient, target)


@pytest.mark.parametrize("prefix", sorted(CONDITIONS_ICD10))
def test_every_icd10_condition_maps_or_says_why_not(prefix: str) -> None:
    target = CONDITIONS_ICD10[prefix]
    data = bundle(condition("c", ICD10CM, prefix))
    if "pregnancy.status" in dict(target.sets):
        data["entry"][0]["resource"] = patient(birth="1995-01-01")
    result = patient_from_fhir(data, assessment_date=DAY)
    if target.no_field is not None:
        assert len(result.report.unmapped) == 1
    else:
        _check_condition(result.patient, target)


@pytest.mark.parametrize("code", ["G35.A", "G35.B", "G35.C", "G35.D", "G35"])
def test_multiple_sclerosis_2026_codes_and_the_legacy_code(code: str) -> None:
    result = patient_from_fhir(bundle(condition("c", ICD10CM, code)), assessment_date=DAY)
    assert str(result.patient.history.multiple_sclerosis) == "present"


@pytest.mark.parametrize("code", ["N18.30", "N18.31", "N18.32", "N18.3", "n1831"])
def test_ckd_stage_3_split_codes_give_stage_3(code: str) -> None:
    result = patient_from_fhir(bundle(condition("c", ICD10CM, code)), assessment_date=DAY)
    ckd = result.patient.history.chronic_kidney_disease
    assert (str(ckd.status), ckd.stage) == ("present", 3)


def test_any_malignant_neoplasm_records_a_cancer_history() -> None:
    result = patient_from_fhir(bundle(condition("c", ICD10CM, "C18.9")), assessment_date=DAY)
    assert str(result.patient.history.cancer.status) == "present"


def test_highest_ckd_stage_is_kept() -> None:
    resources = [
        condition("c4", ICD10CM, "N18.4", recorded="2024-01-01"),
        condition("c3", SNOMED, "433144002", recorded="2025-01-01"),
    ]
    result = patient_from_fhir(bundle(*resources), assessment_date=DAY)
    assert result.patient.history.chronic_kidney_disease.stage == 4


def test_diabetes_type_comes_from_the_code() -> None:
    result = patient_from_fhir(bundle(condition("c", ICD10CM, "E11.42")), assessment_date=DAY)
    diabetes = result.patient.history.diabetes
    assert (str(diabetes.status), str(diabetes.type)) == ("present", "type2")


def test_refuted_diabetes_is_absent_but_a_refuted_type_rules_out_nothing() -> None:
    refuted = patient_from_fhir(
        bundle(condition("c", SNOMED, "73211009", verification="refuted")), assessment_date=DAY
    )
    assert str(refuted.patient.history.diabetes.status) == "absent"
    refuted_type = patient_from_fhir(
        bundle(condition("c", SNOMED, "44054006", verification="refuted")), assessment_date=DAY
    )
    assert str(refuted_type.patient.history.diabetes.status) == "unknown"
    assert len(refuted_type.report.unmapped) == 1


def test_resolved_conditions_are_not_current_except_lifetime_history() -> None:
    resources = [
        condition("hypo", SNOMED, "40930008", clinical="resolved"),
        condition("sci", ICD10CM, "S34.109A", clinical="resolved"),
    ]
    result = patient_from_fhir(bundle(*resources), assessment_date=DAY)
    history = result.patient.history
    assert str(history.hypothyroidism) == "unknown"
    assert (str(history.spinal_cord_injury.status), str(history.spinal_cord_injury.level)) == (
        "present",
        "lumbar",
    )
    (issue,) = result.report.issues_of("ignored")
    assert issue.resource == "Condition/hypo"


@pytest.mark.parametrize("verification", ["unconfirmed", "provisional", "entered-in-error"])
def test_unconfirmed_conditions_are_ignored(verification: str) -> None:
    result = patient_from_fhir(
        bundle(condition("c", SNOMED, "40930008", verification=verification)), assessment_date=DAY
    )
    assert str(result.patient.history.hypothyroidism) == "unknown"
    assert len(result.report.issues_of("ignored")) == 1


def test_condition_without_clinical_status_is_read_as_active_and_reported() -> None:
    result = patient_from_fhir(
        bundle(condition("c", SNOMED, "40930008", clinical=None)), assessment_date=DAY
    )
    assert str(result.patient.history.hypothyroidism) == "present"
    assert len(result.report.issues_of("assumption")) == 1


def test_pregnancy_in_a_male_patient_is_an_inconsistent_record() -> None:
    data = bundle(condition("c", SNOMED, "77386006"))
    data["entry"][0]["resource"] = patient(gender="male", birth="1990-01-01")
    with pytest.raises(InteropError) as raised:
        patient_from_fhir(data, assessment_date=DAY)
    assert raised.value.problems


def test_unknown_condition_codes_are_listed() -> None:
    result = patient_from_fhir(bundle(condition("c", SNOMED, "444814009")), assessment_date=DAY)
    (issue,) = result.report.unmapped
    assert (issue.resource, issue.code) == ("Condition/c", f"{SNOMED}|444814009")


def test_smoking_status_observation() -> None:
    obs = finding("s", "0", value="449868002")
    obs["code"] = {"coding": [{"system": "http://loinc.org", "code": "72166-2"}]}
    result = patient_from_fhir(bundle(obs), assessment_date=DAY)
    assert str(result.patient.history.smoking) == "present"
