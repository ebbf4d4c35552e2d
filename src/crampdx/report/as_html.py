"""The assessment as one self-contained, printable HTML page (inline CSS, no assets)."""

from __future__ import annotations

from html import escape

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

__all__ = ["render_html"]

_CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #1b1b1b; max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
h2 { font-size: 1.15rem; border-bottom: 1px solid #ccc; margin-top: 1.6rem; }
h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
.disclaimer { border-left: 4px solid #2b5fab; background: #eef3fb; padding: .5rem .8rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
th, td { border: 1px solid #d0d0d0; padding: .25rem .45rem; text-align: left;
         vertical-align: top; }
th { background: #f3f3f3; }
ul { margin: .2rem 0 .6rem; padding-left: 1.2rem; }
li.supports { color: #175c1f; } li.opposes { color: #8a1c1c; } li.pending { color: #666; }
.urgency { font-weight: bold; padding: 0 .3rem; border-radius: 3px; }
.EMERG { background: #b00020; color: #fff; } .URGENT { color: #b00020; }
.SOON { color: #8a5a00; } .ROUTINE { color: #1d6b2a; }
.mimic { color: #7a1fa2; font-weight: bold; }
.meta { color: #555; font-size: .85rem; }
code { font-size: .9em; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  h2 { break-after: avoid; } tr, li, section { break-inside: avoid; }
  .disclaimer { background: none; }
}
"""


def _u(level: str) -> str:
    return f'<span class="urgency {escape(level)}">{escape(level)}</span>'


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A table whose cells are already-escaped HTML."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cause(cause: RankedCause) -> str:
    mimic = ' <span class="mimic">mimic of cramp</span>' if cause.mimic else ""
    items = [f'<li class="supports">{escape(evidence_line(e))}</li>' for e in cause.supporting]
    items += [f'<li class="opposes">{escape(evidence_line(e))}</li>' for e in cause.conflicting]
    items += [
        f'<li class="pending">not yet known: {escape(pending_line(p))}</li>'
        for p in cause.not_yet_known
    ]
    if cause.acts_through:
        items.append(f"<li>acts through: {escape(', '.join(cause.acts_through))}</li>")
    if cause.explained_by:
        items.append(f"<li>may be explained by: {escape(', '.join(cause.explained_by))}</li>")
    if cause.confirm_with:
        items.append(f"<li>confirm or exclude with: {escape(', '.join(cause.confirm_with))}</li>")
    return (
        f"<section><h3>{cause.rank}. {escape(cause.name)} <code>{escape(cause.id)}</code>"
        f"{mimic}</h3><p><strong>{escape(cause.band)}</strong>, {escape(cause.status)}; "
        f"score {cause.score:+.2f}; urgency if leading: {_u(cause.urgency)}</p>"
        f"<ul>{''.join(items)}</ul></section>"
    )


def render_html(assessment: Assessment) -> str:
    """A complete HTML document; it loads nothing from the network and prints cleanly."""
    title = "crampdx assessment" + (f": {assessment.patient_id}" if assessment.patient_id else "")
    parts = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="disclaimer">{escape(assessment.disclaimer)}</p>',
        f"<p><strong>Gate:</strong> {escape(gate_text(assessment.gate))}<br>"
        f"<strong>Overall urgency:</strong> {_u(assessment.urgency)}</p>",
        "<h2>Red flags</h2>",
    ]
    if assessment.red_flags:
        parts.append(
            _table(
                ("Urgency", "Red flag", "Action", "Because", "Rule", "Sources"),
                [
                    (
                        _u(f.urgency),
                        escape(f.name),
                        escape(f.action),
                        escape("; ".join(finding_text(t) for t in f.trigger)),
                        escape(f"{f.rule_id} (grade {f.evidence_grade})"),
                        escape(citation_keys(f.citations)),
                    )
                    for f in assessment.red_flags
                ],
            )
        )
    else:
        parts.append("<p>No red flags raised.</p>")
    parts.append("<h2>Differential</h2>")
    if not assessment.differential:
        parts.append("<p>No cause is supported by the recorded findings.</p>")
    parts += [_cause(cause) for cause in assessment.differential]
    parts.append("<h2>Workup, in order</h2>")
    if assessment.workup and assessment.no_tests_reason:
        parts.append(
            f"<p><strong>No tests needed:</strong> {escape(assessment.no_tests_reason)}</p>"
        )
    if assessment.workup:
        parts.append(
            _table(
                ("#", "Test", "Tier", "Urgency", "Why", "Rules", "Sources"),
                [
                    (
                        str(w.order),
                        f"{escape(w.name)} <code>{escape(w.test)}</code>",
                        str(w.tier),
                        _u(w.urgency),
                        escape("; ".join(w.reasons)),
                        escape(", ".join(w.rule_ids)),
                        escape(citation_keys(w.citations)),
                    )
                    for w in assessment.workup
                ],
            )
        )
    else:
        reason = assessment.no_tests_reason or "no rule asks for a test"
        parts.append(f"<p>No tests: {escape(reason)}</p>")
    if assessment.workup_skipped:
        skipped = "".join(
            f"<li>{escape(s.name)} <code>{escape(s.test)}</code>: {escape(s.reason)}</li>"
            for s in assessment.workup_skipped
        )
        parts.append(f"<p>Not repeated:</p><ul>{skipped}</ul>")
    parts.append("<h2>Next findings worth collecting</h2>")
    if assessment.next_findings:
        parts.append(
            _table(
                ("Ask or examine", "Finding", "Impact", "If present", "If absent"),
                [
                    (
                        escape(n.question),
                        f"<code>{escape(n.finding)}</code>",
                        f"{n.impact:.2f}",
                        escape(n.if_present),
                        escape(n.if_absent),
                    )
                    for n in assessment.next_findings
                ],
            )
        )
    else:
        parts.append("<p>None proposed.</p>")
    parts.append("<h2>Management notes</h2>")
    notes = "".join(
        f"<li>{escape(n.text)} ({escape(n.level)}; {escape(n.rule_id)}; "
        f"{escape(citation_keys(n.citations))})</li>"
        for n in assessment.management
    )
    parts.append(f"<ul>{notes}</ul>" if notes else "<p>None.</p>")
    if assessment.unmapped_medications:
        names = ", ".join(m.name for m in assessment.unmapped_medications)
        parts.append(
            f"<p><strong>Medications not recognised (review by hand):</strong> {escape(names)}</p>"
        )
    sources = references(assessment)
    if sources:
        # URLs are printed as text, not links: the page must not reach out when opened.
        items = "".join(
            f"<li><strong>{escape(c.key)}</strong>: {escape(c.citation)}"
            + (f" <span class='meta'>{escape(c.url)}</span>" if c.url else "")
            + "</li>"
            for c in sources
        )
        parts.append(f"<h2>Sources</h2><ul>{items}</ul>")
    parts.append(f'<p class="meta">{escape(provenance_text(assessment.provenance))}</p>')
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )
