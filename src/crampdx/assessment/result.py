"""The assessment: a frozen, JSON-serialisable result that explains itself.

Every item carries the rule ids, citations and evidence grades it rests on, so a
clinician can check each recommendation independently. Identical input and
knowledge base give byte-identical JSON: no clocks, no unordered collections.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "DISCLAIMER",
    "Assessment",
    "Band",
    "CitationOut",
    "EvidenceItem",
    "FindingValue",
    "Gate",
    "ManagementNote",
    "NextFinding",
    "PendingRule",
    "Provenance",
    "RankedCause",
    "RedFlagOut",
    "SkippedTest",
    "UnmappedMedication",
    "WorkupItem",
]

DISCLAIMER = (
    "crampdx is clinical decision support, not a diagnosis. It proposes considerations "
    "for a clinician; every item shows the rules and sources it rests on so that it can "
    "be checked independently. Clinical judgement decides."
)

UrgencyLevel = Literal["EMERG", "URGENT", "SOON", "ROUTINE"]
Band = Literal["high", "moderate", "low", "unlikely"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class CitationOut(BaseModel):
    model_config = _FROZEN
    key: str
    citation: str
    locator: str | None = None
    url: str | None = None


class FindingValue(BaseModel):
    """A fact a rule tested, with the patient's value and the rule's threshold."""

    model_config = _FROZEN
    finding: str
    value: str | float | None = None  # None: not recorded (unknown)
    unit: str | None = None
    op: str | None = None
    threshold: str | float | tuple[str, ...] | None = None


class EvidenceItem(BaseModel):
    """One rule that fired, and what it contributed."""

    model_config = _FROZEN
    rule_id: str
    rule_version: int
    title: str
    effect: Literal["supports", "opposes", "phenomenon", "derive"]
    weight: float
    defining: bool = False
    findings: tuple[FindingValue, ...]
    evidence_grade: str
    citations: tuple[CitationOut, ...]


class PendingRule(BaseModel):
    """A rule that could still fire: its condition is unknown because findings are missing."""

    model_config = _FROZEN
    rule_id: str
    title: str
    effect: Literal["supports", "opposes"]
    weight: float
    missing: tuple[str, ...]
    evidence_grade: str


class RankedCause(BaseModel):
    model_config = _FROZEN
    rank: int
    id: str
    name: str
    category: str
    mimic: bool
    codes: dict[str, tuple[str, ...]]
    score: float
    probability: float  # share of the logistic odds among listed causes, for reading only
    band: Band
    status: Literal["established", "suspected"]
    urgency: UrgencyLevel
    supporting: tuple[EvidenceItem, ...]
    conflicting: tuple[EvidenceItem, ...]
    not_yet_known: tuple[PendingRule, ...]
    acts_through: tuple[str, ...]  # causes in this differential it acts through
    explained_by: tuple[str, ...]  # causes in this differential that act through it
    confirm_with: tuple[str, ...]
    citations: tuple[CitationOut, ...]


class RedFlagOut(BaseModel):
    model_config = _FROZEN
    id: str
    name: str
    urgency: UrgencyLevel
    action: str
    rule_id: str
    rule_title: str
    trigger: tuple[FindingValue, ...]
    evidence_grade: str
    citations: tuple[CitationOut, ...]


class WorkupItem(BaseModel):
    model_config = _FROZEN
    order: int
    test: str
    name: str
    tier: int
    category: str
    urgency: UrgencyLevel
    reasons: tuple[str, ...]
    distinguishes: tuple[str, ...]
    separation: float
    after: tuple[str, ...]
    cost: int
    invasiveness: str
    codes: dict[str, tuple[str, ...]]
    rule_ids: tuple[str, ...]
    citations: tuple[CitationOut, ...]


class SkippedTest(BaseModel):
    model_config = _FROZEN
    test: str
    name: str
    reason: str


class NextFinding(BaseModel):
    """An unrecorded finding whose answer would most change the top of the differential."""

    model_config = _FROZEN
    finding: str
    question: str
    impact: float
    if_present: str
    if_absent: str


class ManagementNote(BaseModel):
    model_config = _FROZEN
    text: str
    level: str
    rule_id: str
    citations: tuple[CitationOut, ...]


class Gate(BaseModel):
    """Is it a true cramp at all, or a mimic? (clinical reference §1)."""

    model_config = _FROZEN
    phenomenon: str
    name: str
    true_cramp: bool
    score: float
    description: str
    evidence: tuple[EvidenceItem, ...]
    alternatives: tuple[tuple[str, float], ...]


class UnmappedMedication(BaseModel):
    model_config = _FROZEN
    name: str
    rxnorm: str | None
    reason: str


class Provenance(BaseModel):
    model_config = _FROZEN
    crampdx_version: str
    knowledge_base_version: str
    knowledge_base_hash: str
    engine: str
    rules_evaluated: int
    rules_fired: int


class Assessment(BaseModel):
    """The full result of :func:`crampdx.assess`."""

    model_config = _FROZEN
    disclaimer: str = DISCLAIMER
    patient_id: str | None
    urgency: UrgencyLevel
    gate: Gate
    differential: tuple[RankedCause, ...]
    red_flags: tuple[RedFlagOut, ...]
    workup: tuple[WorkupItem, ...]
    workup_skipped: tuple[SkippedTest, ...]
    no_tests_reason: str | None
    next_findings: tuple[NextFinding, ...]
    management: tuple[ManagementNote, ...]
    unmapped_medications: tuple[UnmappedMedication, ...]
    derived_findings: tuple[str, ...]
    provenance: Provenance

    def to_json(self, *, indent: int | None = 2) -> str:
        """Deterministic JSON: same input and knowledge base give the same bytes."""
        return self.model_dump_json(indent=indent)

    def cause(self, cause_id: str) -> RankedCause | None:
        return next((c for c in self.differential if c.id == cause_id), None)

    def rank_of(self, cause_id: str) -> int | None:
        found = self.cause(cause_id)
        return None if found is None else found.rank
