"""Tests for the generated documentation pages (``crampdx.docgen``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampdx.docgen import generated_pages, nav_entries
from crampdx.kb.load import KnowledgeBase, load_knowledge_base
from crampdx.kb.model import EvidenceGrade

ROOT = Path(__file__).resolve().parents[2]
TINY_RULES = ROOT / "tests" / "plugin" / "data" / "tiny_rules"


@pytest.fixture(scope="module")
def tiny() -> KnowledgeBase:
    return load_knowledge_base(TINY_RULES, include_default=False)


def test_one_page_per_cause_in_its_category(tiny: KnowledgeBase) -> None:
    pages = generated_pages(tiny, ROOT)
    assert set(pages) == {
        "patient-record.md",
        "knowledge-base/index.md",
        "knowledge-base/electrolyte/tiny_low_potassium.md",
        "knowledge-base/benign/tiny_benign_cramps.md",
    }


def test_cause_page_shows_each_rule_in_words_with_grade_sources_and_tests(
    tiny: KnowledgeBase,
) -> None:
    page = generated_pages(tiny, ROOT)["knowledge-base/electrolyte/tiny_low_potassium.md"]
    assert "### tiny_low_potassium.low (v1)" in page
    assert "### tiny_low_potassium.normal (v1)" in page
    assert "lab.potassium < 3.5" in page
    assert "Then: supports tiny_low_potassium (+5 log-odds, defining criterion)" in page
    assert "evidence grade **A**" in page
    assert "**TinyRef**: Fixture reference used only by crampdx's own tests." in page
    assert '- fires on `{"labs": [{"analyte": "potassium", "unit": "mmol/L", "value": 3.1}]}`' in (
        page
    )
    assert "*Defined in `tests/plugin/data/tiny_rules/tiny_low_potassium.yaml`, line 13.*" in page


def test_index_links_every_cause_and_lists_shared_definitions(tiny: KnowledgeBase) -> None:
    index = generated_pages(tiny, ROOT)["knowledge-base/index.md"]
    assert "[Tiny low potassium](electrolyte/tiny_low_potassium.md)" in index
    assert "[Tiny benign cramps](benign/tiny_benign_cramps.md)" in index
    assert "| 1 | Tiny potassium test (`tiny_potassium_test`) |" in index
    assert "## References" in index


def test_nav_lists_every_cause_by_category(tiny: KnowledgeBase) -> None:
    assert nav_entries(tiny) == [
        {"Overview": "knowledge-base/index.md"},
        {"Benign": [{"Tiny benign cramps": "knowledge-base/benign/tiny_benign_cramps.md"}]},
        {"Electrolyte": [
            {"Tiny low potassium": "knowledge-base/electrolyte/tiny_low_potassium.md"}
        ]},
    ]  # fmt: skip


def test_patient_record_page_covers_the_record_labs_and_drugs(tiny: KnowledgeBase) -> None:
    page = generated_pages(tiny, ROOT)["patient-record.md"]
    assert "| `exam.fasciculations` | state, or `{status, regions, side}` |" in page
    assert "| `potassium` | Potassium | mmol/L |" in page
    assert "| `thiazide` |" in page
    assert "`exam.reflexes.ankle`" in page


def test_writing_rules_page_defines_the_evidence_scale_as_the_code_does() -> None:
    """docs/writing-rules.md must carry the grade definitions of EvidenceGrade verbatim."""
    page = (ROOT / "docs" / "writing-rules.md").read_text(encoding="utf-8")
    doc = EvidenceGrade.__doc__ or ""
    definitions = [line.strip() for line in doc.splitlines() if line.strip()[:3] in
                   {f"{g.value}: " for g in EvidenceGrade}]  # fmt: skip
    assert len(definitions) == len(EvidenceGrade)
    for definition in definitions:
        assert definition in page
