"""Brief nocturnal calf cramps with a normal examination: reassure, no tests needed.

Loads ``examples/patients/typical-nocturnal-leg-cramps.json``.
Run from the project root: ``python examples/13_typical_nocturnal_leg_cramps.py``.
"""

from pathlib import Path

from crampdx import assess, load_patient
from crampdx.report import table_text
from crampdx.testing import assert_no_red_flags, assert_no_tests, assert_ranks_top

patient = load_patient(Path(__file__).parent / "patients" / "typical-nocturnal-leg-cramps.json")
assessment = assess(patient)
print(table_text(assessment))

assert_ranks_top(assessment, "idiopathic_nocturnal_leg_cramps")
assert_no_red_flags(assessment)
assert_no_tests(assessment)
print("checked: idiopathic nocturnal leg cramps first, no red flags, no tests needed")
print(f"why no tests: {assessment.no_tests_reason}")
