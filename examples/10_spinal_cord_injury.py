"""Leg and abdominal spasms years after a thoracic spinal cord injury.

Run from the project root: ``python examples/10_spinal_cord_injury.py``.
"""

from crampdx import assess, parse_patient
from crampdx.report import table_text
from crampdx.testing import assert_ranks_top

patient = parse_patient(
    {
        "id": "sci-spasms",
        "age_years": 45,
        "sex": "male",
        "cramps": {
            "reported": "present",
            "sites": ["thigh", "calf", "abdomen"],
            "timing": ["at_rest", "nocturnal"],
            "painful": "present",
        },
        "symptoms": {"bladder_or_bowel_change": "absent", "rapidly_progressive_weakness": "absent"},
        "exam": {
            "spasticity": {"status": "present", "regions": ["lower_limb"]},
            "clonus": "present",
            "babinski": "present",
        },
        "history": {"spinal_cord_injury": {"status": "present", "level": "thoracic"}},
    }
)
assessment = assess(patient)
print(table_text(assessment))

assert assessment.gate.phenomenon == "spasticity_spasms", assessment.gate
assert_ranks_top(assessment, "spinal_cord_injury")
print("checked: gate says spasticity-related spasms; spinal cord injury ranks first")
