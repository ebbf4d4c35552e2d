"""The assessment as Markdown (for notes, tickets and review threads)."""

from __future__ import annotations

from crampdx.assessment.result import Assessment, RankedCause
from crampdx.report.common import (
    citation_keys,
    evidence_line,
    finding_text,
    gate_text,
    pending_line,
    provenance_text,
    references,
)

__all__ = ["render_markdown"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def _row(*cells: str) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    return [_row(*header), _row(*("---" for _ in header)), *(_row(*r) for r in rows), ""]


def _cause(cause: RankedCause) -> list[str]:
    mimic = " — mimic of cramp" if cause.mimic else ""
    lines = [
        f"### {cause.rank}. {cause.name} (`{cause.id}`){mimic}",
        "",
        f"**{cause.band}**, {cause.status}; score {cause.score:+.2f}; "
        f"urgency if leading: **{cause.urgency}**",
        "",
    ]
    lines += [f"- {evidence_line(item)}" for item in cause.supporting]
    lines += [f"- {evidence_line(item)}" for item in cause.conflicting]
    lines += [f"- *not yet known:* {pending_line(p)}" for p in cause.not_yet_known]
    if cause.acts_through:
        lines.append(f"- acts through: {', '.join(cause.acts_through)}")
    if cause.explained_by:
        lines.append(f"- may be explained by: {', '.join(cause.explained_by)}")
    if cause.confirm_with:
        lines.append(f"- confirm or exclude with: {', '.join(cause.confirm_with)}")
    return [*lines, ""]


def render_markdown(assessment: Assessment) -> str:
    """The full assessment as GitHub-flavoured Markdown."""
    title = "crampdx assessment"
    if assessment.patient_id:
        title += f": {assessment.patient_id}"
    lines = [
        f"# {title}",
        "",
        f"> {assessment.disclaimer}",
        "",
        f"- **Gate:** {gate_text(assessment.gate)}",
        f"- **Overall urgency:** {assessment.urgency}",
        "",
        "## Red flags",
        "",
    ]
    if assessment.red_flags:
        lines += _table(
            ("Urgency", "Red flag", "Action", "Because", "Rule", "Sources"),
            [
                (
                    f.urgency,
                    f.name,
                    f.action,
                    "; ".join(finding_text(t) for t in f.trigger),
                    f"{f.rule_id} (grade {f.evidence_grade})",
                    citation_keys(f.citations),
                )
                for f in assessment.red_flags
            ],
        )
    else:
        lines += ["No red flags raised.", ""]
    lines += ["## Differential", ""]
    if not assessment.differential:
        lines += ["No cause is supported by the recorded findings.", ""]
    for cause in assessment.differential:
        lines += _cause(cause)
    lines += ["## Workup, in order", ""]
    if assessment.workup and assessment.no_tests_reason:
        lines += [f"**No tests needed:** {assessment.no_tests_reason}", ""]
    if assessment.workup:
        lines += _table(
            ("#", "Test", "Tier", "Urgency", "Why", "Rules", "Sources"),
            [
                (
                    str(w.order),
                    f"{w.name} (`{w.test}`)",
                    str(w.tier),
                    w.urgency,
                    "; ".join(w.reasons),
                    ", ".join(w.rule_ids),
                    citation_keys(w.citations),
                )
                for w in assessment.workup
            ],
        )
    else:
        lines += [f"No tests: {assessment.no_tests_reason or 'no rule asks for a test'}", ""]
    if assessment.workup_skipped:
        lines += [
            f"- not repeated: {s.name} (`{s.test}`): {s.reason}" for s in assessment.workup_skipped
        ]
        lines.append("")
    lines += ["## Next findings worth collecting", ""]
    if assessment.next_findings:
        lines += _table(
            ("Ask or examine", "Finding", "Impact", "If present", "If absent"),
            [
                (n.question, f"`{n.finding}`", f"{n.impact:.2f}", n.if_present, n.if_absent)
                for n in assessment.next_findings
            ],
        )
    else:
        lines += ["None proposed.", ""]
    lines += ["## Management notes", ""]
    lines += [
        f"- {n.text} ({n.level}; {n.rule_id}; {citation_keys(n.citations)})"
        for n in assessment.management
    ] or ["None."]
    lines.append("")
    if assessment.unmapped_medications:
        lines += [
            "**Medications not recognised (review by hand):** "
            + ", ".join(m.name for m in assessment.unmapped_medications),
            "",
        ]
    sources = references(assessment)
    if sources:
        lines += ["## Sources", ""]
        lines += [
            f"- **{c.key}**: {c.citation}" + (f" <{c.url}>" if c.url else "") for c in sources
        ]
        lines.append("")
    lines += ["---", "", f"*{provenance_text(assessment.provenance)}*", ""]
    return "\n".join(lines)
