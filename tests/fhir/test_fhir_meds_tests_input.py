"""Medications, procedures and reports, the Patient resource, and the accepted input shapes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from fhir_bundles import (
    CPT,
    LOINC,
    PATIENT_ID,
    RXNORM,
    SNOMED,
    SUBJECT,
    bundle,
    diagnostic_report,
    lab,
    medication_request,
    patient,
    procedure,
)

from crampdx.errors import InteropError
from crampdx.facts import patient_facts
from crampdx.fhir import patient_from_fhir
from crampdx.fhir.codes import PROCEDURES
from crampdx.record.drugs import INGREDIENTS

DAY = dt.date(2026, 11, 1)
WORKUP = Path(__file__).resolve().parents[2] / "rules" / "_workup.yaml"


# --- medications ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(INGREDIENTS))
def test_every_rxnorm_ingredient_code_gives_its_drug_classes(name: str) -> None:
    ingredient = INGREDIENTS[name]
    result = patient_from_fhir(
        bundle(medication_request("m", rxnorm=ingredient.rxcui)), assessment_date=DAY
    )
    (medication,) = result.patient.medications
    assert set(medication.classes) == set(ingredient.classes)
    assert medication.rxnorm == ingredient.rxcui
    assert medication.started == dt.date(2024, 3, 1)
    facts = patient_facts(result.patient)
    assert all(facts[f"drug.{c.value}"] == "present" for c in ingredient.classes)


def test_medication_statement_and_referenced_medication_resources() -> None:
    statement = {
        "resourceType": "MedicationStatement",
        "id": "s",
        "status": "active",
        "medicationReference": {"reference": "Medication/med"},
        "subject": SUBJECT,
        "effectiveDateTime": "2025-02-01",
    }
    medication = {
        "resourceType": "Medication",
        "id": "med",
        "code": {"text": "Combination tablet"},
        "ingredient": [
            {"itemCodeableConcept": {"coding": [{"system": RXNORM, "code": "5487"}]}},
            {"itemCodeableConcept": {"coding": [{"system": RXNORM, "code": "29046"}]}},
        ],
    }
    contained = medication_request("r", rxnorm=None)
    del contained["medicationCodeableConcept"]
    contained["medicationReference"] = {"reference": "#inner"}
    contained["contained"] = [
        {
            "resourceType": "Medication",
            "id": "inner",
            "code": {"coding": [{"system": RXNORM, "code": "36567"}]},
        }
    ]
    result = patient_from_fhir(bundle(statement, medication, contained), assessment_date=DAY)
    names = sorted(m.name for m in result.patient.medications)
    assert names == ["hydrochlorothiazide", "lisinopril", "simvastatin"]
    assert {"Medication/med"} == {i.resource for i in result.report.issues_of("ignored")}


def test_ingredient_name_in_text_is_matched_and_reported() -> None:
    result = patient_from_fhir(
        bundle(
            medication_request("m", rxnorm="310798", text="Hydrochlorothiazide 25 MG Oral Tablet")
        ),
        assessment_date=DAY,
    )
    (medication,) = result.patient.medications
    assert medication.name == "hydrochlorothiazide"
    (issue,) = result.report.issues_of("assumption")
    assert issue.code == f"{RXNORM}|310798"


def test_unknown_medication_is_kept_unmapped_and_reported() -> None:
    result = patient_from_fhir(
        bundle(medication_request("m", rxnorm="313782", text="Acetaminophen 325 MG Oral Tablet")),
        assessment_date=DAY,
    )
    (medication,) = result.patient.medications
    assert medication.name == "Acetaminophen 325 MG Oral Tablet"
    assert medication.classes == ()
    (issue,) = result.report.unmapped
    assert issue.code == f"{RXNORM}|313782"


@pytest.mark.parametrize("status", ["stopped", "completed", "cancelled", "draft"])
def test_requests_that_are_not_active_are_not_current(status: str) -> None:
    result = patient_from_fhir(
        bundle(medication_request("m", rxnorm="5487", status=status)), assessment_date=DAY
    )
    assert result.patient.medications == ()
    assert len(result.report.issues_of("ignored")) == 1


def _stopped_request(rid: str, end: str) -> dict[str, object]:
    request = medication_request(rid, rxnorm="5487", status="stopped", authored="2026-01-01")
    request["dispenseRequest"] = {"validityPeriod": {"start": "2026-01-01", "end": end}}
    return request


def test_recently_stopped_drug_is_kept_with_its_stop_date() -> None:
    result = patient_from_fhir(bundle(_stopped_request("m", "2026-09-15")), assessment_date=DAY)
    (medication,) = result.patient.medications
    assert medication.stopped == dt.date(2026, 9, 15)
    facts = patient_facts(result.patient)
    assert (facts["drug.thiazide"], facts["drug.thiazide.stopped"]) == ("present", "present")
    assert len(result.report.issues_of("assumption")) == 1


def test_drug_stopped_long_ago_is_not_used() -> None:
    result = patient_from_fhir(bundle(_stopped_request("m", "2026-03-01")), assessment_date=DAY)
    assert result.patient.medications == ()
    (issue,) = result.report.issues_of("ignored")
    assert "90 days" in issue.reason


def test_a_current_request_outweighs_a_stopped_one() -> None:
    resources = [_stopped_request("old", "2026-09-15"), medication_request("new", rxnorm="5487")]
    result = patient_from_fhir(bundle(*resources), assessment_date=DAY)
    (medication,) = result.patient.medications
    assert medication.stopped is None


def test_repeated_requests_for_one_ingredient_give_one_medication_with_the_first_start() -> None:
    resources = [
        medication_request("a", rxnorm="5487", authored="2025-05-01"),
        medication_request("b", rxnorm="5487", authored="2023-01-01"),
    ]
    result = patient_from_fhir(bundle(*resources), assessment_date=DAY)
    (medication,) = result.patient.medications
    assert medication.started == dt.date(2023, 1, 1)


# --- procedures and reports -------------------------------------------------------------------


def test_every_procedure_test_id_is_in_the_workup_catalogue() -> None:
    catalogue = {item["id"] for item in yaml.safe_load(WORKUP.read_text())["catalogue"]}
    tests = {target.test for target in PROCEDURES.values() if target.test is not None}
    assert tests <= catalogue, tests - catalogue


@pytest.mark.parametrize(
    ("system", "code"),
    sorted(k for k, v in PROCEDURES.items() if v.test is not None),
    ids=lambda v: str(v).rsplit("/", 1)[-1],
)
def test_every_coded_study_with_a_conclusion_is_a_test_done(system: str, code: str) -> None:
    result = patient_from_fhir(
        bundle(diagnostic_report("d", system, code, "263654008")), assessment_date=DAY
    )
    (done,) = result.patient.tests_done
    assert (done.test, str(done.result), done.date) == (
        PROCEDURES[(system, code)].test,
        "abnormal",
        dt.date(2026, 9, 1),
    )


def test_study_without_a_coded_result_is_not_a_test_done() -> None:
    result = patient_from_fhir(
        bundle(procedure("p", CPT, "95910"), diagnostic_report("d", CPT, "72148", None)),
        assessment_date=DAY,
    )
    assert result.patient.tests_done == ()
    assert {i.resource for i in result.report.unmapped} == {"Procedure/p", "DiagnosticReport/d"}


def test_haemodialysis_procedure_records_the_history_field() -> None:
    result = patient_from_fhir(bundle(procedure("p", SNOMED, "302497006")), assessment_date=DAY)
    assert str(result.patient.history.chronic_kidney_disease.haemodialysis) == "present"


def test_lab_panel_reports_point_to_their_observations() -> None:
    report = diagnostic_report("d", LOINC, "51990-0", None)
    result = patient_from_fhir(bundle(report), assessment_date=DAY)
    (issue,) = result.report.issues_of("ignored")
    assert "Observations" in issue.reason


# --- the Patient resource ---------------------------------------------------------------------


def test_age_is_computed_at_the_assessment_date() -> None:
    data = bundle()
    assert patient_from_fhir(data, assessment_date=dt.date(2026, 5, 4)).patient.age_years == 65.0
    assert patient_from_fhir(data, assessment_date=dt.date(2026, 5, 5)).patient.age_years == 66.0
    result = patient_from_fhir(data, assessment_date=DAY)
    assert (result.patient.sex, result.patient.id) == ("female", PATIENT_ID)
    assert result.patient.assessment_date == DAY


def test_partial_birth_date_gives_the_youngest_possible_age_and_says_so() -> None:
    data = {"resourceType": "Patient", "id": "x", "birthDate": "1960"}
    result = patient_from_fhir(data, assessment_date=dt.date(2026, 6, 1))
    assert result.patient.age_years == 65.0
    assert len(result.report.issues_of("assumption")) == 1


def test_sex_other_than_male_or_female_is_left_unknown_and_reported() -> None:
    result = patient_from_fhir(patient(gender="other"), assessment_date=DAY)
    assert result.patient.sex is None
    (issue,) = result.report.unmapped
    assert "gender" in issue.reason


def test_two_patients_are_refused() -> None:
    data = bundle(patient(patient_id="p2"))
    with pytest.raises(InteropError):
        patient_from_fhir(data, assessment_date=DAY)


def test_resources_of_another_patient_are_ignored() -> None:
    other = lab("k", "2823-3", 2.0, "mmol/L")
    other["subject"] = {"reference": "Patient/someone-else"}
    result = patient_from_fhir(bundle(other), assessment_date=DAY)
    assert result.patient.labs == ()
    (issue,) = result.report.issues_of("ignored")
    assert issue.reason == "belongs to another patient"


def test_expected_patient_id_is_enforced() -> None:
    with pytest.raises(InteropError, match="expected patient"):
        patient_from_fhir(bundle(), assessment_date=DAY, patient_id="someone-else")
    # Without a Patient resource, only resources about the expected patient are used.
    other = lab("k2", "2823-3", 2.0, "mmol/L")
    other["subject"] = {"reference": "Patient/p2"}
    result = patient_from_fhir(
        [lab("k1", "2823-3", 3.0, "mmol/L"), other], assessment_date=DAY, patient_id=PATIENT_ID
    )
    assert [r.value for r in result.patient.labs] == [3.0]


# --- input shapes ----------------------------------------------------------------------------


def test_json_text_lists_and_r4b_models_are_accepted() -> None:
    from fhir.resources.R4B.observation import Observation

    resources = [patient(), lab("k", "2823-3", 3.1, "mmol/L")]
    as_text = patient_from_fhir(json.dumps(bundle(resources[1])), assessment_date=DAY)
    as_list = patient_from_fhir(resources, assessment_date=DAY)
    as_models = patient_from_fhir(
        [resources[0], Observation.model_validate(resources[1])], assessment_date=DAY
    )
    assert as_text.patient == as_list.patient == as_models.patient
    assert as_list.patient.labs[0].value == 3.1


def test_r5_models_are_refused() -> None:
    from fhir.resources.patient import Patient as R5Patient

    with pytest.raises(InteropError, match="R4"):
        patient_from_fhir(R5Patient.model_validate({"id": "x"}), assessment_date=DAY)


@pytest.mark.parametrize("text", ["not json", '{"no": "resourceType"}', "42"])
def test_input_that_is_not_fhir_is_an_interop_error(text: str) -> None:
    with pytest.raises(InteropError):
        patient_from_fhir(text, assessment_date=DAY)


def test_an_invalid_resource_is_reported_and_the_others_are_read() -> None:
    broken = {"resourceType": "Observation", "id": "bad", "status": "final"}  # no code
    result = patient_from_fhir(
        bundle(broken, lab("k", "2823-3", 3.1, "mmol/L")), assessment_date=DAY
    )
    assert len(result.patient.labs) == 1
    (issue,) = result.report.issues_of("error")
    assert issue.resource == "Observation/bad"
    assert "code" in issue.reason


def test_search_results_with_an_operation_outcome_are_reported() -> None:
    searchset = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {"resource": lab("k", "2823-3", 3.1, "mmol/L"), "search": {"mode": "match"}},
            {
                "resource": {
                    "resourceType": "OperationOutcome",
                    "issue": [
                        {
                            "severity": "warning",
                            "code": "too-costly",
                            "diagnostics": "results truncated",
                        }
                    ],
                },
                "search": {"mode": "outcome"},
            },
        ],
    }
    result = patient_from_fhir([patient(), searchset], assessment_date=DAY)
    assert len(result.patient.labs) == 1
    (issue,) = result.report.issues_of("ignored")
    assert "results truncated" in issue.reason


def test_the_same_resource_twice_is_read_once() -> None:
    k = lab("k", "2823-3", 3.1, "mmol/L")
    result = patient_from_fhir([patient(), bundle(k, with_patient=False), k], assessment_date=DAY)
    assert len(result.patient.labs) == 1
