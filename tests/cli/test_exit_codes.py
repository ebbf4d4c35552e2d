"""Stable exit codes, and errors on stderr that name file, line and field (no traceback)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

Run = Callable[..., subprocess.CompletedProcess[str]]


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout


# --- 2: usage --------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("assess", "--no-such-option"),
        ("assess",),
        ("assess", "p.yaml", "--engine", "quantum"),
        ("assess", "p.yaml", "--format", "pdf"),
        ("frobnicate",),
    ],
    ids=["unknown option", "missing patient", "unknown engine", "unknown format", "no command"],
)
def test_usage_errors_exit_2(crampdx: Run, args: tuple[str, ...]) -> None:
    result = crampdx(*args)
    assert result.returncode == 2
    assert "Usage: crampdx" in result.stderr
    _no_traceback(result)


def test_rules_only_without_rules_is_a_usage_error(crampdx: Run, low_potassium: Path) -> None:
    result = crampdx("assess", low_potassium, "--rules-only")
    assert result.returncode == 2
    assert "--rules-only needs at least one --rules DIR" in result.stderr


def test_unknown_cause_suggests_close_ids(
    crampdx: Run, low_potassium: Path, tiny: tuple[str, ...]
) -> None:
    result = crampdx("explain", low_potassium, "tiny_low_potasium", *tiny)
    assert result.returncode == 2
    assert "unknown cause 'tiny_low_potasium'; did you mean tiny_low_potassium?" in result.stderr
    shown = crampdx("rules", "show", "nope", *tiny)
    assert shown.returncode == 2
    assert "unknown cause 'nope'" in shown.stderr


# --- 3: invalid input ------------------------------------------------------------


def test_invalid_record_names_file_line_column_and_field(crampdx: Run, tmp_path: Path) -> None:
    patient = tmp_path / "bad.yaml"
    patient.write_text(
        "age_years: 67\nsex: femal\nlabs:\n  - {analyte: potassium, value: 3.0, unit: furlongs}\n"
    )
    result = crampdx("assess", patient)
    assert result.returncode == 3
    lines = result.stderr.splitlines()
    assert lines[0] == f"crampdx: error: invalid patient record in {patient}: 2 problems"
    assert lines[1].startswith(f"  {patient}:2:6: CDX-P001 sex: Input should be 'female' or")
    assert lines[2].startswith(f"  {patient}:4:44: CDX-P002 labs.0.unit: unknown unit 'furlongs'")
    assert result.stdout == ""
    _no_traceback(result)


def test_invalid_json_names_line_and_column(crampdx: Run, tmp_path: Path) -> None:
    patient = tmp_path / "bad.json"
    patient.write_text('{\n  "age_years": 67\n  "sex": "male"\n}\n')
    result = crampdx("assess", patient)
    assert result.returncode == 3
    assert f"{patient}:3:3: CDX-F001" in result.stderr
    _no_traceback(result)


def test_invalid_yaml_syntax(crampdx: Run, tmp_path: Path) -> None:
    patient = tmp_path / "bad.yml"
    patient.write_text("age_years: 67\nsex: [male\n")
    result = crampdx("assess", patient)
    assert result.returncode == 3
    assert "CDX-F002" in result.stderr
    _no_traceback(result)


def test_missing_patient_file(crampdx: Run, tmp_path: Path) -> None:
    result = crampdx("assess", tmp_path / "nobody.yaml")
    assert result.returncode == 3
    assert f"cannot read patient file {tmp_path / 'nobody.yaml'}" in result.stderr
    _no_traceback(result)


def test_record_checked_against_the_knowledge_base_is_located(
    crampdx: Run, tmp_path: Path, tiny: tuple[str, ...]
) -> None:
    patient = tmp_path / "done.yaml"
    patient.write_text("tests_done:\n  - {test: ultrasound_of_the_soul, result: normal}\n")
    result = crampdx("assess", patient, *tiny)
    assert result.returncode == 3
    assert f"{patient}:2:12: CDX-P007 tests_done.0.test: unknown test" in result.stderr
    _no_traceback(result)


# --- 4: knowledge base -----------------------------------------------------------


def _break(rules: Path) -> None:
    target = rules / "tiny_benign_cramps.yaml"
    target.write_text(target.read_text().replace("evidence: C", "evidence: E"))


def test_broken_rules_exit_4_with_located_problems(
    crampdx: Run, tiny_rules: Path, low_potassium: Path
) -> None:
    _break(tiny_rules)
    for args in (("rules", "lint"), ("assess", low_potassium), ("rules", "test")):
        result = crampdx(*args, "--rules", tiny_rules, "--rules-only")
        assert result.returncode == 4, (args, result.stderr)
        problem = f"{tiny_rules / 'tiny_benign_cramps.yaml'}:17:15: CDX-K004 rules.0.evidence"
        assert problem in result.stderr
        _no_traceback(result)


def test_failing_rule_case_exits_4_and_explains(crampdx: Run, tiny_rules: Path) -> None:
    rule_file = tiny_rules / "tiny_benign_cramps.yaml"
    rule_file.write_text(
        rule_file.read_text().replace(
            "fires: [{cramps: {reported: present}}]", "fires: [{cramps: {reported: absent}}]"
        )
    )
    result = crampdx("rules", "test", "--rules", tiny_rules, "--rules-only", "-e", "reference")
    assert result.returncode == 4
    assert "inline rule cases: 6 of 7 passed" in result.stdout
    assert "rule tiny_benign_cramps.reported" in result.stderr
    assert "was expected to FIRE on tests.fires[0]" in result.stderr
    assert "cramp.reported = 'absent' -> false" in result.stderr


def test_invalid_case_file_exits_4(
    crampdx: Run, tmp_path: Path, tiny: tuple[str, ...], tiny_cases_text: str
) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "broken.yaml").write_text(tiny_cases_text.replace("    citation: TinyRef\n", "", 1))
    result = crampdx("rules", "test", *tiny, "--cases", cases, "-e", "reference")
    assert result.returncode == 4
    assert f"{cases / 'broken.yaml'}:3:5: CDX-C002 cases.0.citation: Field required" in (
        result.stderr
    )


# --- 5: engine unavailable -------------------------------------------------------


def test_unavailable_engine_exits_5(
    crampdx: Run, tmp_path: Path, low_potassium: Path, tiny: tuple[str, ...]
) -> None:
    """Where durable_rules cannot import (e.g. Python 3.13), asking for it exits 5."""
    shim = tmp_path / "shim" / "durable"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text("")
    (shim / "engine.py").write_text("raise ImportError('durable_rules is not usable here')\n")
    env = {"PYTHONPATH": str(shim.parent)}
    result = crampdx("assess", low_potassium, *tiny, "--engine", "durable", env=env)
    assert result.returncode == 5
    assert "the durable engine cannot run here" in result.stderr
    _no_traceback(result)
    fallback = crampdx("assess", low_potassium, *tiny, "-f", "json", env=env)
    assert fallback.returncode == 0, fallback.stderr
    assert '"engine": "reference"' in fallback.stdout


# --- 70: internal error ----------------------------------------------------------


def test_a_bug_exits_70_with_a_traceback(
    crampdx: Run, tmp_path: Path, low_potassium: Path, tiny: tuple[str, ...]
) -> None:
    """Only an unexpected exception (a bug) shows a traceback, for the bug report."""
    shim = tmp_path / "bug"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(
        "import crampdx.cli.assess_cmd as command\n\n"
        "def broken(*args, **kwargs):\n"
        "    raise ZeroDivisionError('simulated bug')\n\n"
        "command.render = broken\n"
    )
    result = crampdx("assess", low_potassium, *tiny, "-f", "json", env={"PYTHONPATH": str(shim)})
    assert result.returncode == 70
    assert "crampdx: internal error" in result.stderr
    assert "ZeroDivisionError: simulated bug" in result.stderr
