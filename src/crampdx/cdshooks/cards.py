"""Turn an assessment into CDS Hooks cards.

One card carries the differential, its evidence, the proposed workup (as a suggestion
whose actions create draft ServiceRequests) and the not-a-diagnosis statement. Each red
flag gets a card of its own with the ``critical`` indicator, so it cannot be missed
among other guidance.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, Literal

from crampdx.assessment.result import (
    DISCLAIMER,
    Assessment,
    CitationOut,
    EvidenceItem,
    FindingValue,
    RankedCause,
    RedFlagOut,
)
from crampdx.cdshooks.models import Action, Card, Coding, Link, Source, Suggestion
from crampdx.fhir.outbound import service_request, validated
from crampdx.fhir.report import MappingReport

__all__ = ["OVERRIDE_REASONS", "cards_for", "indicator_for", "summary_text"]

_OVERRIDE_SYSTEM = "urn:crampdx:override-reason"
OVERRIDE_REASONS = (
    Coding(system=_OVERRIDE_SYSTEM, code="already-investigated", display="Already investigated"),
    Coding(system=_OVERRIDE_SYSTEM, code="not-relevant", display="Not relevant to this patient"),
    Coding(system=_OVERRIDE_SYSTEM, code="disagree", display="Clinical judgement differs"),
    Coding(system=_OVERRIDE_SYSTEM, code="patient-declined", display="Patient declined"),
)
_CRAMP = Coding(system="http://snomed.info/sct", code="55300003", display="Cramp")
Indicator = Literal["info", "warning", "critical"]
_INDICATOR: dict[str, Indicator] = {
    "EMERG": "critical",
    "URGENT": "warning",
    "SOON": "warning",
    "ROUTINE": "info",
}
_TOP_CAUSES = 5
_EXPLAINED_CAUSES = 3
_SUMMARY_LIMIT = 140  # the spec asks for fewer than 140 characters


def indicator_for(urgency: str) -> Indicator:
    """The card indicator for an urgency: critical, warning or info."""
    return _INDICATOR[urgency]


def summary_text(text: str) -> str:
    """One line shorter than 140 characters, cut on a word with an ellipsis if needed."""
    line = " ".join(text.split())
    if len(line) < _SUMMARY_LIMIT:
        return line
    cut = line[: _SUMMARY_LIMIT - 2].rsplit(" ", 1)[0].rstrip(" ,;:—-")
    return f"{cut}…"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _finding(value: FindingValue) -> str:
    shown = (
        "not recorded"
        if value.value is None
        else f"{value.value:g}"
        if isinstance(value.value, float)
        else str(value.value)
    )
    unit = f" {value.unit}" if value.unit and value.value is not None else ""
    rule = ""
    if value.op is not None and value.threshold is not None:
        threshold = value.threshold
        if isinstance(threshold, tuple):
            threshold = ", ".join(threshold)
        rule = f" (rule: {value.op} {threshold})"
    return f"{value.finding} = {shown}{unit}{rule}"


def _evidence(item: EvidenceItem) -> str:
    keys = ", ".join(c.key for c in item.citations)
    found = "; ".join(_finding(v) for v in item.findings)
    facts = f" — {found}" if found else ""
    return f"{item.title} [grade {item.evidence_grade}; {keys}]{facts}"


def _cause_section(cause: RankedCause) -> list[str]:
    lines = [f"**{cause.rank}. {cause.name}** — {cause.band}, {cause.status}"]
    lines += [f"- for: {_evidence(e)}" for e in cause.supporting]
    lines += [f"- against: {_evidence(e)}" for e in cause.conflicting]
    missing = sorted({m for rule in cause.not_yet_known for m in rule.missing})
    if missing:
        lines.append(f"- not yet known: {', '.join(missing)}")
    if cause.acts_through:
        lines.append(f"- acts through: {', '.join(cause.acts_through)}")
    return lines


def _report_section(report: MappingReport | None) -> list[str]:
    if report is None or not report.issues:
        return []
    counts: dict[str, int] = {}
    for issue in report.issues:
        counts[issue.kind] = counts.get(issue.kind, 0) + 1
    words = {
        "error": "with a unit or value problem (not used)",
        "unmapped": "not in crampdx's tables",
        "ignored": "not used (status, type or date)",
        "assumption": "used with a stated assumption",
    }
    lines = ["", "### Data from the record"]
    lines += [f"- {counts[kind]} item(s) {words[kind]}" for kind in words if kind in counts]
    errors = report.issues_of("error")[:5]
    lines += [f"  - {issue.resource}: {issue.reason}" for issue in errors]
    return lines


def _detail(assessment: Assessment, report: MappingReport | None) -> str:
    lines = [f"**Not a diagnosis.** {DISCLAIMER}", "", f"**Overall urgency:** {assessment.urgency}"]
    if not assessment.gate.true_cramp:
        lines += ["", f"**Cramp or mimic?** {assessment.gate.name}: {assessment.gate.description}"]
    causes = assessment.differential[:_TOP_CAUSES]
    if causes:
        lines += [
            "",
            "### Differential (ranked)",
            "| # | Cause | Likelihood | Urgency | Main evidence |",
            "|---|---|---|---|---|",
        ]
        for cause in causes:
            main = cause.supporting[0].title if cause.supporting else "—"
            lines.append(
                f"| {cause.rank} | {_cell(cause.name)} | {cause.band} (score {cause.score:g}) "
                f"| {cause.urgency} | {_cell(main)} |"
            )
        lines += ["", "### Evidence"]
        for cause in causes[:_EXPLAINED_CAUSES]:
            lines += [*_cause_section(cause), ""]
    else:
        lines += ["", "No cause reaches the differential with the findings recorded."]
    if assessment.workup:
        lines += ["", "### Proposed workup (in order)"]
        for item in assessment.workup:
            after = f" (after {', '.join(item.after)})" if item.after else ""
            reasons = "; ".join(item.reasons)
            lines.append(f"{item.order}. {item.name} — {item.urgency}{after}: {reasons}")
    elif assessment.no_tests_reason:
        lines += ["", f"**No tests proposed:** {assessment.no_tests_reason}"]
    if assessment.next_findings:
        lines += ["", "### Findings worth recording"]
        lines += [f"- {finding.question}" for finding in assessment.next_findings[:5]]
    if assessment.unmapped_medications:
        names = ", ".join(m.name for m in assessment.unmapped_medications)
        lines += ["", f"**Medications not classified (review by hand):** {_cell(names)}"]
    lines += _report_section(report)
    p = assessment.provenance
    lines += [
        "",
        f"_crampdx {p.crampdx_version} · knowledge base {p.knowledge_base_version} "
        f"(sha256 {p.knowledge_base_hash[:12]}…) · engine {p.engine}_",
    ]
    return "\n".join(lines)


def _with_url(citations: Iterable[CitationOut]) -> list[CitationOut]:
    return [c for c in citations if c.url]


def _source(citations: Iterable[CitationOut], fallback: str) -> Source:
    sourced = _with_url(citations)
    if not sourced:
        return Source(label=fallback, topic=_CRAMP)
    first = sourced[0]
    label = first.citation if len(first.citation) <= 100 else f"{first.citation[:99]}…"
    return Source(label=f"crampdx · {label}", url=first.url, topic=_CRAMP)


def _links(citations: Iterable[CitationOut]) -> tuple[Link, ...]:
    seen: dict[str, Link] = {}
    for citation in _with_url(citations):
        if citation.url and citation.url not in seen:
            seen[citation.url] = Link(label=citation.key, url=citation.url)
    return tuple(seen.values())[:3]


def _workup_suggestion(
    assessment: Assessment, patient_reference: str, report: MappingReport | None
) -> Suggestion | None:
    if not assessment.workup:
        return None
    causes = {cause.id: cause for cause in assessment.differential}
    actions = []
    for item in assessment.workup:
        resource = service_request(
            item, patient_reference=patient_reference, causes=causes, report=report
        )
        actions.append(
            Action(
                type="create",
                description=f"Propose {item.name} ({item.urgency.lower()})",
                resource=validated("ServiceRequest", resource),
            )
        )
    count = len(actions)
    return Suggestion(
        label=f"Propose the workup as draft orders ({count} test{'s' if count != 1 else ''})",
        uuid=str(uuid.uuid4()),
        actions=tuple(actions),
    )


def _red_flag_card(flag: RedFlagOut) -> Card:
    triggers = "; ".join(_finding(value) for value in flag.trigger) or "—"
    keys = ", ".join(c.key for c in flag.citations)
    detail = "\n".join(
        [
            f"**Red flag: {flag.name}** — urgency {flag.urgency}",
            "",
            f"**Action:** {flag.action}",
            "",
            f"**Triggered by:** {triggers}",
            "",
            f"**Rule:** {flag.rule_title} [grade {flag.evidence_grade}; {keys}; {flag.rule_id}]",
            "",
            f"**Not a diagnosis.** {DISCLAIMER}",
        ]
    )
    return Card(
        uuid=str(uuid.uuid4()),
        summary=summary_text(f"Red flag: {flag.name} — {flag.action}"),
        detail=detail,
        indicator="critical",
        source=_source(flag.citations, "crampdx red flags"),
        overrideReasons=OVERRIDE_REASONS,
        links=_links(flag.citations),
    )


def _main_summary(assessment: Assessment) -> str:
    leading = [c for c in assessment.differential if c.band in ("high", "moderate")][:3]
    if leading:
        causes = ", ".join(f"{c.name} ({c.band})" for c in leading)
        text = f"Muscle cramps: consider {causes}"
    elif assessment.differential:
        text = f"Muscle cramps: no cause stands out; {len(assessment.differential)} considered"
    else:
        text = "Muscle cramps: no cause suggested by the recorded findings"
    if assessment.workup:
        text += f"; {len(assessment.workup)} tests proposed"
    return summary_text(text)


def cards_for(
    assessment: Assessment,
    *,
    patient_reference: str,
    report: MappingReport | None = None,
    include_main: bool = True,
) -> list[Card]:
    """The cards for one assessment: one per red flag (critical), then the main card.

    Args:
        assessment: the assessment.
        patient_reference: the subject of proposed orders, e.g. ``Patient/123``.
        report: the FHIR mapping report, summarised in the card detail.
        include_main: False to return red-flag cards only (no cramps recorded).
    """
    cards = [_red_flag_card(flag) for flag in assessment.red_flags]
    if not include_main:
        return cards
    top = assessment.differential[0] if assessment.differential else None
    citations: list[CitationOut] = list(top.citations) if top is not None else []
    suggestion = _workup_suggestion(assessment, patient_reference, report)
    extra: dict[str, Any] = {}
    if suggestion is not None:
        extra = {"suggestions": (suggestion,), "selectionBehavior": "at-most-one"}
    cards.append(
        Card(
            uuid=str(uuid.uuid4()),
            summary=_main_summary(assessment),
            detail=_detail(assessment, report),
            indicator=indicator_for(assessment.urgency),
            source=_source(citations, "crampdx knowledge base"),
            overrideReasons=OVERRIDE_REASONS,
            links=_links(citations),
            **extra,
        )
    )
    return cards
