"""crampdx assessment → FHIR R4 resources, each validated with ``fhir.resources.R4B``.

* the workup → a RequestGroup of ServiceRequests (status ``draft``, intent ``proposal``),
  with the order of the plan and its dependencies as ``relatedAction``;
* the ranked differential → a RiskAssessment, one prediction per cause with its rationale;
* a drug or electrolyte cause → a DetectedIssue implicating the resources behind it;
* the run itself → a GuidanceResponse carrying the provenance (crampdx, knowledge-base
  version and content hash, engine).

Resource ids are derived from the knowledge-base hash, the patient and the item, so the
same assessment always gives the same resources (no clocks, no random ids).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from crampdx.assessment.result import (
    DISCLAIMER,
    Assessment,
    EvidenceItem,
    RankedCause,
    WorkupItem,
)
from crampdx.engine.base import CompiledKnowledgeBase
from crampdx.fhir import codes as C
from crampdx.fhir.report import MappingReport
from crampdx.kb.load import KnowledgeBase
from crampdx.kb.model import AllOf, AnyOf, Condition, Derive, Leaf, Not

__all__ = [
    "CATALOGUE_SYSTEM",
    "FhirAssessment",
    "assessment_to_fhir",
    "cause_concept",
    "evidence_line",
    "priority_of",
    "service_request",
    "validated",
]

# Identifies crampdx's own codes: workup catalogue ids and knowledge-base modules.
CATALOGUE_SYSTEM = "urn:crampdx:workup-catalogue"
MODULE_SYSTEM = "urn:crampdx:knowledge-base"
_ICD10CM = C.ICD10CM
_RISK_PROBABILITY = "http://terminology.hl7.org/CodeSystem/risk-probability"
_NAMESPACE = uuid.UUID("8f0d2b8e-6c1c-4f61-9b59-7a7d4f3c2a10")

# FHIR request priority: routine < urgent < asap < stat.
_PRIORITY = {"EMERG": "stat", "URGENT": "asap", "SOON": "urgent", "ROUTINE": "routine"}
_SEVERITY = {"EMERG": "high", "URGENT": "high", "SOON": "moderate", "ROUTINE": "low"}
_QUALITATIVE = {"high": "high", "moderate": "moderate", "low": "low", "unlikely": "negligible"}
_CODE_SYSTEMS = {"snomed_ct": C.SNOMED, "icd10_cm": _ICD10CM, "loinc": C.LOINC, "cpt": C.CPT}
# Causes whose DetectedIssue implicates the drug or lab results behind them.
_ISSUE_CATEGORIES = frozenset({"drug", "electrolyte"})
_ISSUE_BANDS = frozenset({"high", "moderate"})


def priority_of(urgency: str) -> str:
    """The FHIR request priority for a crampdx urgency level."""
    return _PRIORITY[urgency]


def _r4b(resource_type: str, data: dict[str, Any]) -> Any:
    from fhir.resources.R4B import get_fhir_model_class

    return get_fhir_model_class(resource_type).model_validate(
        {"resourceType": resource_type, **data}
    )


def validated(resource_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """Validate a resource with ``fhir.resources.R4B`` and return it as JSON-ready data."""
    resource = _r4b(resource_type, data)
    dumped: dict[str, Any] = resource.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dumped


def _id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "|".join(parts)))


def _codings(codes: dict[str, tuple[str, ...]], systems: Iterable[str]) -> list[dict[str, str]]:
    return [
        {"system": _CODE_SYSTEMS[name], "code": code}
        for name in systems
        for code in codes.get(name, ())
    ]


def cause_concept(cause: RankedCause) -> dict[str, Any]:
    """A CodeableConcept for a cause: its SNOMED CT and ICD-10-CM codes and its name."""
    concept: dict[str, Any] = {"text": cause.name}
    codings = _codings(cause.codes, ("snomed_ct", "icd10_cm"))
    if codings:
        concept["coding"] = codings
    return concept


def evidence_line(item: EvidenceItem) -> str:
    """One line of evidence: the rule title, its grade and its citation keys."""
    keys = ", ".join(citation.key for citation in item.citations)
    return f"{item.title} (grade {item.evidence_grade}; {keys}; rule {item.rule_id})"


def _references(
    report: MappingReport | None, prefixes: Iterable[str], types: set[str]
) -> list[str]:
    if report is None:
        return []
    found: dict[str, None] = {}
    for prefix in prefixes:
        for ref in report.sources_of(prefix):
            if ref.split("/", 1)[0] in types and "#" not in ref:
                found[ref] = None
    return list(found)


def _cause_findings(cause: RankedCause) -> list[str]:
    return [
        value.finding
        for item in (*cause.supporting, *cause.conflicting)
        for value in item.findings
        if value.value is not None
    ]


def _leaves(condition: Condition) -> Iterable[str]:
    if isinstance(condition, Leaf):
        yield condition.finding
    elif isinstance(condition, AllOf):
        for part in condition.all:
            yield from _leaves(part)
    elif isinstance(condition, AnyOf):
        for part in condition.any:
            yield from _leaves(part)
    elif isinstance(condition, Not):
        yield from _leaves(condition.negated)


class _Findings:
    """Expands derived findings (``derived.low_potassium``) into the recorded findings their
    rules read (``lab.potassium``), so resources can cite the record behind them."""

    def __init__(self, knowledge_base: KnowledgeBase | CompiledKnowledgeBase | None) -> None:
        self.sources: dict[str, set[str]] = {}
        if knowledge_base is None:
            return
        kb = (
            knowledge_base.kb
            if isinstance(knowledge_base, CompiledKnowledgeBase)
            else (knowledge_base)
        )
        for rule in kb.rules:
            if isinstance(rule.then, Derive):
                self.sources.setdefault(rule.then.derive, set()).update(_leaves(rule.when))

    def expand(self, findings: Iterable[str]) -> list[str]:
        result: dict[str, None] = {}
        pending = list(findings)
        seen: set[str] = set()
        while pending:
            finding = pending.pop(0)
            if finding in seen:
                continue
            seen.add(finding)
            if finding.startswith("derived."):
                pending.extend(sorted(self.sources.get(finding, ())))
            else:
                result[finding] = None
        return list(result)


def service_request(
    item: WorkupItem,
    *,
    patient_reference: str,
    causes: dict[str, RankedCause],
    report: MappingReport | None = None,
    resource_id: str | None = None,
    knowledge_base: KnowledgeBase | CompiledKnowledgeBase | None = None,
) -> dict[str, Any]:
    """A draft, proposed ServiceRequest for one workup item (as a JSON-ready dict).

    With the mapping ``report`` (and the ``knowledge_base``, to see through derived
    findings) the request cites the Observations and Conditions behind its reasons.
    """
    coding = [{"system": CATALOGUE_SYSTEM, "code": item.test, "display": item.name}]
    coding += _codings(item.codes, ("cpt", "snomed_ct"))
    loinc = item.codes.get("loinc", ())
    if len(loinc) == 1:
        # A single LOINC code names the test; several name a panel's parts (orderDetail).
        coding.append({"system": C.LOINC, "code": loinc[0]})
    data: dict[str, Any] = {
        "status": "draft",
        "intent": "proposal",
        "priority": priority_of(item.urgency),
        "code": {"coding": coding, "text": item.name},
        "subject": {"reference": patient_reference},
        "note": [{"text": f"{DISCLAIMER}"}],
    }
    if len(loinc) > 1:
        data["orderDetail"] = [{"coding": [{"system": C.LOINC, "code": code}]} for code in loinc]
    if resource_id is not None:
        data["id"] = resource_id
    reasons: list[dict[str, Any]] = [{"text": reason} for reason in item.reasons]
    reasons += [cause_concept(causes[c]) for c in item.distinguishes if c in causes]
    if reasons:
        data["reasonCode"] = reasons
    findings = _Findings(knowledge_base if report is not None else None)
    prefixes = findings.expand(
        f for c in item.distinguishes if c in causes for f in _cause_findings(causes[c])
    )
    references = _references(report, prefixes, {"Observation", "Condition"})
    if references:
        data["reasonReference"] = [{"reference": ref} for ref in references]
    return data


@dataclass(frozen=True)
class FhirAssessment:
    """The FHIR resources for one assessment (``fhir.resources.R4B`` models)."""

    request_group: Any
    service_requests: tuple[Any, ...]
    risk_assessment: Any
    detected_issues: tuple[Any, ...]
    guidance_response: Any

    def resources(self) -> list[Any]:
        """Every resource, the GuidanceResponse first."""
        return [
            self.guidance_response,
            self.risk_assessment,
            *self.detected_issues,
            self.request_group,
            *self.service_requests,
        ]

    def bundle(self) -> Any:
        """A ``collection`` Bundle of every resource, with ``urn:uuid`` full URLs."""
        entries = [
            {"fullUrl": f"urn:uuid:{resource.id}", "resource": resource}
            for resource in self.resources()
        ]
        return _r4b("Bundle", {"type": "collection", "entry": entries})


def _rationale(cause: RankedCause) -> str:
    lines = [f"{cause.name}: score {cause.score:g}, band {cause.band}, {cause.status}."]
    if cause.supporting:
        lines.append("Supporting: " + "; ".join(evidence_line(e) for e in cause.supporting))
    if cause.conflicting:
        lines.append("Against: " + "; ".join(evidence_line(e) for e in cause.conflicting))
    if cause.not_yet_known:
        missing = sorted({m for rule in cause.not_yet_known for m in rule.missing})
        lines.append("Not yet known: " + ", ".join(missing))
    return "\n".join(lines)


def _provenance_text(assessment: Assessment) -> str:
    p = assessment.provenance
    return (
        f"crampdx {p.crampdx_version}; knowledge base {p.knowledge_base_version} "
        f"(sha256 {p.knowledge_base_hash}); engine {p.engine}; "
        f"{p.rules_fired} of {p.rules_evaluated} rules fired."
    )


def assessment_to_fhir(
    assessment: Assessment,
    *,
    patient_reference: str | None = None,
    report: MappingReport | None = None,
    knowledge_base: KnowledgeBase | CompiledKnowledgeBase | None = None,
) -> FhirAssessment:
    """Express an assessment as FHIR R4 resources.

    Args:
        assessment: the result of :func:`crampdx.assess`.
        patient_reference: the subject, e.g. ``Patient/123``; defaults to
            ``Patient/<assessment.patient_id>``.
        report: the mapping report from :func:`~crampdx.fhir.patient_from_fhir`; when
            given, resources cite the Observations, Conditions and MedicationRequests the
            findings came from.
        knowledge_base: the knowledge base the assessment used; with it, derived findings
            (``derived.low_potassium``) are traced to the recorded findings they rest on.

    Returns:
        The validated resources.
    """
    if patient_reference is None:
        if assessment.patient_id is None:
            raise ValueError("give patient_reference: the assessment has no patient id")
        patient_reference = f"Patient/{assessment.patient_id}"
    seed = (assessment.provenance.knowledge_base_hash, patient_reference)
    subject = {"reference": patient_reference}
    causes = {cause.id: cause for cause in assessment.differential}

    request_ids = {item.test: _id(*seed, "ServiceRequest", item.test) for item in assessment.workup}
    requests = tuple(
        _r4b(
            "ServiceRequest",
            service_request(
                item,
                patient_reference=patient_reference,
                causes=causes,
                report=report,
                resource_id=request_ids[item.test],
                knowledge_base=knowledge_base,
            ),
        )
        for item in assessment.workup
    )
    group_id = _id(*seed, "RequestGroup")
    actions = []
    for item in assessment.workup:
        action: dict[str, Any] = {
            "id": item.test,
            "title": item.name,
            "description": "; ".join(item.reasons) or item.name,
            "priority": priority_of(item.urgency),
            "resource": {"reference": f"urn:uuid:{request_ids[item.test]}"},
        }
        related = [
            {"actionId": before, "relationship": "after-end"}
            for before in item.after
            if before in request_ids
        ]
        if related:
            action["relatedAction"] = related
        actions.append(action)
    group_data: dict[str, Any] = {
        "id": group_id,
        "status": "draft",
        "intent": "proposal",
        "subject": subject,
        "note": [{"text": DISCLAIMER}],
    }
    if actions:
        group_data["action"] = actions
    if assessment.no_tests_reason:
        group_data["note"].append({"text": f"No tests proposed: {assessment.no_tests_reason}"})
    request_group = _r4b("RequestGroup", group_data)

    predictions = []
    for cause in assessment.differential:
        predictions.append(
            {
                "outcome": cause_concept(cause),
                "probabilityDecimal": round(cause.probability, 4),
                "qualitativeRisk": {
                    "coding": [{"system": _RISK_PROBABILITY, "code": _QUALITATIVE[cause.band]}]
                },
                "rationale": _rationale(cause),
            }
        )
    risk_data: dict[str, Any] = {
        "id": _id(*seed, "RiskAssessment"),
        "status": "preliminary",
        "subject": subject,
        "code": {
            "coding": [{"system": C.SNOMED, "code": "55300003", "display": "Cramp"}],
            "text": "Causes of muscle cramps",
        },
        "method": {"text": f"crampdx rule-based differential. {_provenance_text(assessment)}"},
        "mitigation": DISCLAIMER,
        "note": [{"text": DISCLAIMER}],
    }
    # The basis is the record behind the findings the differential and red flags rest on.
    findings = _Findings(knowledge_base if report is not None else None)
    used = [f for cause in assessment.differential for f in _cause_findings(cause)]
    used += [value.finding for flag in assessment.red_flags for value in flag.trigger]
    basis = _references(
        report,
        findings.expand(used),
        {
            "Observation",
            "Condition",
            "MedicationRequest",
            "MedicationStatement",
            "DiagnosticReport",
            "Procedure",
        },
    )
    if basis:
        risk_data["basis"] = [{"reference": ref} for ref in basis]
    if predictions:
        risk_data["prediction"] = predictions
    risk_assessment = _r4b("RiskAssessment", risk_data)

    issues = []
    for cause in assessment.differential:
        if cause.category not in _ISSUE_CATEGORIES or cause.band not in _ISSUE_BANDS:
            continue
        kind = "drug" if cause.category == "drug" else "laboratory"
        issue: dict[str, Any] = {
            "id": _id(*seed, "DetectedIssue", cause.id),
            "status": "preliminary",
            "code": {
                **cause_concept(cause),
                "text": f"Possible {kind} cause of cramps: {cause.name}",
            },
            "severity": _SEVERITY[cause.urgency],
            "patient": subject,
            "detail": _rationale(cause),
        }
        implicated = _references(
            report,
            findings.expand(_cause_findings(cause)),
            {"Observation", "MedicationRequest", "MedicationStatement", "Condition"},
        )
        if implicated:
            issue["implicated"] = [{"reference": ref} for ref in implicated]
            issue["evidence"] = [{"detail": [{"reference": ref} for ref in implicated]}]
        issues.append(_r4b("DetectedIssue", issue))

    p = assessment.provenance
    guidance_data: dict[str, Any] = {
        "id": _id(*seed, "GuidanceResponse"),
        "moduleCodeableConcept": {
            "coding": [
                {"system": MODULE_SYSTEM, "code": "crampdx", "version": p.knowledge_base_version}
            ],
            "text": f"crampdx knowledge base {p.knowledge_base_version} "
            f"(sha256 {p.knowledge_base_hash})",
        },
        "status": "success",
        "subject": subject,
        "reasonCode": [{"coding": [{"system": C.SNOMED, "code": "55300003", "display": "Cramp"}]}],
        "note": [{"text": DISCLAIMER}, {"text": _provenance_text(assessment)}],
        "result": {"reference": f"urn:uuid:{group_id}"},
    }
    if report is not None and report.issues:
        outcome = _outcome(report)
        guidance_data["contained"] = [outcome]
        guidance_data["evaluationMessage"] = [{"reference": "#mapping"}]
    guidance = _r4b("GuidanceResponse", guidance_data)
    return FhirAssessment(
        request_group=request_group,
        service_requests=requests,
        risk_assessment=risk_assessment,
        detected_issues=tuple(issues),
        guidance_response=guidance,
    )


def _outcome(report: MappingReport) -> dict[str, Any]:
    """The mapping report's issues as an OperationOutcome (what could not be used, and why)."""
    severity = {
        "error": "error",
        "unmapped": "information",
        "ignored": "information",
        "assumption": "warning",
    }
    return {
        "resourceType": "OperationOutcome",
        "id": "mapping",
        "issue": [
            {
                "severity": severity[issue.kind],
                "code": "not-supported" if issue.kind == "unmapped" else "informational",
                "diagnostics": f"{issue.resource}: {issue.reason}"
                + (f" [{issue.code}]" if issue.code else ""),
            }
            for issue in report.issues
        ],
    }
