"""The mapping report: what became of every resource and code read from FHIR.

Nothing is dropped silently. Each resource ends up either in ``mapped`` (with the
patient-record field it filled) or in ``issues`` (with the reason it was not used),
and often in both when a resource carries several codes.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crampdx.record.patient import Patient

__all__ = ["IssueKind", "MappedItem", "MappingIssue", "MappingReport", "MappingResult"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")

IssueKind = Literal["unmapped", "ignored", "error", "assumption"]


class MappedItem(BaseModel):
    """One resource (and code) that filled a field of the patient record."""

    model_config = _FROZEN

    resource: str = Field(description="'Type/id' of the source resource.")
    code: str | None = Field(default=None, description="'system|code' that was read.")
    target: str = Field(description="Patient-record field or fact it filled.")
    value: str | None = Field(default=None, description="The value written, when short.")


class MappingIssue(BaseModel):
    """A resource or code that was not used as is, and why.

    ``kind`` says what happened: ``unmapped`` (crampdx does not know the code or has no
    field for it), ``ignored`` (deliberately not used: status, another patient, a date
    after the assessment), ``error`` (a unit or value problem, reported rather than raised
    when ``strict=False``) or ``assumption`` (used, with an assumption stated here).
    """

    model_config = _FROZEN

    resource: str
    kind: IssueKind
    reason: str
    code: str | None = None
    display: str | None = None
    problem_code: str | None = Field(
        default=None, description="crampdx error code for kind 'error' (e.g. CDX-P002)."
    )


class MappingReport(BaseModel):
    """Everything the mapper did, for audit and for showing to the clinician."""

    model_config = _FROZEN

    assessment_date: dt.date
    resources_read: int = Field(description="How many resources the input held.")
    mapped: tuple[MappedItem, ...] = ()
    issues: tuple[MappingIssue, ...] = ()

    def issues_of(self, kind: IssueKind) -> tuple[MappingIssue, ...]:
        """The issues of one kind."""
        return tuple(issue for issue in self.issues if issue.kind == kind)

    @property
    def unmapped(self) -> tuple[MappingIssue, ...]:
        """Resources or codes crampdx could not map."""
        return self.issues_of("unmapped")

    def sources_of(self, finding: str) -> tuple[str, ...]:
        """The resources behind a field or fact name (``lab.potassium``, ``exam.weakness``,
        ``symptom.paraesthesia``, ``history.diabetes.type``…), in report order."""
        path = _fact_to_path(finding)
        found: dict[str, None] = {}
        for item in self.mapped:
            target = item.target
            if target == path or target.startswith(f"{path}.") or path.startswith(f"{target}."):
                found[item.resource] = None
        return tuple(found)

    def resources(self) -> frozenset[str]:
        """Every resource reference that appears in the report."""
        return frozenset(
            [item.resource for item in self.mapped] + [issue.resource for issue in self.issues]
        )


_FACT_SECTIONS = {"cramp": "cramps", "symptom": "symptoms"}


def _fact_to_path(name: str) -> str:
    # Fact names abbreviate two record sections (facts.py): 'cramp.…' and 'symptom.…'.
    head, _, rest = name.partition(".")
    head = _FACT_SECTIONS.get(head, head)
    return f"{head}.{rest}" if rest else head


class MappingResult(BaseModel):
    """The patient record built from FHIR, and the report of how it was built."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    patient: Patient
    report: MappingReport
