"""Typed errors for FHIR input: each is both an :class:`InteropError` and the matching
patient-record error, so callers may catch either family."""

from __future__ import annotations

from crampdx.errors import ImplausibleValueError, InteropError, UnitError

__all__ = ["FhirUnitError", "FhirValueError"]


class FhirUnitError(InteropError, UnitError):
    """An Observation's unit is unknown for its analyte, or contradicts its LOINC code."""


class FhirValueError(InteropError, ImplausibleValueError):
    """An Observation's value lies outside the physiologically possible range."""
