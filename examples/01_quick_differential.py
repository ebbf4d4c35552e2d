"""The shortest path: a patient record in, an explained differential out.

Run from the project root: ``python examples/01_quick_differential.py``.
crampdx is decision support, not a diagnosis: read the evidence behind each line.
"""

from crampdx import assess, parse_patient
from crampdx.report import table_text
from crampdx.testing import assert_ranks_top

# Only what was recorded goes in; everything else stays unknown and never counts against a cause.
patient = parse_patient(
    {
        "id": "quick-1",
        "age_years": 71,
        "sex": "female",
        "cramps": {"reported": "present", "sites": ["calf"], "timing": ["nocturnal"]},
        "medications": [{"name": "furosemide", "started_before_cramps": "present"}],
        "labs": [{"analyte": "potassium", "value": 3.1, "unit": "mmol/L"}],
    }
)
assessment = assess(patient)

print("Top of the differential:")
for cause in assessment.differential[:5]:
    print(f"  {cause.rank}. {cause.name:<40} {cause.band:<9} score {cause.score:+.2f}")
print()
print(table_text(assessment))

# A potassium of 3.1 mmol/L meets the defining criterion of hypokalaemia.
assert_ranks_top(assessment, "hypokalaemia", 3)
print("checked: hypokalaemia is among the first three causes")
