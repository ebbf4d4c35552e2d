"""Painful leg spasms in known multiple sclerosis with spasticity and extensor plantars.

Run from the project root: ``python examples/09_multiple_sclerosis_spasms.py``.
"""

from crampdx import assess, parse_patient
from crampdx.report import table_text
from crampdx.testing import assert_ranks_top

patient = parse_patient(
    {
        "id": "ms-spasms",
        "age_years": 38,
        "sex": "female",
        "cramps": {
            "reported": "present",
            "sites": ["thigh", "calf"],
            "timing": ["nocturnal", "at_rest"],
            "painful": "present",
        },
        "symptoms": {"visual_disturbance": "present"},
        "exam": {
            "spasticity": {"status": "present", "regions": ["lower_limb"]},
            "babinski": "present",
            "clonus": "present",
            "reflexes": {"knee": "brisk", "ankle": "brisk"},
        },
        "history": {"multiple_sclerosis": "present"},
    }
)
assessment = assess(patient)
print(table_text(assessment))

assert assessment.gate.phenomenon == "spasticity_spasms", assessment.gate
assert_ranks_top(assessment, "multiple_sclerosis")
print("checked: gate says spasticity-related spasms; multiple sclerosis ranks first")
