"""A real-shaped Synthea R4 bundle (vendored from the fhiry sdist; see tests/data/fhir)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from crampdx.facts import patient_facts
from crampdx.fhir import patient_from_fhir

BUNDLE = Path(__file__).resolve().parents[1] / "data" / "fhir" / "synthea_r4_trimmed.json"
DAY = dt.date(2021, 1, 1)


@pytest.fixture(scope="module")
def synthea() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(BUNDLE.read_text(encoding="utf-8"))
    return data


def test_demographics(synthea: dict[str, Any]) -> None:
    patient = patient_from_fhir(synthea, assessment_date=DAY).patient
    # Born 1946-03-29.
    assert (patient.age_years, patient.sex) == (74.0, "male")


def test_labs_use_the_blood_codes_and_keep_serial_values(synthea: dict[str, Any]) -> None:
    patient = patient_from_fhir(synthea, assessment_date=DAY).patient
    counts = Counter(result.analyte.value for result in patient.labs)
    for analyte in (
        "potassium",
        "sodium",
        "calcium_total",
        "glucose",
        "creatinine",
        "egfr",
        "hba1c",
        "albumin",
        "alt",
        "ast",
        "bilirubin",
    ):
        assert counts[analyte] == 2, analyte
    calcium = [r for r in patient.labs if r.analyte == "calcium_total"]
    assert {r.unit for r in calcium} == {"mg/dL"}
    assert all(r.canonical_value == pytest.approx(r.value * 10 / 40.08) for r in calcium)
    # Synthea writes eGFR in mL/min; the analyte table accepts that spelling.
    assert {r.unit for r in patient.labs if r.analyte == "egfr"} == {"mL/min"}
    assert "lab.potassium" in patient_facts(patient)


def test_every_resource_is_accounted_for(synthea: dict[str, Any]) -> None:
    result = patient_from_fhir(synthea, assessment_date=DAY)
    entries = synthea["entry"]
    expected = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in entries}
    assert result.report.resources() == expected
    assert result.report.resources_read == len(entries)


def test_the_report_names_what_was_not_mapped(synthea: dict[str, Any]) -> None:
    report = patient_from_fhir(synthea, assessment_date=DAY).report
    unmapped_codes = {issue.code for issue in report.unmapped}
    # Cholesterol and total CO2 in blood are not crampdx analytes.
    assert "http://loinc.org|2093-3" in unmapped_codes
    assert "http://loinc.org|20565-8" in unmapped_codes
    prediabetes = [i for i in report.unmapped if i.code == "http://snomed.info/sct|15777000"]
    assert prediabetes
    assert "not diabetes" in prediabetes[0].reason
    # The active request is for a clinical drug whose display misspells the ingredient:
    # it is kept as an unclassified medication and listed, never guessed.
    assert "http://www.nlm.nih.gov/research/umls/rxnorm|316672" in unmapped_codes
    stopped = [i for i in report.issues_of("ignored") if "stopped" in i.reason]
    assert len(stopped) == 2


def test_smoking_status_and_medications(synthea: dict[str, Any]) -> None:
    patient = patient_from_fhir(synthea, assessment_date=DAY).patient
    assert str(patient.history.smoking) == "absent"  # never smoker
    (medication,) = patient.medications
    assert medication.classes == ()


def test_an_earlier_assessment_date_hides_later_results(synthea: dict[str, Any]) -> None:
    early = patient_from_fhir(synthea, assessment_date=dt.date(2015, 1, 1))
    assert early.patient.age_years == 68.0
    assert all(
        r.collected is not None and r.collected <= dt.date(2015, 1, 1) for r in early.patient.labs
    )
    later = [i for i in early.report.issues_of("ignored") if "after the assessment" in i.reason]
    assert later
