"""Any valid patient record survives serialisation unchanged (JSON and YAML)."""

from __future__ import annotations

import json

import yaml
from hypothesis import HealthCheck, given, settings

from crampdx.facts import patient_facts
from crampdx.record import Patient, parse_patient
from crampdx.testing.strategies import patients

# Generating whole records is slower than Hypothesis expects of a single draw.
RECORDS = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


@RECORDS
@given(patients())
def test_model_json_round_trip(patient: Patient) -> None:
    assert Patient.model_validate_json(patient.model_dump_json()) == patient


@RECORDS
@given(patients())
def test_plain_json_round_trip_through_parse_patient(patient: Patient) -> None:
    again = parse_patient(json.loads(patient.model_dump_json()))
    assert again == patient
    assert patient_facts(again) == patient_facts(patient)


@RECORDS
@given(patients())
def test_yaml_round_trip_through_parse_patient(patient: Patient) -> None:
    # As a record file is written: only what is known (defaults left out).
    text = yaml.safe_dump(patient.model_dump(mode="json", exclude_defaults=True), sort_keys=False)
    assert parse_patient(yaml.safe_load(text)) == patient


@RECORDS
@given(patients())
def test_defaults_can_be_left_out(patient: Patient) -> None:
    # Record files list only what is known; dropping every default must change nothing.
    sparse = patient.model_dump(mode="json", exclude_defaults=True)
    assert parse_patient(sparse) == patient
