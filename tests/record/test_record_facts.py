"""patient_facts: names in the vocabulary, unknown kept unknown, derived lab values."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from crampdx.facts import VOCABULARY, FactSpec, patient_facts, register_tests
from crampdx.record import Patient, parse_patient
from crampdx.record.drugs import DrugClass
from crampdx.record.patient import CrampSite, CrampTiming
from crampdx.record.states import BodyRegion
from crampdx.testing.strategies import catalogue_test_ids, patients

RECORDS = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


def facts_of(record: dict[str, Any]) -> dict[str, Any]:
    return dict(patient_facts(parse_patient(record)))


def vocabulary_with_tests() -> dict[str, FactSpec]:
    return {**VOCABULARY, **register_tests(catalogue_test_ids())}


@RECORDS
@given(patients())
def test_every_fact_is_in_the_vocabulary_with_a_valid_value(patient: Patient) -> None:
    vocabulary = vocabulary_with_tests()
    for name, value in patient_facts(patient).items():
        assert name in vocabulary, f"{name} is not in the vocabulary"
        assert vocabulary[name].accepts(value), f"{name}={value!r} is not a valid value"


@RECORDS
@given(patients())
def test_unknown_is_never_a_fact_value(patient: Patient) -> None:
    assert "unknown" not in patient_facts(patient).values()


def test_all_default_patient_has_no_facts() -> None:
    assert patient_facts(Patient()) == {}


def test_recorded_states_and_numbers_become_facts() -> None:
    facts = facts_of(
        {
            "age_years": 31,
            "sex": "female",
            "exam": {"babinski": "absent", "reflexes": {"ankle": "reduced"}},
            "history": {"diabetes": {"status": "present", "type": "type2"}},
            "cramps": {"typical_duration_minutes": 3, "triggers": {"cold": "present"}},
            "pregnancy": {"status": "present", "trimester": 3},
        }
    )
    assert facts == {
        "age": 31.0,
        "sex": "female",
        "exam.babinski": "absent",
        "exam.reflexes.ankle": "reduced",
        "history.diabetes": "present",
        "history.diabetes.type": "type2",
        "cramp.typical_duration_minutes": 3.0,
        "cramp.triggers.cold": "present",
        "pregnancy": "present",
        "pregnancy.trimester": 3.0,
    }


def test_absent_observation_is_absent_in_every_region() -> None:
    facts = facts_of({"exam": {"fasciculations": "absent"}})
    assert facts["exam.fasciculations"] == "absent"
    for region in BodyRegion:
        assert facts[f"exam.fasciculations.{region.value}"] == "absent"
    assert "exam.fasciculations.side" not in facts


def test_present_observation_names_only_its_regions() -> None:
    facts = facts_of(
        {"exam": {"fasciculations": {"status": "present", "regions": ["tongue"], "side": "left"}}}
    )
    assert facts["exam.fasciculations"] == "present"
    assert facts["exam.fasciculations.tongue"] == "present"
    assert facts["exam.fasciculations.side"] == "left"
    # Regions not listed stay unknown: "present in the tongue" says nothing about the calf.
    assert "exam.fasciculations.calf" not in facts


def test_cramp_sites_are_a_complete_list() -> None:
    facts = facts_of({"cramps": {"sites": ["calf", "foot"]}})
    for site in CrampSite:
        expected = "present" if site in (CrampSite.CALF, CrampSite.FOOT) else "absent"
        assert facts[f"cramp.site.{site.value}"] == expected


def test_cramp_timing_is_a_complete_list() -> None:
    facts = facts_of({"cramps": {"timing": ["nocturnal"]}})
    for timing in CrampTiming:
        expected = "present" if timing is CrampTiming.NOCTURNAL else "absent"
        assert facts[f"cramp.timing.{timing.value}"] == expected


def test_no_sites_listed_leaves_every_site_unknown() -> None:
    facts = facts_of({"cramps": {"reported": "present"}})
    assert not [name for name in facts if name.startswith(("cramp.site.", "cramp.timing."))]


def test_corrected_calcium_in_si_units() -> None:
    # Adjusted Ca = Ca + 0.02 x (40 - albumin g/L): 2.00 + 0.02 x 10 = 2.20 mmol/L.
    facts = facts_of(
        {
            "labs": [
                {"analyte": "calcium_total", "value": 2.0, "unit": "mmol/L"},
                {"analyte": "albumin", "value": 30.0, "unit": "g/L"},
            ]
        }
    )
    assert facts["lab.calcium_corrected"] == pytest.approx(2.2)


def test_corrected_calcium_agrees_with_the_us_formula() -> None:
    # US formula: Ca + 0.8 x (4.0 - albumin g/dL) = 8.0 + 0.8 = 8.8 mg/dL = 2.196 mmol/L.
    facts = facts_of(
        {
            "labs": [
                {"analyte": "calcium_total", "value": 8.0, "unit": "mg/dL"},
                {"analyte": "albumin", "value": 3.0, "unit": "g/dL"},
            ]
        }
    )
    assert facts["lab.calcium_corrected"] == pytest.approx(8.8 * 10 / 40.08, abs=0.002)


def test_no_corrected_calcium_without_albumin() -> None:
    facts = facts_of({"labs": [{"analyte": "calcium_total", "value": 2.0, "unit": "mmol/L"}]})
    assert "lab.calcium_corrected" not in facts
    assert facts["lab.calcium_total"] == 2.0


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        # The lab's own upper limit wins: 1000 / 200.
        (
            {
                "sex": "male",
                "labs": [
                    {
                        "analyte": "ck",
                        "value": 1000.0,
                        "unit": "U/L",
                        "reference_range": {"high": 200.0},
                    }
                ],
            },
            5.0,
        ),
        # No range reported: Mayo adult limits by sex (male 308, female 192 U/L).
        ({"sex": "male", "labs": [{"analyte": "ck", "value": 924.0, "unit": "U/L"}]}, 3.0),
        ({"sex": "female", "labs": [{"analyte": "ck", "value": 960.0, "unit": "U/L"}]}, 5.0),
        # The multiple does not depend on the unit: 5 µkat/L over an upper limit of 2.5 µkat/L.
        (
            {
                "labs": [
                    {
                        "analyte": "ck",
                        "value": 5.0,
                        "unit": "µkat/L",
                        "reference_range": {"low": 0.5, "high": 2.5},
                    }
                ]
            },
            2.0,
        ),
    ],
)
def test_ck_as_multiple_of_upper_limit(record: dict[str, Any], expected: float) -> None:
    assert facts_of(record)["lab.ck_x_uln"] == pytest.approx(expected)


def test_no_ck_multiple_without_a_limit_or_sex() -> None:
    facts = facts_of({"labs": [{"analyte": "ck", "value": 924.0, "unit": "U/L"}]})
    assert facts["lab.ck"] == 924.0
    assert "lab.ck_x_uln" not in facts


def potassium(value: float, collected: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"analyte": "potassium", "value": value, "unit": "mmol/L"}
    if collected:
        result["collected"] = collected
    return result


def test_latest_value_is_chosen_by_date_not_by_order() -> None:
    facts = facts_of(
        {
            "labs": [
                potassium(3.0, "2024-01-10"),
                potassium(4.0, "2024-03-01"),
                potassium(3.6, "2024-02-01"),
            ]
        }
    )
    assert facts["lab.potassium"] == 4.0
    assert facts["lab.potassium.lowest"] == 3.0
    assert facts["lab.potassium.highest"] == 4.0


def test_undated_values_are_taken_in_the_order_listed() -> None:
    facts = facts_of({"labs": [potassium(3.0), potassium(3.8)]})
    assert facts["lab.potassium"] == 3.8


def test_dated_values_are_taken_as_more_recent_than_undated_ones() -> None:
    facts = facts_of({"labs": [potassium(3.1, "2024-01-10"), potassium(4.2)]})
    assert facts["lab.potassium"] == 3.1


def test_reference_flags_use_the_latest_result_and_its_own_range() -> None:
    facts = facts_of(
        {
            "labs": [
                {**potassium(3.2, "2024-01-01"), "reference_range": {"low": 3.5, "high": 5.1}},
                {**potassium(5.4, "2024-02-01"), "reference_range": {"low": 3.5, "high": 5.3}},
            ]
        }
    )
    assert facts["lab.potassium.below_reference"] == "absent"
    assert facts["lab.potassium.above_reference"] == "present"


def test_range_flags_stay_unknown_without_a_reported_range() -> None:
    facts = facts_of({"labs": [potassium(3.2)]})
    assert "lab.potassium.below_reference" not in facts


def test_drug_classes_and_reconciled_lists() -> None:
    facts = facts_of(
        {
            "medications": [
                {"name": "Hydrochlorothiazide", "started_before_cramps": "present"},
                {"name": "paracetamol"},
            ],
        }
    )
    assert facts["drug.thiazide"] == "present"
    assert facts["drug.thiazide.started_before_cramps"] == "present"
    # Without a reconciled list, classes not listed stay unknown.
    assert "drug.statin" not in facts
    complete = facts_of({"medications": [{"name": "atorvastatin"}], "medications_complete": True})
    assert complete["drug.statin"] == "present"
    assert "drug.statin.started_before_cramps" not in complete
    absent = [c for c in DrugClass if c is not DrugClass.STATIN]
    assert all(complete[f"drug.{c.value}"] == "absent" for c in absent)


def test_rxnorm_code_maps_an_unfamiliar_name() -> None:
    facts = facts_of({"medications": [{"name": "Microzide 25 mg", "rxnorm": "5487"}]})
    assert facts["drug.thiazide"] == "present"


def test_tests_done_become_results_and_findings() -> None:
    facts = facts_of(
        {"tests_done": [{"test": "ncs", "result": "abnormal", "findings": ["demyelinating"]}]}
    )
    assert facts == {"test.ncs": "abnormal", "test.ncs.demyelinating": "present"}


def test_numbers_are_rounded_so_both_engines_see_the_same_value() -> None:
    facts = facts_of({"labs": [{"analyte": "glucose", "value": 100.0, "unit": "mg/dL"}]})
    assert facts["lab.glucose"] == 5.550622
