"""CDS Hooks 2.0 request, response and feedback bodies (https://cds-hooks.hl7.org/2.0/)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "Action",
    "Card",
    "CdsRequest",
    "FeedbackItem",
    "FeedbackRequest",
    "FhirAuthorization",
    "Link",
    "OverrideReason",
    "Source",
    "Suggestion",
]

# FHIR ids: letters, digits, '-' and '.', at most 64 (FHIR R4 'id' datatype). Checked
# before an id goes into a FHIR query URL.
FHIR_ID = r"^[A-Za-z0-9\-.]{1,64}$"
_OPEN = ConfigDict(extra="allow", frozen=True)  # clients may send fields of newer versions
_CLOSED = ConfigDict(extra="forbid", frozen=True)


class FhirAuthorization(BaseModel):
    model_config = _OPEN

    access_token: str = Field(min_length=1)
    token_type: Literal["Bearer"]
    expires_in: int
    scope: str
    subject: str
    patient: str | None = None


class PatientViewContext(BaseModel):
    model_config = _OPEN

    userId: str = Field(min_length=1)
    patientId: str = Field(pattern=FHIR_ID)
    encounterId: str | None = Field(default=None, pattern=FHIR_ID)


class CdsRequest(BaseModel):
    """A hook call. Only ``patient-view`` is served."""

    model_config = _OPEN

    hook: str = Field(min_length=1)
    hookInstance: str = Field(min_length=1, max_length=200)
    fhirServer: str | None = None
    fhirAuthorization: FhirAuthorization | None = None
    context: PatientViewContext
    prefetch: dict[str, Any] | None = None

    @field_validator("fhirServer")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("fhirServer must be an http(s) URL")
        return value


class Coding(BaseModel):
    model_config = _OPEN

    system: str | None = None
    code: str
    display: str | None = None


class OverrideReason(BaseModel):
    model_config = _OPEN

    reason: Coding | None = None
    userComment: str | None = None


class AcceptedSuggestion(BaseModel):
    model_config = _OPEN

    id: str = Field(min_length=1)


class FeedbackItem(BaseModel):
    model_config = _OPEN

    card: str = Field(min_length=1, max_length=200)
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: tuple[AcceptedSuggestion, ...] = ()
    overrideReason: OverrideReason | None = None
    outcomeTimestamp: str = Field(min_length=1, max_length=64)


class FeedbackRequest(BaseModel):
    model_config = _OPEN

    feedback: tuple[FeedbackItem, ...] = Field(min_length=1, max_length=1000)


# --- response -------------------------------------------------------------------------------


class Source(BaseModel):
    model_config = _CLOSED

    label: str
    url: str | None = None
    topic: Coding | None = None


class Action(BaseModel):
    model_config = _CLOSED

    type: Literal["create", "update", "delete"]
    description: str
    resource: dict[str, Any] | None = None


class Suggestion(BaseModel):
    model_config = _CLOSED

    label: str
    uuid: str | None = None
    isRecommended: bool | None = None
    actions: tuple[Action, ...] = ()


class Link(BaseModel):
    model_config = _CLOSED

    label: str
    url: str
    type: Literal["absolute", "smart"] = "absolute"


class Card(BaseModel):
    """A CDS Hooks card; ``summary`` is kept under 140 characters as the spec asks."""

    model_config = _CLOSED

    uuid: str
    summary: str = Field(max_length=139)
    detail: str | None = None
    indicator: Literal["info", "warning", "critical"]
    source: Source
    suggestions: tuple[Suggestion, ...] = ()
    selectionBehavior: Literal["at-most-one", "any"] | None = None
    overrideReasons: tuple[Coding, ...] = ()
    links: tuple[Link, ...] = ()
