"""Lab Observations: every LOINC code and unit in the tables, unit guards, ranges, serials."""

from __future__ import annotations

import datetime as dt

import pytest
from fhir_bundles import bundle, lab

from crampdx.errors import ImplausibleValueError, InteropError, UnitError
from crampdx.facts import patient_facts
from crampdx.fhir import FhirUnitError, FhirValueError, patient_from_fhir
from crampdx.fhir.codes import LOINC_PROPERTY, unit_property
from crampdx.record.labs import ANALYTES, Analyte, UnitConversion

DAY = dt.date(2026, 11, 1)
ALL_CODES = [(analyte, code) for analyte, spec in ANALYTES.items() for code in spec.loinc]
ALL_UNITS = [(analyte, unit) for analyte, spec in ANALYTES.items() for unit in spec.units]


def _mid_value(analyte: Analyte, conversion: UnitConversion) -> float:
    low, high = ANALYTES[analyte].plausible
    return round(conversion.from_canonical((low + high) / 2), 6)


def _compatible_units(code: str, analyte: Analyte) -> list[str]:
    expected = LOINC_PROPERTY.get(code)
    return [
        unit
        for unit in ANALYTES[analyte].units
        if expected is None or unit_property(unit) in (expected, None)
    ]


@pytest.mark.parametrize(("analyte", "code"), ALL_CODES, ids=[c for _, c in ALL_CODES])
def test_every_loinc_code_maps_to_its_analyte(analyte: Analyte, code: str) -> None:
    units = _compatible_units(code, analyte)
    if not units:
        # The code's property has no unit crampdx converts (urea by mass): refused, never
        # converted through an unlisted factor.
        with pytest.raises(FhirUnitError):
            patient_from_fhir(bundle(lab("o1", code, 10.0, "mg/dL")), assessment_date=DAY)
        return
    unit = units[0]
    value = _mid_value(analyte, ANALYTES[analyte].units[unit])
    result = patient_from_fhir(bundle(lab("o1", code, value, unit)), assessment_date=DAY)
    (labs,) = result.patient.labs
    assert labs.analyte is analyte
    assert labs.value == pytest.approx(value)
    assert labs.collected == dt.date(2026, 10, 1)
    assert [m.target for m in result.report.mapped if m.resource == "Observation/o1"] == [
        f"lab.{analyte.value}"
    ]


@pytest.mark.parametrize(("analyte", "unit"), ALL_UNITS, ids=[f"{a}-{u}" for a, u in ALL_UNITS])
def test_every_accepted_unit_converts_through_the_table(analyte: Analyte, unit: str) -> None:
    fits = [
        c for c in ANALYTES[analyte].loinc if LOINC_PROPERTY.get(c) in (None, unit_property(unit))
    ]
    conversion = ANALYTES[analyte].units[unit]
    value = _mid_value(analyte, conversion)
    if not fits:
        # Every LOINC code of the analyte names the other property (lactate codes are
        # molar): a value in this unit under any of them is a coding error.
        with pytest.raises(FhirUnitError) as raised:
            patient_from_fhir(
                bundle(lab("o1", ANALYTES[analyte].loinc[0], value, unit)), assessment_date=DAY
            )
        assert {p.code for p in raised.value.problems} == {"CDX-I002"}
        return
    code = fits[0]
    result = patient_from_fhir(bundle(lab("o1", code, value, unit)), assessment_date=DAY)
    (labs,) = result.patient.labs
    assert labs.canonical_value == pytest.approx(value * conversion.factor + conversion.offset)


def test_textbook_conversions_from_synthea_style_units() -> None:
    resources = [
        lab("ca", "49765-1", 9.4, "mg/dL"),
        lab("mg", "19123-9", 2.0, "mg/dL"),
        lab("cr", "38483-4", 1.0, "mg/dL"),
        lab("glu", "2339-0", 100.0, "mg/dL"),
        lab("a1c", "4548-4", 6.5, "%"),
    ]
    facts = patient_facts(patient_from_fhir(bundle(*resources), assessment_date=DAY).patient)
    assert facts["lab.calcium_total"] == pytest.approx(2.345, abs=0.001)
    assert facts["lab.magnesium"] == pytest.approx(0.823, abs=0.001)
    assert facts["lab.creatinine"] == pytest.approx(88.4, abs=0.1)
    assert facts["lab.glucose"] == pytest.approx(5.55, abs=0.01)
    assert facts["lab.hba1c"] == pytest.approx(48, abs=0.5)


def test_molar_unit_under_a_mass_loinc_code_is_a_coding_error() -> None:
    data = bundle(lab("ca", "17861-6", 2.3, "mmol/L"))
    with pytest.raises(FhirUnitError) as raised:
        patient_from_fhir(data, assessment_date=DAY)
    assert isinstance(raised.value, UnitError)
    assert isinstance(raised.value, InteropError)
    (problem,) = raised.value.problems
    assert problem.code == "CDX-I002"
    assert problem.field == "Observation/ca"

    lenient = patient_from_fhir(data, assessment_date=DAY, strict=False)
    assert lenient.patient.labs == ()
    (issue,) = lenient.report.issues_of("error")
    assert (issue.resource, issue.problem_code, issue.code) == (
        "Observation/ca",
        "CDX-I002",
        "http://loinc.org|17861-6",
    )


def test_percent_hba1c_under_the_ifcc_code_is_refused() -> None:
    with pytest.raises(FhirUnitError):
        patient_from_fhir(bundle(lab("a", "59261-8", 6.5, "%")), assessment_date=DAY)


def test_unknown_unit_is_a_unit_error_listing_every_bad_value() -> None:
    resources = [lab("k", "2823-3", 15.0, "mg/dL"), lab("na", "2951-2", 140.0, "g/L")]
    with pytest.raises(FhirUnitError) as raised:
        patient_from_fhir(bundle(*resources), assessment_date=DAY)
    assert sorted(p.field or "" for p in raised.value.problems) == [
        "Observation/k",
        "Observation/na",
    ]
    assert {p.code for p in raised.value.problems} == {"CDX-P002"}


def test_implausible_value_is_a_value_error() -> None:
    with pytest.raises(FhirValueError) as raised:
        patient_from_fhir(bundle(lab("k", "2823-3", 25.0, "mmol/L")), assessment_date=DAY)
    assert isinstance(raised.value, ImplausibleValueError)


def test_display_unit_without_ucum_code_is_used_and_reported() -> None:
    result = patient_from_fhir(
        bundle(lab("k", "6298-4", 3.1, "mEq/L", ucum=False)), assessment_date=DAY
    )
    assert result.patient.labs[0].canonical_value == pytest.approx(3.1)
    (issue,) = result.report.issues_of("assumption")
    assert "display unit" in issue.reason


def test_bounded_value_is_not_used_as_a_measurement() -> None:
    result = patient_from_fhir(
        bundle(lab("crp", "1988-5", 5.0, "mg/L", comparator="<")), assessment_date=DAY
    )
    assert result.patient.labs == ()
    (issue,) = result.report.unmapped
    assert issue.resource == "Observation/crp"
    assert "bounded" in issue.reason


def test_reference_range_is_read_and_converted_into_the_value_unit() -> None:
    rr = {"low": {"value": 2.2, "code": "mmol/L"}, "high": {"value": 2.6, "code": "mmol/L"}}
    result = patient_from_fhir(
        bundle(lab("ca", "49765-1", 8.0, "mg/dL", reference_range=rr)), assessment_date=DAY
    )
    (labs,) = result.patient.labs
    assert labs.reference_range is not None
    assert labs.reference_range.low == pytest.approx(2.2 * 4.008, rel=1e-3)
    assert labs.reference_range.high == pytest.approx(2.6 * 4.008, rel=1e-3)
    facts = patient_facts(result.patient)
    assert facts["lab.calcium_total.below_reference"] == "present"


def test_serial_values_are_all_kept_and_the_latest_leads() -> None:
    resources = [
        lab("k1", "2823-3", 3.9, "mmol/L", date="2026-01-10"),
        lab("k3", "6298-4", 2.9, "mmol/L", date="2026-10-20"),
        lab("k2", "2823-3", 3.4, "mmol/L", date="2026-06-05"),
    ]
    result = patient_from_fhir(bundle(*resources), assessment_date=DAY)
    assert sorted(r.value for r in result.patient.labs) == [2.9, 3.4, 3.9]
    facts = patient_facts(result.patient)
    assert facts["lab.potassium"] == pytest.approx(2.9)
    assert facts["lab.potassium.highest"] == pytest.approx(3.9)


def test_results_after_the_assessment_date_are_not_used() -> None:
    resources = [
        lab("old", "2823-3", 4.0, "mmol/L", date="2026-01-10"),
        lab("new", "2823-3", 2.9, "mmol/L", date="2026-12-01"),
    ]
    result = patient_from_fhir(bundle(*resources), assessment_date=DAY)
    assert [r.value for r in result.patient.labs] == [4.0]
    (issue,) = result.report.issues_of("ignored")
    assert issue.resource == "Observation/new"
    assert "after the assessment date" in issue.reason


@pytest.mark.parametrize("status", ["preliminary", "entered-in-error", "cancelled"])
def test_results_that_are_not_final_are_ignored_with_the_reason(status: str) -> None:
    result = patient_from_fhir(
        bundle(lab("k", "2823-3", 3.0, "mmol/L", status=status)), assessment_date=DAY
    )
    assert result.patient.labs == ()
    (issue,) = result.report.issues_of("ignored")
    assert status in issue.reason


def test_unknown_loinc_codes_are_listed_as_unmapped() -> None:
    # Total cholesterol and total CO2 in blood are common (Synthea), not crampdx analytes.
    resources = [lab("chol", "2093-3", 190.0, "mg/dL"), lab("co2", "20565-8", 25.0, "mmol/L")]
    result = patient_from_fhir(bundle(*resources), assessment_date=DAY)
    assert {(i.resource, i.code) for i in result.report.unmapped} == {
        ("Observation/chol", "http://loinc.org|2093-3"),
        ("Observation/co2", "http://loinc.org|20565-8"),
    }
