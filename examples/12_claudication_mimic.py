"""Calf 'cramps' on walking that stop on standing still, with absent foot pulses.

This is claudication, a mimic of cramp: the gate says so before the differential.
Run from the project root: ``python examples/12_claudication_mimic.py``.
"""

from crampdx import assess, parse_patient
from crampdx.report import table_text
from crampdx.testing import assert_in_workup, assert_ranks_top

patient = parse_patient(
    {
        "id": "walking-calf-pain",
        "age_years": 66,
        "sex": "male",
        "cramps": {
            "reported": "present",
            "sites": ["calf"],
            "timing": ["during_exercise"],
            "triggers": {"walking": "present"},
            "relieved_by_rest": "present",
            "relieved_by_stretching": "absent",
        },
        "symptoms": {"claudication": "present", "rest_pain": "absent"},
        "exam": {
            "reduced_pulses": {"status": "present", "regions": ["foot"]},
            "femoral_bruit": "present",
            "ulcer_or_gangrene": "absent",
        },
        "history": {"smoking": "present", "hypertension": "present"},
    }
)
assessment = assess(patient)
print(table_text(assessment))

assert not assessment.gate.true_cramp, "the gate recognises a mimic"
assert assessment.gate.phenomenon == "claudication", assessment.gate
assert_ranks_top(assessment, "peripheral_artery_disease")
assert_in_workup(assessment, "abi")
print("checked: the gate flags claudication; PAD ranks first; an ABI is planned")
