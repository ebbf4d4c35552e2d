"""Turn FHIR input in any usual shape into validated FHIR R4 (``fhir.resources.R4B``) resources.

Accepted input: a Bundle (any type, nested Bundles included, as searchset pages from a
CDS Hooks prefetch are), a single resource, JSON text or bytes, R4B model instances, or
any iterable of these. Each resource is validated on its own, so one invalid resource is
reported and the others are still read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from crampdx.errors import InteropError

__all__ = ["FhirInput", "ReadResource", "ReadResult", "read_resources"]

# A Bundle or resource (dict, JSON text or R4B model), or an iterable of these.
FhirInput = Any

_R4B_PREFIX = "fhir.resources.R4B."
_FHIR_PREFIX = "fhir.resources."


@dataclass(frozen=True, slots=True)
class ReadResource:
    """One validated resource and the names other resources may use to refer to it."""

    ref: str  # 'Type/id', or 'Type#<position>' when the resource has no id
    resource: Any  # a fhir.resources.R4B model
    aliases: frozenset[str]


@dataclass(frozen=True, slots=True)
class InvalidResource:
    ref: str
    reason: str


@dataclass(frozen=True, slots=True)
class ReadResult:
    resources: tuple[ReadResource, ...]
    invalid: tuple[InvalidResource, ...]
    outcomes: tuple[str, ...]  # OperationOutcome messages found in search results
    skipped: tuple[tuple[str, str], ...]  # (ref, resourceType) of types nobody reads


def _model_class(resource_type: str) -> Any:
    from fhir.resources.R4B import get_fhir_model_class

    try:
        return get_fhir_model_class(resource_type)
    except (KeyError, ValueError):
        return None


def _validation_summary(error: ValidationError) -> str:
    # Locations and messages only: input values may hold patient data.
    parts = []
    for item in error.errors(include_url=False, include_input=False, include_context=False)[:5]:
        location = ".".join(str(part) for part in item["loc"]) or "(resource)"
        parts.append(f"{location}: {item['msg']}")
    more = error.error_count() - len(parts)
    suffix = f" (and {more} more)" if more > 0 else ""
    return "; ".join(parts) + suffix


class _Reader:
    def __init__(self, types: frozenset[str] | None) -> None:
        self.types = types
        self.resources: list[ReadResource] = []
        self.invalid: list[InvalidResource] = []
        self.outcomes: list[str] = []
        self.skipped: list[tuple[str, str]] = []
        self.position = 0

    def read(self, item: Any, full_url: str | None = None) -> None:
        if isinstance(item, str | bytes | bytearray):
            try:
                item = json.loads(item)
            except (json.JSONDecodeError, UnicodeDecodeError) as error:
                raise InteropError(f"FHIR input is not valid JSON: {error}") from error
        module = type(item).__module__
        if module.startswith(_FHIR_PREFIX):
            if not module.startswith(_R4B_PREFIX):
                raise InteropError(
                    f"a {type(item).__name__} model from {module} was given: crampdx reads "
                    "FHIR R4 data, parsed with fhir.resources.R4B"
                )
            item = item.model_dump(mode="json", by_alias=True, exclude_none=True)
        if isinstance(item, Mapping):
            self._read_mapping(item, full_url)
            return
        if isinstance(item, Iterable):
            for element in item:
                self.read(element)
            return
        raise InteropError(
            f"cannot read FHIR input of type {type(item).__name__}: give a Bundle, a resource, "
            "JSON text, or a list of these"
        )

    def _read_mapping(self, data: Mapping[str, Any], full_url: str | None) -> None:
        resource_type = data.get("resourceType")
        if not isinstance(resource_type, str):
            raise InteropError("FHIR input has no 'resourceType': not a FHIR resource or Bundle")
        if resource_type == "Bundle":
            entries = data.get("entry") or []
            if not isinstance(entries, list):
                raise InteropError("Bundle.entry must be a list")
            for entry in entries:
                if not isinstance(entry, Mapping):
                    raise InteropError("a Bundle entry must be an object")
                search = entry.get("search")
                resource = entry.get("resource")
                if resource is None:
                    continue  # a transaction response or deleted entry carries nothing to read
                mode = search.get("mode") if isinstance(search, Mapping) else None
                if mode == "outcome" or (
                    isinstance(resource, Mapping)
                    and resource.get("resourceType") == "OperationOutcome"
                ):
                    self._outcome(resource)
                    continue
                url = entry.get("fullUrl")
                self.read(resource, url if isinstance(url, str) else None)
            return
        if resource_type == "OperationOutcome":
            self._outcome(data)
            return
        self._read_resource(resource_type, data, full_url)

    def _outcome(self, data: Any) -> None:
        issues = data.get("issue", []) if isinstance(data, Mapping) else []
        for issue in issues if isinstance(issues, list) else []:
            if isinstance(issue, Mapping):
                text = issue.get("diagnostics") or (issue.get("details") or {}).get("text")
                self.outcomes.append(f"{issue.get('severity', '?')}: {text or issue.get('code')}")

    def _read_resource(
        self, resource_type: str, data: Mapping[str, Any], full_url: str | None
    ) -> None:
        self.position += 1
        resource_id = data.get("id")
        ref = (
            f"{resource_type}/{resource_id}"
            if isinstance(resource_id, str)
            else f"{resource_type}#{self.position}"
        )
        if self.types is not None and resource_type not in self.types:
            # Validating resources nobody reads (claims, encounters…) costs most of the
            # parse time of a real bundle; they are only listed.
            self.skipped.append((ref, resource_type))
            return
        model = _model_class(resource_type)
        if model is None:
            self.invalid.append(
                InvalidResource(ref, f"unknown FHIR R4 resource type '{resource_type}'")
            )
            return
        try:
            resource = model.model_validate(dict(data))
        except ValidationError as error:
            self.invalid.append(
                InvalidResource(
                    ref, f"not a valid FHIR R4 {resource_type}: {_validation_summary(error)}"
                )
            )
            return
        aliases = {ref}
        if full_url:
            aliases.add(full_url)
        self.resources.append(ReadResource(ref, resource, frozenset(aliases)))


def read_resources(data: FhirInput, types: frozenset[str] | None = None) -> ReadResult:
    """Validate every resource in ``data`` with the FHIR R4 (R4B) models.

    Args:
        data: the FHIR input.
        types: validate only resources of these types; others are listed as skipped.

    Raises:
        InteropError: the input as a whole is not FHIR (not JSON, no resourceType, an R5
            model instead of R4).
    """
    reader = _Reader(types)
    reader.read(data)
    return ReadResult(
        tuple(reader.resources),
        tuple(reader.invalid),
        tuple(reader.outcomes),
        tuple(reader.skipped),
    )
