"""The committed JSON Schemas equal what the models export, and describe real records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crampdx.schema import (
    PATIENT_SCHEMA_PATH,
    REGENERATE,
    RULES_SCHEMA_PATH,
    main,
    patient_json_schema,
    render,
    rules_json_schema,
    stale_files,
    write_schemas,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("relative", "export"),
    [(PATIENT_SCHEMA_PATH, patient_json_schema), (RULES_SCHEMA_PATH, rules_json_schema)],
    ids=["patient", "rules"],
)
def test_committed_schema_is_fresh(relative: Path, export: Any) -> None:
    path = ROOT / relative
    assert path.is_file(), f"{relative} is missing: run `{REGENERATE}`"
    committed = path.read_text(encoding="utf-8")
    assert committed == render(export()), (
        f"{relative} is stale (the models changed since it was exported): run `{REGENERATE}`"
    )


def test_export_is_deterministic() -> None:
    assert render(patient_json_schema()) == render(patient_json_schema())
    assert render(rules_json_schema()) == render(rules_json_schema())


def test_observation_accepts_the_bare_state_shorthand() -> None:
    definitions = patient_json_schema()["$defs"]
    variants = definitions["Observation"]["anyOf"]
    assert {"$ref": "#/$defs/State"} in variants
    objects = [v for v in variants if v.get("type") == "object"]
    assert objects
    assert set(objects[0]["properties"]) == {"status", "regions", "side"}
    assert definitions["State"]["enum"] == ["present", "absent", "unknown"]


def test_lab_unit_lists_accepted_units() -> None:
    unit = patient_json_schema()["$defs"]["LabResult"]["properties"]["unit"]
    assert "potassium: meq/l, mmol/l" in unit["description"]


def test_patient_schema_forbids_unknown_fields() -> None:
    schema = patient_json_schema()
    assert schema["additionalProperties"] is False
    assert schema["$defs"]["Exam"]["additionalProperties"] is False


def test_rule_inline_cases_are_patient_records() -> None:
    schema = rules_json_schema()
    definitions = schema["$defs"]
    tests = definitions["RuleTests"]["properties"]
    assert tests["fires"]["items"] == {"$ref": "#/$defs/Patient"}
    assert tests["does_not_fire"]["items"] == {"$ref": "#/$defs/Patient"}
    assert definitions["Patient"]["title"] == "Patient"
    assert "electrolyte" in definitions["Cause"]["properties"]["category"]["enum"]


def test_every_reference_resolves() -> None:
    for schema in (patient_json_schema(), rules_json_schema()):
        text = json.dumps(schema)
        for name in {part.split('"')[0] for part in text.split('"$ref": "#/$defs/')[1:]}:
            assert name in schema["$defs"], f"dangling $ref to {name}"


def test_write_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "rules").mkdir()
    assert main(["--check", "--root", str(tmp_path)]) == 1
    assert REGENERATE in capsys.readouterr().err
    written = write_schemas(tmp_path)
    assert {p.relative_to(tmp_path) for p in written} == {PATIENT_SCHEMA_PATH, RULES_SCHEMA_PATH}
    assert stale_files(tmp_path) == []
    assert main(["--check", "--root", str(tmp_path)]) == 0
    (tmp_path / PATIENT_SCHEMA_PATH).write_text("{}\n", encoding="utf-8")
    assert stale_files(tmp_path) == [tmp_path / PATIENT_SCHEMA_PATH]


def test_write_refuses_a_folder_without_rules(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--write", "--root", str(tmp_path)])
    assert not (tmp_path / PATIENT_SCHEMA_PATH).exists()
