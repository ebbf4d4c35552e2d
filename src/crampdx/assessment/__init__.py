"""The assessment: gate, ranked differential, red flags, workup plan and next findings."""

from crampdx.assessment.assess import assess, default_knowledge_base
from crampdx.assessment.result import (
    DISCLAIMER,
    Assessment,
    EvidenceItem,
    Gate,
    ManagementNote,
    NextFinding,
    RankedCause,
    RedFlagOut,
    WorkupItem,
)

__all__ = [
    "DISCLAIMER",
    "Assessment",
    "EvidenceItem",
    "Gate",
    "ManagementNote",
    "NextFinding",
    "RankedCause",
    "RedFlagOut",
    "WorkupItem",
    "assess",
    "default_knowledge_base",
]
