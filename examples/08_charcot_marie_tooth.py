"""Calf and foot cramps since childhood with pes cavus, foot drop and a family history.

Run from the project root: ``python examples/08_charcot_marie_tooth.py``.
"""

from crampdx import assess, parse_patient
from crampdx.report import table_text
from crampdx.testing import assert_in_workup, assert_ranks_top

patient = parse_patient(
    {
        "id": "cmt-like",
        "age_years": 24,
        "sex": "female",
        "cramps": {
            "reported": "present",
            "sites": ["calf", "foot"],
            "timing": ["during_exercise", "nocturnal"],
            "course": "stable",
        },
        "exam": {
            "pes_cavus": "present",
            "foot_drop": "present",
            "atrophy": {"status": "present", "regions": ["calf", "distal"]},
            "weakness": {"status": "present", "regions": ["distal", "foot"]},
            "reflexes": {"ankle": "absent", "knee": "reduced"},
            "sensory_loss_distal_symmetric": "present",
            "fasciculations": "absent",
        },
        "history": {
            "childhood_onset_symptoms": "present",
            "family_history": {"neuropathy": "present"},
            "diabetes": {"status": "absent"},
            "alcohol_use_disorder": "absent",
        },
    }
)
assessment = assess(patient)
print(table_text(assessment))

assert_ranks_top(assessment, "charcot_marie_tooth")
assert_in_workup(assessment, "ncs", "pmp22_duplication")
order = {item.test: item.order for item in assessment.workup}
assert order["ncs"] < order["pmp22_duplication"], "nerve conduction comes before genetics"
print("checked: CMT ranks first; nerve conduction studies come before PMP22 testing")
