"""Plain-text pieces shared by every renderer, so all formats say the same thing."""

from __future__ import annotations

from collections.abc import Iterable

from crampdx.assessment.result import (
    Assessment,
    CitationOut,
    EvidenceItem,
    FindingValue,
    Gate,
    PendingRule,
    Provenance,
)

__all__ = [
    "OP_SYMBOLS",
    "citation_keys",
    "evidence_line",
    "finding_text",
    "gate_text",
    "pending_line",
    "provenance_text",
    "references",
    "value_text",
]

OP_SYMBOLS = {
    "present": "present",
    "absent": "absent",
    "eq": "=",
    "ne": "≠",
    "lt": "<",
    "le": "≤",
    "gt": ">",
    "ge": "≥",
    "in": "in",
    "not_in": "not in",
}


def value_text(value: str | float | tuple[str, ...] | None) -> str:
    """A value as a clinician reads it: ``3.1``, ``present``, ``brisk, normal``."""
    if value is None:
        return "not recorded"
    if isinstance(value, tuple):
        return ", ".join(value)
    if isinstance(value, float):
        return f"{value:g}"
    return value


def finding_text(finding: FindingValue) -> str:
    """``lab.potassium = 3.1 mmol/L (rule: < 3.5)`` or ``exam.babinski: present``."""
    unit = f" {finding.unit}" if finding.unit and finding.value is not None else ""
    shown = f"{finding.finding} = {value_text(finding.value)}{unit}"
    if finding.op in ("present", "absent") or finding.op is None:
        return shown
    return (
        f"{shown} (rule: {OP_SYMBOLS.get(finding.op, finding.op)} {value_text(finding.threshold)})"
    )


def citation_keys(citations: Iterable[CitationOut]) -> str:
    """``RCEM; AFP2012 (Table 2)``."""
    return "; ".join(f"{c.key} ({c.locator})" if c.locator else c.key for c in citations)


def _signed(item: EvidenceItem) -> str:
    if item.effect == "opposes":
        return f"−{item.weight:g}"
    return f"+{item.weight:g}"


def evidence_line(item: EvidenceItem) -> str:
    """One fired rule: weight, title, the findings it read, grade, id and sources."""
    defining = ", defining" if item.defining else ""
    findings = "; ".join(finding_text(f) for f in item.findings)
    found = f" — {findings}" if findings else ""
    return (
        f"{_signed(item)} {item.title}{found} [{item.rule_id} v{item.rule_version}, "
        f"grade {item.evidence_grade}{defining}; {citation_keys(item.citations)}]"
    )


def pending_line(rule: PendingRule) -> str:
    """A rule that could still fire, with the findings it waits on."""
    sign = "+" if rule.effect == "supports" else "−"
    return (
        f"{sign}{rule.weight:g} if known: {rule.title} — needs {', '.join(rule.missing)} "
        f"[{rule.rule_id}, grade {rule.evidence_grade}]"
    )


def gate_text(gate: Gate) -> str:
    """``True muscle cramp (true cramp, score 2.5)``; mimics say so."""
    kind = "true cramp" if gate.true_cramp else "MIMIC of cramp"
    return f"{gate.name} ({kind}, score {gate.score:g})"


def provenance_text(provenance: Provenance) -> str:
    return (
        f"crampdx {provenance.crampdx_version}; knowledge base {provenance.knowledge_base_version} "
        f"(sha256 {provenance.knowledge_base_hash[:12]}); engine {provenance.engine}; "
        f"{provenance.rules_fired} of {provenance.rules_evaluated} rules fired"
    )


def references(assessment: Assessment) -> list[CitationOut]:
    """Every source the assessment cites, once each, sorted by key."""
    found: dict[str, CitationOut] = {}
    pools: list[Iterable[CitationOut]] = [
        c
        for cause in assessment.differential
        for c in (
            cause.citations,
            *(e.citations for e in cause.supporting),
            *(e.citations for e in cause.conflicting),
        )
    ]
    pools += [flag.citations for flag in assessment.red_flags]
    pools += [item.citations for item in assessment.workup]
    pools += [note.citations for note in assessment.management]
    pools += [e.citations for e in assessment.gate.evidence]
    for pool in pools:
        for citation in pool:
            found.setdefault(citation.key, citation.model_copy(update={"locator": None}))
    return [found[key] for key in sorted(found)]
