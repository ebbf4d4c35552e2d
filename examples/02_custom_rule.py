"""A local rule, kept in its own folder and loaded beside the shipped knowledge base.

The script writes a rule file to a temporary folder (a hospital would keep it in
version control), runs the rule's inline test cases on every available engine,
then assesses a patient on whom the rule fires and shows it in the evidence.

Run from the project root: ``python examples/02_custom_rule.py``.
"""

import tempfile
from pathlib import Path

from crampdx import CompiledKnowledgeBase, assess, available_engines, load_knowledge_base
from crampdx.kb.cases import inline_cases, run_inline_case
from crampdx.report import table_text
from crampdx.testing import assert_ranks_top

LOCAL_RULES = """\
# Local rules: every rule still needs a citation, an evidence grade and both kinds of test.
references:
  - key: LocalSportsProtocol
    citation: "Example Hospital sports-medicine protocol: cramps at endurance events (2024)."
rules:
  - id: local.endurance-event-in-heat
    version: 1
    title: Cramps during an endurance event in the heat
    when:
      all:
        - {finding: history.endurance_event, op: present}
        - {finding: history.heat_exposure, op: present}
    then: {supports: exercise_associated_cramps, weight: 1.5}
    evidence: C
    citations: [LocalSportsProtocol]
    tests:
      fires: [{history: {endurance_event: present, heat_exposure: present}}]
      does_not_fire: [{history: {endurance_event: present, heat_exposure: absent}}]
"""

with tempfile.TemporaryDirectory() as folder:
    (Path(folder) / "local.yaml").write_text(LOCAL_RULES, encoding="utf-8")
    # Beside the shipped rules: the local file is linted together with them.
    knowledge_base = CompiledKnowledgeBase(load_knowledge_base(folder, include_default=True))

print("Inline test cases of the local rule:")
for engine in available_engines():
    for case in inline_cases(knowledge_base):
        if not case.rule.id.startswith("local."):
            continue
        result = run_inline_case(case, knowledge_base.engine(engine))
        print(f"  {case.name} on {engine}: {'passed' if result.passed else 'FAILED'}")
        assert result.passed, result.explain()

patient = {
    "id": "marathon-runner",
    "age_years": 29,
    "sex": "male",
    "cramps": {
        "reported": "present",
        "sites": ["calf", "thigh"],
        "timing": ["during_exercise"],
        "relieved_by_stretching": "present",
    },
    "history": {"endurance_event": "present", "heat_exposure": "present"},
}
assessment = assess(patient, knowledge_base=knowledge_base)
print()
print(table_text(assessment))

cause = assessment.cause("exercise_associated_cramps")
assert cause is not None, "the local rule supports exercise-associated cramps"
fired = [item.rule_id for item in cause.supporting]
assert "local.endurance-event-in-heat" in fired
assert_ranks_top(assessment, "exercise_associated_cramps")
print("checked: the local rule passed its inline cases and fired in the assessment")
