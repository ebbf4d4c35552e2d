"""Bad input gives a typed error that names the field at fault and says what is wrong."""

from __future__ import annotations

from typing import Any

import pytest

from crampdx.errors import (
    CrampdxError,
    ImplausibleValueError,
    InvalidPatientError,
    Problem,
    UnitError,
)
from crampdx.record import parse_patient


def only_problem(error: InvalidPatientError) -> Problem:
    assert len(error.problems) == 1, error.problems
    return error.problems[0]


def lab(analyte: str, value: float, unit: str) -> dict[str, Any]:
    return {"labs": [{"analyte": analyte, "value": value, "unit": unit}]}


def test_unknown_unit_is_a_unit_error_naming_the_unit_field() -> None:
    with pytest.raises(UnitError) as caught:
        parse_patient(lab("potassium", 3.1, "mg/dL"))
    problem = only_problem(caught.value)
    assert problem.field == "labs.0.unit"
    assert problem.code == "CDX-P002"
    assert "unknown unit 'mg/dL' for Potassium" in problem.message
    assert "mmol/l" in problem.message  # the accepted units are listed


def test_molar_unit_for_a_mass_only_analyte_says_so() -> None:
    with pytest.raises(UnitError) as caught:
        parse_patient(lab("albumin", 0.6, "mmol/L"))
    problem = only_problem(caught.value)
    assert problem.field == "labs.0.unit"
    assert "molar unit" in problem.message
    assert "Albumin" in problem.message


def test_implausible_value_is_its_own_error_naming_the_value_field() -> None:
    with pytest.raises(ImplausibleValueError) as caught:
        parse_patient(lab("potassium", 32.0, "mmol/L"))
    problem = only_problem(caught.value)
    assert problem.field == "labs.0.value"
    assert problem.code == "CDX-P003"
    assert "implausible Potassium 32.0 mmol/L" in problem.message
    assert "1–10 mmol/L" in problem.message


def test_value_in_the_wrong_unit_is_caught_by_the_plausible_range() -> None:
    # Calcium 9.4 entered as mmol/L (meant mg/dL) is physiologically impossible.
    with pytest.raises(ImplausibleValueError) as caught:
        parse_patient(lab("calcium_total", 9.4, "mmol/L"))
    assert only_problem(caught.value).field == "labs.0.value"


def test_wrong_type_names_the_field() -> None:
    with pytest.raises(InvalidPatientError) as caught:
        parse_patient({"age_years": "sixty"})
    assert type(caught.value) is InvalidPatientError
    problem = only_problem(caught.value)
    assert problem.field == "age_years"
    assert "valid number" in problem.message


def test_boolean_is_not_an_age() -> None:
    with pytest.raises(InvalidPatientError) as caught:
        parse_patient({"age_years": True})
    assert only_problem(caught.value).field == "age_years"


def test_unknown_field_is_reported_with_its_path() -> None:
    with pytest.raises(InvalidPatientError) as caught:
        parse_patient({"exam": {"babinksi": "present"}})
    problem = only_problem(caught.value)
    assert problem.field == "exam.babinksi"
    assert problem.code == "CDX-P004"
    assert "Extra inputs are not permitted" in problem.message


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"exam": {"babinski": False}}, "exam.babinski"),
        ({"exam": {"fasciculations": False}}, "exam.fasciculations"),
        ({"cramps": {"reported": True}}, "cramps.reported"),
        ({"exam": {"reflexes": {"ankle": False}}}, "exam.reflexes.ankle"),
    ],
)
def test_yaml_no_read_as_false_gets_a_hint(record: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidPatientError) as caught:
        parse_patient(record)
    problem = only_problem(caught.value)
    assert problem.field == field
    assert "quote the word" in problem.message


def test_pregnant_male_is_contradictory() -> None:
    with pytest.raises(InvalidPatientError) as caught:
        parse_patient({"sex": "male", "pregnancy": {"status": "present"}})
    problem = only_problem(caught.value)
    assert problem.field == "pregnancy"
    assert "sex is 'male'" in problem.message


def test_pregnancy_at_an_implausible_age_is_rejected() -> None:
    with pytest.raises(InvalidPatientError) as caught:
        parse_patient({"age_years": 80, "pregnancy": {"status": "present"}})
    problem = only_problem(caught.value)
    assert problem.field == "pregnancy"
    assert "age_years (80)" in problem.message


def test_pregnancy_absent_in_a_male_is_fine() -> None:
    assert parse_patient({"sex": "male", "pregnancy": {"status": "absent"}}).sex == "male"


@pytest.mark.parametrize("status", ["absent", "unknown", None])
def test_trimester_without_pregnancy_is_rejected(status: str | None) -> None:
    pregnancy: dict[str, Any] = {"trimester": 2}
    if status is not None:
        pregnancy["status"] = status
    with pytest.raises(InvalidPatientError) as caught:
        parse_patient({"pregnancy": pregnancy})
    problem = only_problem(caught.value)
    assert problem.field == "pregnancy.trimester"
    assert "not 'present'" in problem.message


def test_regions_on_an_absent_finding_are_rejected() -> None:
    with pytest.raises(InvalidPatientError) as caught:
        parse_patient({"exam": {"weakness": {"status": "absent", "regions": ["calf"]}}})
    problem = only_problem(caught.value)
    assert problem.field == "exam.weakness"
    assert "only qualify a finding that is present" in problem.message


def test_reversed_reference_range_is_rejected() -> None:
    record = lab("potassium", 3.1, "mmol/L")
    record["labs"][0]["reference_range"] = {"low": 5.1, "high": 3.5}
    with pytest.raises(InvalidPatientError) as caught:
        parse_patient(record)
    assert only_problem(caught.value).field == "labs.0.reference_range"


def test_every_problem_is_reported_at_once_with_the_general_class() -> None:
    record = {"age_years": -1, **lab("potassium", 3.1, "g/L"), "exam": {"babinksi": "present"}}
    with pytest.raises(InvalidPatientError) as caught:
        parse_patient(record, source="ward-7.yaml")
    error = caught.value
    # A mix of problems is not only a unit problem, so the general class is raised.
    assert type(error) is InvalidPatientError
    assert {p.field for p in error.problems} == {"age_years", "labs.0.unit", "exam.babinksi"}
    assert "ward-7.yaml: 3 problems" in str(error)
    assert "labs.0.unit" in str(error)


def test_errors_are_crampdx_and_value_errors() -> None:
    with pytest.raises(CrampdxError):
        parse_patient(lab("potassium", 3.1, "mg/dL"))
    with pytest.raises(ValueError, match="invalid patient record"):
        parse_patient(lab("potassium", 3.1, "mg/dL"))
