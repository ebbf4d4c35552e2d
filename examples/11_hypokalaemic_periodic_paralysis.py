"""Attacks of flaccid weakness after carbohydrate meals, potassium 2.6 mmol/L, family history.

Run from the project root: ``python examples/11_hypokalaemic_periodic_paralysis.py``.
"""

from crampdx import assess, parse_patient
from crampdx.report import table_text
from crampdx.testing import assert_in_workup, assert_ranks_top, assert_red_flag

patient = parse_patient(
    {
        "id": "hypopp-attack",
        "age_years": 19,
        "sex": "male",
        "cramps": {
            "reported": "present",
            "triggers": {"carbohydrate_meal": "present", "rest_after_exercise": "present"},
        },
        "symptoms": {
            "episodic_weakness": "present",
            "weakness": {"status": "present", "regions": ["proximal"]},
            "heat_intolerance": "absent",
            "vomiting_or_diarrhoea": "absent",
        },
        "history": {"family_history": {"periodic_paralysis": "present"}},
        "labs": [
            {"analyte": "potassium", "value": 2.6, "unit": "mmol/L"},
            {"analyte": "tsh", "value": 1.8, "unit": "mIU/L"},
        ],
    }
)
assessment = assess(patient)
print(table_text(assessment))

assert_ranks_top(assessment, "hypokalaemic_periodic_paralysis")
assert_red_flag(assessment, "periodic_paralysis_attack", "EMERG")
assert assessment.urgency == "EMERG", assessment.urgency
assert_in_workup(assessment, "ecg")
print("checked: HypoPP ranks first; the attack is an emergency and an ECG is planned")
