"""Every loader and linter error, with its exact file:line and stable code."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from crampdx import RuleFileError, load_knowledge_base
from crampdx.errors import Problem

SHARED = """\
references:
  - {key: Src, citation: "A source."}
catalogue:
  - {id: ecg, name: ECG, tier: 1, category: cardiac, cost: 1, invasiveness: none}
derived:
  - {id: derived.thing, description: A derived thing}
"""

CAUSE_HEADER = """\
cause:
  id: demo
  name: Demo cause
  category: benign
  version: 1
  prior: -2.0
  urgency: ROUTINE
  rationale: For tests.
  citations: [Src]
"""

TESTS = """\
    tests:
      fires: [{exam: {babinski: present}}]
      does_not_fire: [{exam: {babinski: absent}}]
"""


def rule(
    rule_id: str = "demo.r",
    when: str = "{finding: exam.babinski, op: present}",
    then: str = "{supports: demo, weight: 1.0}",
    citations: str = "[Src]",
    tests: str = TESTS,
) -> str:
    return (
        f"  - id: {rule_id}\n    version: 1\n    when: {when}\n    then: {then}\n"
        f"    evidence: B\n    citations: {citations}\n{tests}"
    )


def load(tmp_path: Path, **files: str) -> list[Problem]:
    (tmp_path / "_shared.yaml").write_text(SHARED)
    for name, text in files.items():
        (tmp_path / f"{name}.yaml").write_text(text)
    with pytest.raises(RuleFileError) as caught:
        load_knowledge_base(tmp_path, include_default=False)
    return list(caught.value.problems)


def only(problems: list[Problem], code: str) -> Problem:
    matching = [p for p in problems if p.code == code]
    assert len(matching) == 1, problems
    return matching[0]


def test_clean_fixture_loads(tmp_path: Path):
    (tmp_path / "_shared.yaml").write_text(SHARED)
    (tmp_path / "demo.yaml").write_text(CAUSE_HEADER + "rules:\n" + rule())
    kb = load_knowledge_base(tmp_path, include_default=False)
    assert [r.id for r in kb.rules] == ["demo.r"]


def test_yaml_syntax_error(tmp_path: Path):
    problem = only(load(tmp_path, demo="cause: [unclosed\nrules: []\n"), "CDX-K002")
    assert problem.path == str(tmp_path / "demo.yaml")
    assert (problem.line, problem.column) == (2, 6)


def test_top_level_not_a_mapping(tmp_path: Path):
    problem = only(load(tmp_path, demo="- just\n- a list\n"), "CDX-K003")
    assert (problem.line, problem.column) == (1, 1)


def test_schema_violation_points_at_the_node(tmp_path: Path):
    text = CAUSE_HEADER + "rules:\n" + rule().replace("evidence: B", "evidence: E")
    problem = only(load(tmp_path, demo=text), "CDX-K004")
    assert problem.rule_id == "demo.r"
    assert problem.field == "rules.0.evidence"
    assert (problem.line, problem.column) == (15, 15)


def test_yaml_boolean_surprise_is_explained(tmp_path: Path):
    text = CAUSE_HEADER + "rules:\n" + rule(when="{finding: exam.babinski, op: no}")
    problem = next(p for p in load(tmp_path, demo=text) if p.code == "CDX-K004")
    assert "yes/no" in problem.message


def test_unknown_finding(tmp_path: Path):
    text = CAUSE_HEADER + "rules:\n" + rule(when="{finding: exam.babinsky, op: present}")
    problem = only(load(tmp_path, demo=text), "CDX-L001")
    assert "exam.babinsky" in problem.message
    assert (problem.line, problem.rule_id) == (13, "demo.r")


def test_duplicate_rule_id(tmp_path: Path):
    text = CAUSE_HEADER + "rules:\n" + rule() + rule()
    problem = only(load(tmp_path, demo=text), "CDX-L002")
    assert problem.line == 20  # the second definition; the message names the first
    assert "demo.yaml:11" in problem.message


def test_rule_id_must_carry_the_cause_prefix(tmp_path: Path):
    text = CAUSE_HEADER + "rules:\n" + rule(rule_id="other.r")
    problem = only(load(tmp_path, demo=text), "CDX-L003")
    assert problem.line == 11


def test_unknown_citation_key(tmp_path: Path):
    text = CAUSE_HEADER + "rules:\n" + rule(citations="[Src, Nowhere2020]")
    problem = only(load(tmp_path, demo=text), "CDX-L004")
    assert "Nowhere2020" in problem.message
    assert problem.line == 16


def test_effect_names_unknown_cause(tmp_path: Path):
    text = CAUSE_HEADER + "rules:\n" + rule(then="{supports: ghost, weight: 1.0}")
    problem = only(load(tmp_path, demo=text), "CDX-L005")
    assert "ghost" in problem.message


def test_derivation_cycle(tmp_path: Path):
    text = (
        textwrap.dedent("""\
        derived:
          - {id: derived.a, description: A}
          - {id: derived.b, description: B}
        rules:
        """)
        + rule("loop.a", when="{finding: derived.b, op: present}", then="{derive: derived.a}")
        + rule("loop.b", when="{finding: derived.a, op: present}", then="{derive: derived.b}")
    )
    problem = only(load(tmp_path, loop=text), "CDX-L006")
    assert "cycle" in problem.message


def test_rule_without_both_kinds_of_case(tmp_path: Path):
    tests = "    tests:\n      fires: [{exam: {babinski: present}}]\n"
    problem = only(load(tmp_path, demo=CAUSE_HEADER + "rules:\n" + rule(tests=tests)), "CDX-L007")
    assert problem.rule_id == "demo.r"


def test_value_that_does_not_fit_the_fact(tmp_path: Path):
    text = CAUSE_HEADER + "rules:\n" + rule(when="{finding: lab.potassium, op: present}")
    problem = only(load(tmp_path, demo=text), "CDX-L008")
    assert "number" in problem.message


def test_negated_derived_finding(tmp_path: Path):
    when = "{not: {finding: derived.thing, op: present}}"
    problem = only(load(tmp_path, demo=CAUSE_HEADER + "rules:\n" + rule(when=when)), "CDX-L009")
    assert "derived.thing" in problem.message


def test_too_many_alternatives_for_durable(tmp_path: Path):
    leaves = ", ".join(
        f"{{any: [{{finding: exam.babinski, op: present}}, {{finding: exam.clonus, op: present}}, "
        f"{{finding: exam.hoffmann_sign, op: present}}, "
        f"{{finding: exam.spasticity.{region}, op: present}}]}}"
        for region in ("calf", "thigh", "foot", "hand")
    )
    text = CAUSE_HEADER + "rules:\n" + rule(when=f"{{all: [{leaves}]}}")
    problem = only(load(tmp_path, demo=text), "CDX-L010")
    assert "alternatives" in problem.message


def test_number_needing_an_exponent(tmp_path: Path):
    text = CAUSE_HEADER + "rules:\n" + rule(when="{finding: lab.tsh, op: lt, value: 0.00001}")
    problem = only(load(tmp_path, demo=text), "CDX-L011")
    assert "exponent" in problem.message


def test_number_that_is_not_finite(tmp_path: Path):
    text = CAUSE_HEADER + "rules:\n" + rule(when="{finding: lab.tsh, op: lt, value: .inf}")
    problem = only(load(tmp_path, demo=text), "CDX-L011")
    assert problem.rule_id == "demo.r"


def test_unknown_confirming_test(tmp_path: Path):
    header = CAUSE_HEADER + "  confirm_with: [ecg, tilt_table]\n"
    problem = only(load(tmp_path, demo=header + "rules:\n" + rule()), "CDX-L012")
    assert "tilt_table" in problem.message
    assert problem.line == 10


def test_invalid_test_case_patient(tmp_path: Path):
    tests = (
        "    tests:\n      fires: [{exam: {babinski: present}}]\n"
        "      does_not_fire: [{exam: {babinski: maybe}}]\n"
    )
    problem = only(load(tmp_path, demo=CAUSE_HEADER + "rules:\n" + rule(tests=tests)), "CDX-L013")
    assert "exam.babinski" in problem.message


def test_every_problem_is_reported_at_once(tmp_path: Path):
    text = (
        CAUSE_HEADER
        + "rules:\n"
        + rule(when="{finding: exam.nope, op: present}", citations="[Missing]")
    )
    codes = sorted(p.code for p in load(tmp_path, demo=text))
    assert codes == ["CDX-L001", "CDX-L004"]


def test_shipped_knowledge_base_is_clean():
    kb = load_knowledge_base()
    assert kb.rules, "the shipped knowledge base has no rules"
