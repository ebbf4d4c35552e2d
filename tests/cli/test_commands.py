"""Every ``crampdx`` command, run as the installed console script (exit code 0 paths)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from crampdx.assessment.result import Assessment

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.mark.parametrize(
    "command",
    [
        (),
        ("assess",),
        ("explain",),
        ("schema",),
        ("rules",),
        ("rules", "lint"),
        ("rules", "test"),
        ("rules", "show"),
    ],
    ids=lambda c: " ".join(c) or "crampdx",
)
def test_help_everywhere(crampdx: Run, command: tuple[str, ...]) -> None:
    result = crampdx(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage: crampdx" in result.stdout


def test_version(crampdx: Run) -> None:
    from crampdx import __version__

    assert crampdx("--version").stdout.strip() == f"crampdx {__version__}"


def test_assess_table_shows_every_section(
    tiny: tuple[str, ...], crampdx: Run, low_potassium: Path
) -> None:
    result = crampdx("assess", low_potassium, *tiny, env={"COLUMNS": "250"})
    assert result.returncode == 0, result.stderr
    text = result.stdout
    sections = [
        "not a diagnosis",
        "Gate",
        "Overall urgency",
        "Red flags",
        "Differential",
        "Workup, in order",
        "Next findings",
        "Management notes",
        "Sources",
    ]
    positions = [text.index(section) for section in sections]
    assert positions == sorted(positions), "sections must come in reading order"
    assert "Tiny low potassium" in text
    assert "tiny_low_potassium.low v1" in text
    assert "lab.potassium = 3 mmol/L (rule: < 3.5)" in text
    assert "Tiny potassium test" in text  # the confirming test, in the workup
    assert "knowledge base 0.1.0 (sha256" in text
    assert "engine" in text


def test_assess_json_is_the_assessment(
    tiny: tuple[str, ...], crampdx: Run, low_potassium: Path
) -> None:
    result = crampdx("assess", low_potassium, "--format", "json", *tiny, "--engine", "reference")
    assert result.returncode == 0, result.stderr
    assessment = Assessment.model_validate_json(result.stdout)
    assert [c.id for c in assessment.differential] == ["tiny_low_potassium", "tiny_benign_cramps"]
    assert assessment.provenance.engine == "reference"


def test_assess_markdown(tiny: tuple[str, ...], crampdx: Run, low_potassium: Path) -> None:
    result = crampdx("assess", low_potassium, "-f", "markdown", *tiny)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# crampdx assessment: low-k\n")
    assert "### 1. Tiny low potassium (`tiny_low_potassium`)" in result.stdout
    assert "| 1 | Tiny potassium test (`tiny_potassium_test`)" in result.stdout


def test_assess_html_is_one_self_contained_page(
    tiny: tuple[str, ...], crampdx: Run, low_potassium: Path, tmp_path: Path
) -> None:
    target = tmp_path / "report.html"
    result = crampdx("assess", low_potassium, "-f", "html", "-o", target, *tiny)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    page = target.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page
    assert "@media print" in page
    for external in ("<link", "<script", "src=", "@import", "url("):
        assert external not in page
    assert "Tiny low potassium" in page
    assert "not a diagnosis" in page


def test_bundled_demo_patient(crampdx: Run, project_root: Path) -> None:
    """The command ``make demo`` runs, on the shipped knowledge base."""
    result = crampdx(
        "assess", project_root / "examples" / "patients" / "demo-nocturnal-thiazide.yaml"
    )
    assert result.returncode == 0, result.stderr
    assert "not a diagnosis" in result.stdout
    assert "Differential" in result.stdout


def test_explain_lists_fired_and_idle_rules(
    tiny: tuple[str, ...], crampdx: Run, low_potassium: Path
) -> None:
    result = crampdx("explain", low_potassium, "tiny_low_potassium", *tiny, env={"COLUMNS": "250"})
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "Rank 1 of 2: score +2.00 = prior -3 + supporting 5 − conflicting 0" in text
    assert "tiny_low_potassium.low v1" in text
    assert "lab.potassium = 3 mmol/L (rule: < 3.5)" in text
    assert "condition false" in text
    assert "tiny_low_potassium.normal" in text
    assert "TinyRef" in text


def test_explain_unlisted_cause_shows_what_is_not_yet_known(
    tiny: tuple[str, ...], crampdx: Run, tmp_path: Path
) -> None:
    patient = tmp_path / "p.json"
    patient.write_text('{"cramps": {"reported": "present"}}')
    result = crampdx("explain", patient, "tiny_low_potassium", *tiny, env={"COLUMNS": "250"})
    assert result.returncode == 0, result.stderr
    assert "Not in the differential" in result.stdout
    assert "Not yet known" in result.stdout
    assert "lab.potassium: Measure" in result.stdout


def test_schema_of_the_patient_record(crampdx: Run) -> None:
    result = crampdx("schema")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert {"labs", "medications", "cramps", "exam"} <= set(schema["properties"])


def test_schema_of_rule_files(crampdx: Run) -> None:
    schema = json.loads(crampdx("schema", "--rules").stdout)
    assert {"rules", "cause", "catalogue"} <= set(schema["properties"])
    assert "Rule" in schema["$defs"]


def test_rules_lint(tiny: tuple[str, ...], crampdx: Run) -> None:
    result = crampdx("rules", "lint", *tiny)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: 3 rules, 2 causes, 1 tests")


def test_rules_show_lists_causes(tiny: tuple[str, ...], crampdx: Run) -> None:
    result = crampdx("rules", "show", *tiny)
    assert result.returncode == 0, result.stderr
    assert "tiny_benign_cramps" in result.stdout
    assert "tiny_low_potassium" in result.stdout


def test_rules_show_one_cause_in_words(tiny: tuple[str, ...], crampdx: Run) -> None:
    result = crampdx("rules", "show", "tiny_low_potassium", *tiny, env={"COLUMNS": "250"})
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "Tiny low potassium (tiny_low_potassium) v1" in text
    assert "lab.potassium < 3.5" in text
    assert "lab.potassium ≥ 3.5" in text
    assert "supports tiny_low_potassium (+5 log-odds, defining criterion)" in text


def test_rules_test_runs_inline_cases_and_case_files(
    tiny: tuple[str, ...], crampdx: Run, tmp_path: Path, tiny_cases_text: str
) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "tiny.yaml").write_text(tiny_cases_text)
    result = crampdx("rules", "test", *tiny, "--cases", cases, "--engine", "reference")
    assert result.returncode == 0, result.stderr
    assert "inline rule cases: 7 of 7 passed (engines: reference)" in result.stdout
    assert "case files: 2 of 2 cases passed" in result.stdout
