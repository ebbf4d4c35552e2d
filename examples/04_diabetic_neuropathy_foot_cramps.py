"""Nocturnal foot cramps in long-standing diabetes with a distal sensory neuropathy.

Loads ``examples/patients/diabetic-neuropathy-us.yaml`` (US units: mg/dL, %).
Run from the project root: ``python examples/04_diabetic_neuropathy_foot_cramps.py``.
"""

from pathlib import Path

from crampdx import assess, load_patient
from crampdx.report import table_text
from crampdx.testing import assert_ranks_top

patient = load_patient(Path(__file__).parent / "patients" / "diabetic-neuropathy-us.yaml")
assessment = assess(patient)
print(table_text(assessment))

assert_ranks_top(assessment, "diabetic_polyneuropathy")
assert_ranks_top(assessment, "diabetes_mellitus", 3)
print("checked: diabetic polyneuropathy ranks first, diabetes itself in the first three")
