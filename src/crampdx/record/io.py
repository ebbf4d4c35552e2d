"""Load patient records from JSON or YAML, and turn validation failures into typed errors."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from crampdx.errors import (
    ImplausibleValueError,
    InvalidPatientError,
    PatientFileError,
    Problem,
    UnitError,
)
from crampdx.record.labs import IMPLAUSIBLE_ERROR, UNIT_ERROR
from crampdx.record.patient import Patient

__all__ = ["load_patient", "parse_patient", "patient_problems"]

_YAML_BOOL_HINT = " (YAML reads bare yes/no/on/off as true/false: quote the word, e.g. 'absent')"
# Error types where true/false most likely came from an unquoted YAML yes/no/on/off: a
# state such as ``babinski: no`` reaches an enum, ``fasciculations: no`` an Observation.
_BOOL_MISREAD_TYPES = {"enum", "literal_error", "model_type", "model_attributes_type"}


def patient_problems(error: ValidationError) -> tuple[Problem, ...]:
    """One :class:`Problem` per pydantic error, with the dotted field path."""
    problems: list[Problem] = []
    for item in error.errors(include_url=False):
        loc = item["loc"]
        # Unit and plausibility are checked on the whole lab result; name the field at fault.
        if item["type"] == UNIT_ERROR:
            loc = (*loc, "unit")
        elif item["type"] == IMPLAUSIBLE_ERROR:
            loc = (*loc, "value")
        location = ".".join(str(part) for part in loc)
        message = item["msg"]
        if isinstance(item.get("input"), bool) and item["type"] in _BOOL_MISREAD_TYPES:
            message += _YAML_BOOL_HINT
        code = {
            UNIT_ERROR: "CDX-P002",
            IMPLAUSIBLE_ERROR: "CDX-P003",
            "extra_forbidden": "CDX-P004",
            "missing": "CDX-P005",
            "value_error": "CDX-P006",
        }.get(item["type"], "CDX-P001")
        problems.append(Problem(code=code, message=message, field=location or None))
    return tuple(problems)


def parse_patient(data: Mapping[str, Any], *, source: str | None = None) -> Patient:
    """Validate a mapping as a :class:`Patient`, raising one error that lists every problem.

    Raises:
        UnitError: when the only problems are lab units.
        ImplausibleValueError: when the only problems are implausible lab values.
        InvalidPatientError: for any other mix of problems.
    """
    try:
        return Patient.model_validate(data)
    except ValidationError as error:
        problems = patient_problems(error)
        codes = {problem.code for problem in problems}
        cls: type[InvalidPatientError] = InvalidPatientError
        if codes == {"CDX-P002"}:
            cls = UnitError
        elif codes == {"CDX-P003"}:
            cls = ImplausibleValueError
        where = f" in {source}" if source else ""
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        raise cls(f"invalid patient record{where}: {count} {noun}", problems) from error


def load_patient(path: str | Path) -> Patient:
    """Read a patient record from a ``.json``, ``.yaml`` or ``.yml`` file.

    Raises:
        PatientFileError: the file is missing, unreadable, or not valid JSON/YAML.
        InvalidPatientError: the content is not a valid patient record.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise PatientFileError(f"cannot read patient file {file}: {error.strerror}") from error
    suffix = file.suffix.lower()
    try:
        if suffix == ".json":
            data = json.loads(text)
        elif suffix in {".yaml", ".yml"}:
            data = yaml.safe_load(text)
        else:
            raise PatientFileError(
                f"cannot tell the format of {file}: use a .json, .yaml or .yml file"
            )
    except json.JSONDecodeError as error:
        raise PatientFileError(
            f"{file}:{error.lineno}:{error.colno}: invalid JSON: {error.msg}",
            (
                Problem(
                    "CDX-F001", error.msg, path=str(file), line=error.lineno, column=error.colno
                ),
            ),
        ) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        column = None if mark is None else mark.column + 1
        reason = str(getattr(error, "problem", None) or error)
        raise PatientFileError(
            f"{file}:{line}:{column}: invalid YAML: {reason}",
            (Problem("CDX-F002", reason, path=str(file), line=line, column=column),),
        ) from error
    if not isinstance(data, dict):
        raise PatientFileError(
            f"{file}: a patient record must be a mapping at the top level, "
            f"not {type(data).__name__}"
        )
    return parse_patient(data, source=str(file))
