"""Lab unit conversion: round trips for every unit, and each factor against a textbook value."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crampdx.record.labs import ANALYTES, Analyte, LabResult, ReferenceRange, normalise_unit
from crampdx.testing.strategies import lab_results

UNITS = [(analyte, unit) for analyte, spec in ANALYTES.items() for unit in sorted(spec.units)]


@pytest.mark.parametrize(("analyte", "unit"), UNITS, ids=[f"{a.value}-{u}" for a, u in UNITS])
def test_conversion_round_trips_across_the_plausible_range(analyte: Analyte, unit: str) -> None:
    conversion = ANALYTES[analyte].units[unit]
    low, high = ANALYTES[analyte].plausible
    for canonical in (low, low + (high - low) / 3, (low + high) / 2, high):
        reported = conversion.from_canonical(canonical)
        assert conversion.to_canonical(reported) == pytest.approx(canonical, rel=1e-12, abs=1e-9)


@pytest.mark.parametrize(("analyte", "unit"), UNITS, ids=[f"{a.value}-{u}" for a, u in UNITS])
def test_lab_result_converts_a_value_reported_in_any_accepted_unit(
    analyte: Analyte, unit: str
) -> None:
    spec = ANALYTES[analyte]
    low, high = spec.plausible
    canonical = (low + high) / 2
    reported = spec.units[unit].from_canonical(canonical)
    result = LabResult(analyte=analyte, value=reported, unit=unit)
    assert result.canonical_value == pytest.approx(canonical, rel=1e-9)
    assert result.canonical_unit == spec.canonical_unit


@pytest.mark.parametrize("analyte", list(Analyte))
def test_canonical_unit_is_accepted_unchanged(analyte: Analyte) -> None:
    spec = ANALYTES[analyte]
    conversion = spec.units[normalise_unit(spec.canonical_unit)]
    assert (conversion.factor, conversion.offset) == (1.0, 0.0)


def test_every_analyte_has_a_spec_and_each_loinc_code_one_analyte() -> None:
    assert set(ANALYTES) == set(Analyte)
    owners: dict[str, Analyte] = {}
    for analyte, spec in ANALYTES.items():
        for code in spec.loinc:
            assert owners.setdefault(code, analyte) == analyte, f"LOINC {code} is listed twice"


@given(lab_results())
def test_generated_results_convert_back_to_the_reported_value(result: LabResult) -> None:
    conversion = ANALYTES[result.analyte].units[normalise_unit(result.unit)]
    assert conversion.from_canonical(result.canonical_value) == pytest.approx(
        result.value, rel=1e-9, abs=1e-9
    )


@given(st.sampled_from(["µmol/L", "μmol/L", "umol/L", "UMOL/L", " umol / L "]))
def test_unit_spellings_fold_together(unit: str) -> None:
    result = LabResult(analyte=Analyte.CREATININE, value=80.0, unit=unit)
    assert result.canonical_value == 80.0


def test_reference_range_is_converted_with_the_value() -> None:
    result = LabResult(
        analyte=Analyte.CALCIUM_TOTAL,
        value=8.0,
        unit="mg/dL",
        reference_range=ReferenceRange(low=8.5, high=10.2),
    )
    low, high = result.canonical_range()
    assert low == pytest.approx(2.12, abs=0.005)
    assert high == pytest.approx(2.545, abs=0.005)


# Each row: analyte, value and unit as reported, the textbook value in the canonical unit, and
# the absolute tolerance the textbook's rounding allows. Sources are given per row.
TEXTBOOK = [
    # Calcium 9.4 mg/dL = 2.35 mmol/L: mg/dL x 0.2495 (M = 40.08 g/mol); UCSF conversion
    # table (x 0.25) and clinical reference §6a.
    (Analyte.CALCIUM_TOTAL, 9.4, "mg/dL", 2.35, 0.005),
    # Calcium 2 mEq/L = 1 mmol/L (divalent ion): clinical reference §6a.
    (Analyte.CALCIUM_TOTAL, 4.8, "mEq/L", 2.4, 1e-9),
    # Ionized calcium 4.57-5.43 mg/dL = 1.14-1.35 mmol/L: Mayo Clinic Laboratories (CAI).
    (Analyte.CALCIUM_IONIZED, 4.57, "mg/dL", 1.14, 0.005),
    (Analyte.CALCIUM_IONIZED, 2.3, "mEq/L", 1.15, 1e-9),
    # A lab-reported adjusted calcium converts like total calcium (M = 40.08 g/mol; mEq = 2 x mmol).
    (Analyte.CALCIUM_ADJUSTED, 9.4, "mg/dL", 2.35, 0.005),
    (Analyte.CALCIUM_ADJUSTED, 4.6, "mEq/L", 2.3, 1e-9),
    # BUN 20 mg/dL = 7.14 mmol/L urea: BUN mg/dL x 0.357 (clinical reference §6a).
    (Analyte.UREA_NITROGEN, 20.0, "mg/dL", 7.14, 0.005),
    # Magnesium 2.0 mg/dL = 0.82 mmol/L: mg/dL x 0.4114 (M = 24.305 g/mol), clinical
    # reference §6a.
    (Analyte.MAGNESIUM, 2.0, "mg/dL", 0.82, 0.005),
    # Hypomagnesaemia 1.7 mg/dL = 1.4 mEq/L = 0.70 mmol/L: clinical reference §6b.
    (Analyte.MAGNESIUM, 1.7, "mg/dL", 0.70, 0.005),
    (Analyte.MAGNESIUM, 1.4, "mEq/L", 0.70, 1e-9),
    # Glucose 100 mg/dL = 5.55 mmol/L (ADA: 100 mg/dL = 5.6 mmol/L; mg/dL / 18.02).
    (Analyte.GLUCOSE, 100.0, "mg/dL", 5.55, 0.005),
    # Glucose 126 mg/dL = 7.0 mmol/L: ADA Standards of Care, diagnosis of diabetes.
    (Analyte.GLUCOSE, 126.0, "mg/dL", 7.0, 0.05),
    # Creatinine 1.0 mg/dL = 88.4 µmol/L: KDIGO 2012 CKD guideline, conversion factors.
    (Analyte.CREATININE, 1.0, "mg/dL", 88.4, 0.05),
    # HbA1c 6.5 % = 48 mmol/mol (ADA), 47.5 with the IFCC-NGSP master equation
    # (Hoelzel et al., Clin Chem 2004): (6.5 - 2.15) x 10.929.
    (Analyte.HBA1C, 6.5, "%", 47.5, 0.05),
    # HbA1c 5.7 % = 39 mmol/mol: ADA prediabetes threshold.
    (Analyte.HBA1C, 5.7, "%", 39.0, 0.5),
    # Vitamin B12 200 ng/L = 148 pmol/L: BSH guideline on cobalamin and folate (Devalia 2014).
    (Analyte.VITAMIN_B12, 200.0, "ng/L", 148.0, 0.5),
    # Vitamin B12 180 ng/L = 133 pmol/L: NICE NG239 deficiency threshold; pg/mL = ng/L.
    (Analyte.VITAMIN_B12, 180.0, "pg/mL", 133.0, 0.5),
    # Phosphate 2.5-4.5 mg/dL = 0.81-1.45 mmol/L (as phosphorus, M = 30.97 g/mol): adult
    # reference interval, Tietz Textbook of Clinical Chemistry.
    (Analyte.PHOSPHATE, 2.5, "mg/dL", 0.81, 0.005),
    (Analyte.PHOSPHATE, 4.5, "mg/dL", 1.45, 0.005),
    # Albumin 4.0 g/dL = 40 g/L: the reference value of the calcium correction formula,
    # clinical reference §6b (mg/dL and mmol/L forms of the same formula).
    (Analyte.ALBUMIN, 4.0, "g/dL", 40.0, 1e-9),
    # CK: 1 U = 1 µmol/min and 1 katal = 1 mol/s, so 1 µkat/L = 60 U/L (IFCC; SI units
    # for enzyme activity, NIST SP 811). 5 µkat/L = 300 U/L.
    (Analyte.CK, 5.0, "µkat/L", 300.0, 1e-9),
    # Free T4 0.8-1.8 ng/dL = 10.3-23.2 pmol/L: ng/dL x 12.87 (M = 776.87 g/mol), Tietz.
    (Analyte.FREE_T4, 1.0, "ng/dL", 12.87, 0.005),
    # 25-OH vitamin D 20 ng/mL = 50 nmol/L: Institute of Medicine 2011 / Endocrine Society
    # 2011 sufficiency threshold (ng/mL x 2.496).
    (Analyte.VITAMIN_D_25OH, 20.0, "ng/mL", 50.0, 0.5),
    # PTH 65 pg/mL = 6.9 pmol/L: upper reference limit of intact PTH (pg/mL x 0.106,
    # M = 9425 g/mol for PTH 1-84), Tietz.
    (Analyte.PTH, 65.0, "pg/mL", 6.9, 0.05),
    # Cortisol 18 µg/dL = 500 nmol/L: adrenal insufficiency cut-off, Endocrine Society 2016
    # guideline (Bornstein et al.); µg/dL x 27.59 gives 497, the guideline rounds to 500.
    (Analyte.CORTISOL, 18.0, "µg/dL", 500.0, 5.0),
    # Bilirubin 1 mg/dL = 17.1 µmol/L (M = 584.66 g/mol): Tietz; BMJ Best Practice.
    (Analyte.BILIRUBIN, 1.0, "mg/dL", 17.1, 0.05),
    # Folate 3 µg/L = 7 nmol/L: BSH guideline deficiency threshold (Devalia 2014); ng/mL = µg/L.
    (Analyte.FOLATE, 3.0, "ng/mL", 7.0, 0.5),
    # Lactate 18 mg/dL = 2 mmol/L: Sepsis-3 definition of septic shock (Singer et al.,
    # JAMA 2016).
    (Analyte.LACTATE, 18.0, "mg/dL", 2.0, 0.05),
    # Ammonia 100 µg/dL = 58.7 µmol/L: µg/dL x 0.587 (NH3, M = 17.03 g/mol), Tietz.
    (Analyte.AMMONIA, 100.0, "µg/dL", 58.7, 0.05),
    # Haemoglobin 13.0 g/dL = 130 g/L: WHO anaemia threshold for men.
    (Analyte.HAEMOGLOBIN, 13.0, "g/dL", 130.0, 1e-9),
    # CRP 1 mg/dL = 10 mg/L.
    (Analyte.CRP, 1.0, "mg/dL", 10.0, 1e-9),
    # Methylmalonic acid 0.45 µmol/L = 450 nmol/L: NICE NG239 threshold.
    (Analyte.METHYLMALONIC_ACID, 0.45, "µmol/L", 450.0, 1e-9),
    # Potassium and sodium: mmol/L = mEq/L for monovalent ions (clinical reference §6a).
    (Analyte.POTASSIUM, 3.3, "mEq/L", 3.3, 1e-9),
    (Analyte.SODIUM, 140.0, "mEq/L", 140.0, 1e-9),
]


@pytest.mark.parametrize(
    ("analyte", "value", "unit", "expected", "tolerance"),
    TEXTBOOK,
    ids=[f"{row[0].value}-{row[1]:g}{row[2]}" for row in TEXTBOOK],
)
def test_conversion_matches_textbook_value(
    analyte: Analyte, value: float, unit: str, expected: float, tolerance: float
) -> None:
    result = LabResult(analyte=analyte, value=value, unit=unit)
    assert result.canonical_value == pytest.approx(expected, abs=tolerance)


def test_every_non_canonical_unit_has_a_textbook_check() -> None:
    checked = {(row[0], ANALYTES[row[0]].units[normalise_unit(row[2])]) for row in TEXTBOOK}
    unchecked = [
        (analyte.value, unit)
        for analyte, spec in ANALYTES.items()
        for unit, conversion in spec.units.items()
        # Spellings of one unit share one conversion, so checking one spelling covers all.
        if (conversion.factor, conversion.offset) != (1.0, 0.0)
        and (analyte, conversion) not in checked
    ]
    assert unchecked == [], f"conversions without a textbook value: {unchecked}"
