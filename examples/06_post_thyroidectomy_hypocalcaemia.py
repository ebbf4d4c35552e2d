"""Tingling and carpopedal spasm days after a thyroidectomy: tetany, not cramp.

Loads ``examples/patients/post-thyroidectomy-tetany.yaml``. The gate recognises
tetany, hypocalcaemia leads and the red flag asks for emergency treatment.
Run from the project root: ``python examples/06_post_thyroidectomy_hypocalcaemia.py``.
"""

from pathlib import Path

from crampdx import assess, load_patient
from crampdx.report import table_text
from crampdx.testing import assert_in_workup, assert_ranks_top, assert_red_flag

patient = load_patient(Path(__file__).parent / "patients" / "post-thyroidectomy-tetany.yaml")
assessment = assess(patient)
print(table_text(assessment))

assert assessment.gate.phenomenon == "tetany", assessment.gate
assert_ranks_top(assessment, "hypocalcaemia")
assert_ranks_top(assessment, "hypoparathyroidism", 2)
assert_red_flag(assessment, "symptomatic_hypocalcaemia")
assert_in_workup(assessment, "ecg")
print("checked: gate says tetany, hypocalcaemia then hypoparathyroidism, red flag raised, ECG")
