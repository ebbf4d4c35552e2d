"""load_patient: JSON and YAML files, and every way a file can be unusable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crampdx.errors import InvalidPatientError, PatientFileError
from crampdx.record import load_patient, parse_patient
from crampdx.record.states import State

RECORD = {
    "age_years": 68,
    "sex": "female",
    "cramps": {"reported": "present", "sites": ["calf"], "timing": ["nocturnal"]},
    "exam": {"fasciculations": "absent", "reflexes": {"ankle": "normal"}},
    "labs": [{"analyte": "potassium", "value": 3.2, "unit": "mmol/L", "collected": "2024-05-02"}],
    "medications": [{"name": "hydrochlorothiazide"}],
}

YAML_RECORD = """\
age_years: 68
sex: female
cramps:
  reported: present
  sites: [calf]
  timing: [nocturnal]
exam:
  fasciculations: absent
  reflexes: {ankle: normal}
labs:
  - {analyte: potassium, value: 3.2, unit: mmol/L, collected: 2024-05-02}
medications:
  - name: hydrochlorothiazide
"""


def test_json_file(tmp_path: Path) -> None:
    path = tmp_path / "patient.json"
    path.write_text(json.dumps(RECORD), encoding="utf-8")
    assert load_patient(path) == parse_patient(RECORD)


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".YAML"])
def test_yaml_file_with_an_unquoted_date(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"patient{suffix}"
    path.write_text(YAML_RECORD, encoding="utf-8")
    patient = load_patient(str(path))
    assert patient == parse_patient(RECORD)
    assert patient.exam.fasciculations.status is State.ABSENT


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(PatientFileError, match="cannot read patient file") as caught:
        load_patient(path)
    assert str(path) in str(caught.value)


def test_unknown_suffix(tmp_path: Path) -> None:
    path = tmp_path / "patient.txt"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(PatientFileError, match=r"use a \.json, \.yaml or \.yml file"):
        load_patient(path)


def test_invalid_json_reports_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "patient.json"
    path.write_text('{\n  "age_years": 68,\n  "sex": female\n}\n', encoding="utf-8")
    with pytest.raises(PatientFileError) as caught:
        load_patient(path)
    (problem,) = caught.value.problems
    assert (problem.code, problem.path, problem.line, problem.column) == (
        "CDX-F001",
        str(path),
        3,
        10,
    )
    assert f"{path}:3:10: invalid JSON" in str(caught.value)


def test_invalid_yaml_reports_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "patient.yaml"
    path.write_text("age_years: 68\nexam:\n  babinski: [present\n", encoding="utf-8")
    with pytest.raises(PatientFileError) as caught:
        load_patient(path)
    (problem,) = caught.value.problems
    assert problem.code == "CDX-F002"
    assert problem.path == str(path)
    assert problem.line == 4  # the unclosed list runs to the end of the file
    assert problem.column is not None
    assert "invalid YAML" in str(caught.value)


def test_yaml_tab_indentation_is_located(tmp_path: Path) -> None:
    path = tmp_path / "patient.yaml"
    path.write_text("exam:\n\tbabinski: present\n", encoding="utf-8")
    with pytest.raises(PatientFileError) as caught:
        load_patient(path)
    assert caught.value.problems[0].line == 2


@pytest.mark.parametrize(
    ("text", "kind"), [("- 1\n- 2\n", "list"), ("42\n", "int"), ("", "NoneType")]
)
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str, kind: str) -> None:
    path = tmp_path / "patient.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PatientFileError, match=f"must be a mapping at the top level, not {kind}"):
        load_patient(path)


def test_invalid_record_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "patient.yaml"
    path.write_text("exam:\n  babinski: no\n", encoding="utf-8")
    with pytest.raises(InvalidPatientError) as caught:
        load_patient(path)
    assert str(path) in str(caught.value)
    assert caught.value.problems[0].field == "exam.babinski"
    assert "quote the word" in caught.value.problems[0].message
