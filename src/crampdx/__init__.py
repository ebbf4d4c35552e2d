"""crampdx: clinical decision support for muscle cramps.

``assess(patient)`` returns a ranked, explained differential of the causes, red flags
with urgency, an ordered workup and the next findings worth collecting. It is
decision support, not a diagnosis.
"""

from crampdx.__about__ import __version__
from crampdx.assessment import (
    DISCLAIMER,
    Assessment,
    EvidenceItem,
    Gate,
    ManagementNote,
    NextFinding,
    RankedCause,
    RedFlagOut,
    WorkupItem,
    assess,
    default_knowledge_base,
)
from crampdx.engine import CompiledKnowledgeBase, available_engines
from crampdx.errors import (
    CrampdxError,
    EngineError,
    EngineUnavailableError,
    ImplausibleValueError,
    InteropError,
    InvalidPatientError,
    KnowledgeBaseError,
    PatientFileError,
    Problem,
    RuleFileError,
    UnitError,
)
from crampdx.facts import patient_facts
from crampdx.kb.load import KnowledgeBase, load_knowledge_base
from crampdx.record import (
    Analyte,
    LabResult,
    Medication,
    Observation,
    Patient,
    State,
    TestDone,
    load_patient,
    parse_patient,
)

__all__ = [
    "DISCLAIMER",
    "Analyte",
    "Assessment",
    "CompiledKnowledgeBase",
    "CrampdxError",
    "EngineError",
    "EngineUnavailableError",
    "EvidenceItem",
    "Gate",
    "ImplausibleValueError",
    "InteropError",
    "InvalidPatientError",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "LabResult",
    "ManagementNote",
    "Medication",
    "NextFinding",
    "Observation",
    "Patient",
    "PatientFileError",
    "Problem",
    "RankedCause",
    "RedFlagOut",
    "RuleFileError",
    "State",
    "TestDone",
    "UnitError",
    "WorkupItem",
    "__version__",
    "assess",
    "available_engines",
    "default_knowledge_base",
    "load_knowledge_base",
    "load_patient",
    "parse_patient",
    "patient_facts",
]
