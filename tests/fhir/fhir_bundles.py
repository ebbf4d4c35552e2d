"""Builders for small hand-made FHIR R4 resources and bundles used by the FHIR tests."""

from __future__ import annotations

from typing import Any

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CPT = "http://www.ama-assn.org/go/cpt"
UCUM = "http://unitsofmeasure.org"
PATIENT_ID = "p1"
SUBJECT = {"reference": f"Patient/{PATIENT_ID}"}


def patient(
    gender: str = "female", birth: str = "1960-05-05", patient_id: str = PATIENT_ID
) -> dict[str, Any]:
    return {"resourceType": "Patient", "id": patient_id, "gender": gender, "birthDate": birth}


def lab(
    rid: str,
    loinc: str,
    value: float,
    unit: str | None,
    *,
    date: str = "2026-10-01",
    status: str = "final",
    ucum: bool = True,
    reference_range: dict[str, Any] | None = None,
    comparator: str | None = None,
) -> dict[str, Any]:
    quantity: dict[str, Any] = {"value": value}
    if unit is not None:
        if ucum:
            quantity.update({"system": UCUM, "code": unit, "unit": unit})
        else:
            quantity["unit"] = unit
    if comparator is not None:
        quantity["comparator"] = comparator
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": rid,
        "status": status,
        "code": {"coding": [{"system": LOINC, "code": loinc}]},
        "subject": SUBJECT,
        "effectiveDateTime": date,
        "valueQuantity": quantity,
    }
    if reference_range is not None:
        resource["referenceRange"] = [reference_range]
    return resource


def finding(
    rid: str,
    snomed: str,
    *,
    value: Any = None,
    body_site: str | None = None,
    date: str = "2026-10-01",
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "exam",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": SNOMED, "code": snomed}]},
        "subject": SUBJECT,
        "effectiveDateTime": date,
    }
    if isinstance(value, bool):
        resource["valueBoolean"] = value
    elif isinstance(value, str):
        resource["valueCodeableConcept"] = {"coding": [{"system": SNOMED, "code": value}]}
    if body_site is not None:
        resource["bodySite"] = {"coding": [{"system": SNOMED, "code": body_site}]}
    return resource


def condition(
    rid: str,
    system: str,
    code: str,
    *,
    clinical: str | None = "active",
    verification: str | None = "confirmed",
    recorded: str = "2025-01-01",
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "id": rid,
        "code": {"coding": [{"system": system, "code": code}]},
        "subject": SUBJECT,
        "recordedDate": recorded,
    }
    if clinical is not None:
        resource["clinicalStatus"] = {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": clinical,
                }
            ]
        }
    if verification is not None:
        resource["verificationStatus"] = {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                    "code": verification,
                }
            ]
        }
    return resource


def medication_request(
    rid: str,
    *,
    rxnorm: str | None = None,
    text: str | None = None,
    status: str = "active",
    authored: str = "2024-03-01",
) -> dict[str, Any]:
    concept: dict[str, Any] = {}
    if rxnorm is not None:
        concept["coding"] = [{"system": RXNORM, "code": rxnorm}]
    if text is not None:
        concept["text"] = text
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": concept,
        "subject": SUBJECT,
        "authoredOn": authored,
    }


def diagnostic_report(
    rid: str, system: str, code: str, conclusion: str | None, date: str = "2026-09-01"
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "id": rid,
        "status": "final",
        "code": {"coding": [{"system": system, "code": code}]},
        "subject": SUBJECT,
        "effectiveDateTime": date,
    }
    if conclusion is not None:
        resource["conclusionCode"] = [{"coding": [{"system": SNOMED, "code": conclusion}]}]
    return resource


def procedure(rid: str, system: str, code: str, status: str = "completed") -> dict[str, Any]:
    return {
        "resourceType": "Procedure",
        "id": rid,
        "status": status,
        "code": {"coding": [{"system": system, "code": code}]},
        "subject": SUBJECT,
        "performedDateTime": "2026-08-01",
    }


def bundle(*resources: dict[str, Any], with_patient: bool = True) -> dict[str, Any]:
    entries = [patient()] if with_patient else []
    entries += list(resources)
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"urn:test:{r['resourceType']}/{r['id']}", "resource": r} for r in entries
        ],
    }
