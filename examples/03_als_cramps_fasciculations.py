"""Cramps with fasciculations, wasting and brisk reflexes: motor neurone disease must lead.

Loads ``examples/patients/als-like-progressive-cramps.yaml``.
Run from the project root: ``python examples/03_als_cramps_fasciculations.py``.
"""

from pathlib import Path

from crampdx import assess, load_patient
from crampdx.report import table_text
from crampdx.testing import assert_in_workup, assert_ranks_top, assert_red_flag

patient = load_patient(Path(__file__).parent / "patients" / "als-like-progressive-cramps.yaml")
assessment = assess(patient)
print(table_text(assessment))

assert_ranks_top(assessment, "als")
assert_red_flag(assessment, "possible_motor_neurone_disease", "URGENT")
assert_in_workup(assessment, "emg", "ncs")
print("checked: ALS ranks first, the motor neurone red flag is URGENT, EMG and NCS are planned")
