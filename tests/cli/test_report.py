"""Tests for the renderers in ``crampdx.report`` (in process; the CLI tests cover wiring)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampdx.assessment.assess import assess
from crampdx.assessment.result import Assessment
from crampdx.kb.load import load_knowledge_base
from crampdx.report import render

TINY_RULES = Path(__file__).resolve().parents[1] / "plugin" / "data" / "tiny_rules"


@pytest.fixture(scope="module")
def hostile() -> Assessment:
    """An assessment whose patient id carries markup, as an attacker might send."""
    kb = load_knowledge_base(TINY_RULES, include_default=False)
    patient = {
        "id": "<script>alert(1)</script> | x",
        "cramps": {"reported": "present"},
        "labs": [{"analyte": "potassium", "value": 3.0, "unit": "mmol/L"}],
    }
    return assess(patient, knowledge_base=kb, engine="reference")


def test_html_escapes_everything_it_shows(hostile: Assessment) -> None:
    page = render(hostile, "html")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; | x" in page


def test_markdown_tables_survive_pipes_in_text(hostile: Assessment) -> None:
    text = render(hostile, "markdown")
    assert text.startswith("# crampdx assessment: <script>alert(1)</script> | x\n")
    table_rows = [line for line in text.splitlines() if line.startswith("| 1 |")]
    assert table_rows, "the workup table is present"
    assert all(row.count(" | ") == 6 for row in table_rows)


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "html"])
def test_every_format_is_deterministic_and_carries_the_disclaimer(
    hostile: Assessment, fmt: str
) -> None:
    first = render(hostile, fmt)  # type: ignore[arg-type]
    assert first == render(hostile, fmt)  # type: ignore[arg-type]
    assert "not a diagnosis" in first
