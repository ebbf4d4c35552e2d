"""FHIR R4 interoperability: read a patient record from FHIR, write an assessment as FHIR.

Needs the ``fhir`` extra (``pip install 'crampdx[fhir]'``): resources are validated
with ``fhir.resources.R4B``, the R4-compatible models of that package.
"""

from crampdx.fhir.errors import FhirUnitError, FhirValueError
from crampdx.fhir.inbound import patient_from_fhir
from crampdx.fhir.outbound import FhirAssessment, assessment_to_fhir
from crampdx.fhir.report import MappedItem, MappingIssue, MappingReport, MappingResult

__all__ = [
    "FhirAssessment",
    "FhirUnitError",
    "FhirValueError",
    "MappedItem",
    "MappingIssue",
    "MappingReport",
    "MappingResult",
    "assessment_to_fhir",
    "patient_from_fhir",
]
