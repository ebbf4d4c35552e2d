"""The crampdx exception tree.

Every error crampdx raises on purpose derives from :class:`CrampdxError`::

    CrampdxError
    ├── InvalidPatientError (ValueError)      a patient record failed validation
    │   ├── UnitError                         unknown or wrong unit for an analyte
    │   └── ImplausibleValueError             value outside physiological limits
    ├── PatientFileError (ValueError)         a record file cannot be read or parsed
    ├── KnowledgeBaseError (ValueError)       the rules cannot be loaded or linted
    │   └── RuleFileError                     one or more problems, each with file:line:column
    ├── EngineError (RuntimeError)            a rule engine failed while evaluating a patient
    │   └── EngineUnavailableError            the requested engine cannot run here
    └── InteropError (ValueError)             FHIR / CDS Hooks input that cannot be mapped

Errors that describe several problems carry them as a tuple of :class:`Problem`
so callers can show every problem at once instead of the first one only.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CrampdxError",
    "EngineError",
    "EngineUnavailableError",
    "ImplausibleValueError",
    "InteropError",
    "InvalidPatientError",
    "KnowledgeBaseError",
    "PatientFileError",
    "Problem",
    "RuleFileError",
    "UnitError",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing that is wrong, located as precisely as the input allows.

    Attributes:
        code: a stable, documented error code (for example ``CDX-P001``).
        message: what is wrong, in words a clinician or developer can act on.
        field: dotted path of the offending field, when known.
        path: the file that holds the problem, when there is one.
        line: 1-based line in that file, when known.
        column: 1-based column in that file, when known.
        rule_id: the rule concerned, for knowledge-base problems.
    """

    code: str
    message: str
    field: str | None = None
    path: str | None = None
    line: int | None = None
    column: int | None = None
    rule_id: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        subject = f"{self.field}: " if self.field else ""
        rule = f" [{self.rule_id}]" if self.rule_id else ""
        return f"{where}{self.code} {subject}{self.message}{rule}"


class CrampdxError(Exception):
    """Root of every error crampdx raises on purpose."""

    def __init__(self, message: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [self.message, *(f"  - {problem}" for problem in self.problems)]
        return "\n".join(lines)

    def __reduce__(self) -> tuple[object, ...]:
        # Errors must survive pickling (multiprocessing workers, task queues).
        return (self.__class__, (self.message, self.problems))


class InvalidPatientError(CrampdxError, ValueError):
    """A patient record is invalid; ``problems`` lists every field at fault."""


class UnitError(InvalidPatientError):
    """A lab value has a unit crampdx does not know, or one that makes no sense for it."""


class ImplausibleValueError(InvalidPatientError):
    """A lab value lies outside the physiologically possible range for its analyte."""


class PatientFileError(CrampdxError, ValueError):
    """A patient record file cannot be read, or is not valid JSON or YAML."""


class KnowledgeBaseError(CrampdxError, ValueError):
    """The knowledge base cannot be loaded."""


class RuleFileError(KnowledgeBaseError):
    """Rule files hold problems; each :class:`Problem` names file, line, column and code."""


class EngineError(CrampdxError, RuntimeError):
    """A rule engine failed while evaluating one patient; other patients are unaffected."""


class EngineUnavailableError(EngineError):
    """The requested engine cannot run in this interpreter (e.g. durable_rules on 3.13)."""


class InteropError(CrampdxError, ValueError):
    """FHIR or CDS Hooks input that cannot be turned into a patient record."""
