"""Renderers for an assessment: terminal table, JSON, Markdown and printable HTML.

Every format shows the same content in the same order: the disclaimer, the gate
(true cramp or mimic), overall urgency, red flags, the differential with its
evidence, the workup (or why no tests are needed), next findings, management
notes, sources and provenance.
"""

from __future__ import annotations

from typing import Literal

from crampdx.assessment.result import Assessment
from crampdx.report.as_html import render_html
from crampdx.report.as_markdown import render_markdown
from crampdx.report.as_table import render_table, table_text

__all__ = ["Format", "render", "render_html", "render_markdown", "render_table", "table_text"]

Format = Literal["table", "json", "markdown", "html"]


def render(assessment: Assessment, fmt: Format = "table", *, width: int = 110) -> str:
    """The assessment as text in ``fmt`` (the table without colour)."""
    if fmt == "json":
        return assessment.to_json() + "\n"
    if fmt == "markdown":
        return render_markdown(assessment)
    if fmt == "html":
        return render_html(assessment)
    return table_text(assessment, width=width)
