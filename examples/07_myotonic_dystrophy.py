"""Hand stiffness with grip and percussion myotonia, ptosis, cataract and frontal balding.

Run from the project root: ``python examples/07_myotonic_dystrophy.py``.
"""

from crampdx import assess, parse_patient
from crampdx.report import table_text
from crampdx.testing import assert_in_workup, assert_ranks_top

patient = parse_patient(
    {
        "id": "dm1-like",
        "age_years": 34,
        "sex": "male",
        "cramps": {"reported": "present", "sites": ["hand", "forearm"], "painful": "absent"},
        "symptoms": {
            "stiffness": {"status": "present", "regions": ["hand"]},
            "weakness": {"status": "present", "regions": ["distal"]},
        },
        "exam": {
            "myotonia_grip": "present",
            "myotonia_percussion": "present",
            "myotonia_warm_up": "present",
            "weakness": {"status": "present", "regions": ["hand", "distal"]},
            "ptosis": "present",
            "facial_weakness": "present",
            "frontal_balding": "present",
            "cataract": "present",
            "fasciculations": "absent",
        },
        "history": {"family_history": {"myotonia": "present"}},
    }
)
assessment = assess(patient)
print(table_text(assessment))

assert assessment.gate.phenomenon == "myotonia", assessment.gate
assert_ranks_top(assessment, "myotonic_dystrophy_1")
assert_in_workup(assessment, "dmpk_repeat", "ecg")
print("checked: gate says myotonia, DM1 ranks first, DMPK testing and an ECG are planned")
