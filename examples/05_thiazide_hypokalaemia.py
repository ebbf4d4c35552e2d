"""Cramps and weakness on a thiazide with a potassium of 2.9 mmol/L.

The differential shows the drug *acting through* the electrolyte disturbance,
so the clinician sees both the mechanism and the cause to act on.
Run from the project root: ``python examples/05_thiazide_hypokalaemia.py``.
"""

from crampdx import assess, parse_patient
from crampdx.report import table_text
from crampdx.testing import assert_in_workup, assert_ranks_top

patient = parse_patient(
    {
        "id": "thiazide-low-k",
        "age_years": 72,
        "sex": "female",
        "cramps": {"reported": "present", "sites": ["calf", "thigh"], "timing": ["nocturnal"]},
        "symptoms": {
            "weakness": {"status": "present", "regions": ["proximal"]},
            "palpitations": "present",
            "vomiting_or_diarrhoea": "absent",
        },
        "medications": [{"name": "bendroflumethiazide", "started_before_cramps": "present"}],
        "labs": [
            {"analyte": "potassium", "value": 2.9, "unit": "mmol/L"},
            {"analyte": "magnesium", "value": 0.82, "unit": "mmol/L"},
        ],
    }
)
assessment = assess(patient)
print(table_text(assessment))

assert_ranks_top(assessment, "hypokalaemia")
thiazide = assessment.cause("thiazide_diuretic")
assert thiazide is not None, "the thiazide is listed as a cause"
assert "hypokalaemia" in thiazide.acts_through, thiazide.acts_through
assert_in_workup(assessment, "ecg")
print("checked: hypokalaemia first, the thiazide acts through it, an ECG is planned")
