"""Tests for the crampdx pytest plugin (``crampdx.testing.plugin``), run through pytester."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crampdx.engine import available_engines

DATA = Path(__file__).parent / "data"
TINY_ONLY = ("--crampdx-rules", "tiny_rules", "--crampdx-rules-only")


@pytest.fixture
def tiny(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project folder with the tiny knowledge base and one case file under tests/cases."""
    shutil.copytree(DATA / "tiny_rules", pytester.path / "tiny_rules")
    cases = pytester.path / "tests" / "cases"
    cases.mkdir(parents=True)
    shutil.copy(DATA / "tiny_cases.yaml", cases / "tiny_low_potassium.yaml")
    return pytester


def _collected(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if "::" in line]


def test_every_inline_case_is_an_item_on_every_engine(tiny: pytest.Pytester) -> None:
    """Each rule case appears once per available engine, under its rule file."""
    result = tiny.runpytest("--collect-only", "-q", *TINY_ONLY)
    items = _collected(result)
    engines = available_engines()
    expected = {
        f"tiny_rules/tiny_low_potassium.yaml::tiny_low_potassium.low[{kind}-{engine}]"
        for kind in ("fires-0", "does_not_fire-0", "does_not_fire-1")
        for engine in engines
    }
    assert expected <= set(items)
    rule_items = [i for i in items if i.startswith("tiny_rules/")]
    # 3 cases of .low, 2 of .normal, 2 of tiny_benign_cramps.reported.
    assert len(rule_items) == 7 * len(engines)


def test_case_file_items_are_named_after_their_cases(tiny: pytest.Pytester) -> None:
    result = tiny.runpytest("--collect-only", "-q", *TINY_ONLY)
    items = _collected(result)
    assert "tests/cases/tiny_low_potassium.yaml::low potassium ranks first" in items
    assert "tests/cases/tiny_low_potassium.yaml::normal potassium rules it out" in items


def test_the_item_count_shows_in_the_normal_output(tiny: pytest.Pytester) -> None:
    engines = len(available_engines())
    result = tiny.runpytest(*TINY_ONLY)
    result.assert_outcomes(passed=7 * engines + 2)
    result.stdout.fnmatch_lines([f"collected {7 * engines + 2} items"])


def test_ini_options_configure_rules_and_cases(tiny: pytest.Pytester) -> None:
    (tiny.path / "tests" / "cases").rename(tiny.path / "scenarios")
    tiny.makeini(
        "[pytest]\ncrampdx_rules = tiny_rules\ncrampdx_rules_only = true\n"
        "crampdx_cases = scenarios\ncrampdx_engines = reference\n"
    )
    result = tiny.runpytest("--collect-only", "-q")
    items = _collected(result)
    assert "scenarios/tiny_low_potassium.yaml::low potassium ranks first" in items
    assert "tiny_rules/tiny_low_potassium.yaml::tiny_low_potassium.low[fires-0-reference]" in items
    assert not [i for i in items if i.endswith("-durable]")]


def test_cases_folder_outside_the_walk_is_still_collected(tiny: pytest.Pytester) -> None:
    elsewhere = tiny.path / "elsewhere"
    elsewhere.mkdir()
    shutil.move(tiny.path / "tests" / "cases" / "tiny_low_potassium.yaml", elsewhere)
    (tiny.path / "tests" / "test_nothing.py").write_text("def test_ok():\n    pass\n")
    result = tiny.runpytest(
        "tests", "--collect-only", "-q", *TINY_ONLY, "--crampdx-cases", str(elsewhere)
    )
    assert "elsewhere/tiny_low_potassium.yaml::low potassium ranks first" in _collected(result)


def test_a_subfolder_run_leaves_the_rules_out(tiny: pytest.Pytester) -> None:
    """``pytest tests/unit`` runs those tests only, not hundreds of rule cases."""
    unit = tiny.path / "tests" / "unit"
    unit.mkdir()
    (unit / "test_x.py").write_text("def test_ok():\n    pass\n")
    tiny.makeini("[pytest]\ncrampdx_rules = tiny_rules\ncrampdx_rules_only = true\n")
    result = tiny.runpytest("tests/unit", "--collect-only", "-q")
    assert _collected(result) == ["tests/unit/test_x.py::test_ok"]


def test_a_broken_inline_case_fails_readably(tiny: pytest.Pytester) -> None:
    rule_file = tiny.path / "tiny_rules" / "tiny_low_potassium.yaml"
    # The fires case now holds a normal potassium: the rule cannot fire on it.
    rule_file.write_text(
        rule_file.read_text().replace(
            "value: 3.1, unit: mmol/L}]}]\n      does_not_fire: "
            "[{labs: [{analyte: potassium, value: 4.2",
            "value: 3.9, unit: mmol/L}]}]\n      does_not_fire: "
            "[{labs: [{analyte: potassium, value: 4.2",
            1,
        )
    )
    node = "tiny_rules/tiny_low_potassium.yaml::tiny_low_potassium.low[fires-0-reference]"
    result = tiny.runpytest(node, *TINY_ONLY)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*rule tiny_low_potassium.low (*tiny_low_potassium.yaml:13) was expected to FIRE on "
            "tests.fires[[]0[]] (engine reference), but it did not fire.",
            "*condition on this patient: FALSE*",
            "*lab.potassium = 3.9 -> false",
            "*rules fired: tiny_low_potassium.normal",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_a_failing_case_shows_expected_fired_rules_and_differential(
    tiny: pytest.Pytester,
) -> None:
    case_file = tiny.path / "tests" / "cases" / "tiny_low_potassium.yaml"
    case_file.write_text(
        case_file.read_text().replace(
            "top: tiny_low_potassium\n      top_n: {tiny_benign_cramps: 2}",
            "top: tiny_benign_cramps",
        )
    )
    result = tiny.runpytest("-k", "ranks", *TINY_ONLY)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*case 'low potassium ranks first' (*tiny_low_potassium.yaml:3, "
            "cause tiny_low_potassium, citation TinyRef, engine *)",
            "*expected: top=tiny_benign_cramps",
            "*FAILED: expected tiny_benign_cramps to rank first; it ranks 2 of 2*",
            "*differential (2 causes):",
            "*1. tiny_low_potassium*score  +2.00*",
            "*>>  2. tiny_benign_cramps*",
            "*+ tiny_benign_cramps.reported (+1, grade C)",
            "*rules fired: tiny_benign_cramps.reported, tiny_low_potassium.low",
        ]
    )


def test_a_misspelt_id_in_a_case_fails_instead_of_passing(tiny: pytest.Pytester) -> None:
    case_file = tiny.path / "tests" / "cases" / "tiny_low_potassium.yaml"
    case_file.write_text(
        case_file.read_text().replace("absent: [tiny_low_potassium]", "absent: [tiny_low_potasium]")
    )
    result = tiny.runpytest("-k", "out", *TINY_ONLY)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*tiny_low_potassium.yaml:11: unknown cause 'tiny_low_potasium'"])


def test_an_invalid_case_file_is_a_located_collection_error(tiny: pytest.Pytester) -> None:
    case_file = tiny.path / "tests" / "cases" / "tiny_low_potassium.yaml"
    case_file.write_text(case_file.read_text().replace("top_n:", "top_m:"))
    result = tiny.runpytest(*TINY_ONLY)
    result.stdout.fnmatch_lines(
        [
            "*ERROR collecting tests/cases/tiny_low_potassium.yaml*",
            "*tiny_low_potassium.yaml:10:14: CDX-C002 cases.0.expect.top_m: Extra inputs are not "
            "permitted",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_a_broken_knowledge_base_is_reported_once_with_locations(tiny: pytest.Pytester) -> None:
    rule_file = tiny.path / "tiny_rules" / "tiny_benign_cramps.yaml"
    rule_file.write_text(rule_file.read_text().replace("evidence: C", "evidence: E"))
    result = tiny.runpytest("--collect-only", *TINY_ONLY)
    output = result.stdout.str()
    assert output.count("CDX-K004") == 1
    result.stdout.fnmatch_lines(["*tiny_benign_cramps.yaml:17:15: CDX-K004 rules.0.evidence*"])


def test_rules_only_needs_a_rules_folder(tiny: pytest.Pytester) -> None:
    result = tiny.runpytest("--crampdx-rules-only")
    result.stderr.fnmatch_lines(["*--crampdx-rules-only needs at least one --crampdx-rules DIR*"])
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_custom_rules_load_beside_the_shipped_ones(tiny: pytest.Pytester) -> None:
    result = tiny.runpytest(
        "--collect-only", "-q", "--crampdx-rules", "tiny_rules", "--crampdx-engine", "reference"
    )
    items = _collected(result)
    assert "tiny_rules/tiny_benign_cramps.yaml::tiny_benign_cramps.reported[fires-0-reference]" in (
        items
    )
    shipped = [i for i in items if "rules/causes/electrolyte/hypokalaemia.yaml::" in i]
    assert shipped, "the shipped rules must be collected beside the custom folder"
