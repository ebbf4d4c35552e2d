"""Case files: whole-patient scenarios with the assessment they must produce.

A case file (``tests/cases/<category>/<cause>.yaml``) holds realistic patients
for one cause and what the assessment must show for each::

    cause: hypokalaemia
    cases:
      - name: thiazide user with low potassium and weakness
        citation: RCEM
        patient: {age_years: 67, labs: [{analyte: potassium, value: 2.9, unit: mmol/L}]}
        expect: {top: hypokalaemia, workup_includes: [ecg]}

The same runner serves the pytest plugin, ``crampdx rules test`` and the
examples, so a case behaves identically wherever it runs. Ids in expectations
are checked against the knowledge base: a misspelt cause in ``absent`` would
otherwise pass for ever.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from crampdx.errors import CrampdxError, Problem, RuleFileError
from crampdx.record.io import parse_patient
from crampdx.testing.assertions import (
    check_absent,
    check_in_workup,
    check_no_red_flags,
    check_no_tests,
    check_not_in_workup,
    check_ranks_top,
    check_red_flag,
    check_tests_expected,
    describe_assessment,
)
from crampdx.yamlpos import locate, parse
from crampdx.yamlpos import positions as yaml_positions

if TYPE_CHECKING:
    from crampdx.assessment.result import Assessment
    from crampdx.engine.base import CompiledKnowledgeBase, Engine
    from crampdx.kb.cases import InlineResult
    from crampdx.kb.load import KnowledgeBase

__all__ = [
    "Case",
    "CaseFile",
    "CaseResult",
    "Expect",
    "LocatedCase",
    "case_files",
    "check_case_ids",
    "evaluate_expectations",
    "explain_inline",
    "load_case_file",
    "run_case",
]

UrgencyName = Literal["EMERG", "URGENT", "SOON", "ROUTINE"]
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Expect(BaseModel):
    """What the assessment of a case must show. Every key given is checked."""

    model_config = _FROZEN

    top: str | None = Field(default=None, description="This cause ranks first.")
    top_n: dict[str, int] = Field(
        default_factory=dict, description="Each cause ranks at or above the given position."
    )
    absent: tuple[str, ...] = Field(default=(), description="These causes are not listed.")
    red_flags: dict[str, UrgencyName | None] = Field(
        default_factory=dict,
        description="These red flags are raised, each with the given urgency (null: any).",
    )
    no_red_flags: bool = Field(default=False, description="No red flag is raised.")
    workup_includes: tuple[str, ...] = Field(default=(), description="Tests in the workup.")
    workup_excludes: tuple[str, ...] = Field(default=(), description="Tests not in the workup.")
    no_tests: bool | None = Field(
        default=None,
        description="true: the assessment says no tests are needed; false: it does not.",
    )

    @model_validator(mode="before")
    @classmethod
    def _red_flag_list(cls, data: Any) -> Any:
        # ``red_flags: [flag]`` is shorthand for "raised, whatever the urgency".
        if isinstance(data, dict) and isinstance(data.get("red_flags"), list):
            return {**data, "red_flags": dict.fromkeys(data["red_flags"])}
        return data

    @model_validator(mode="after")
    def _checks_something(self) -> Self:
        if not self.model_dump(exclude_defaults=True):
            raise ValueError("expect must state at least one expectation")
        if any(position < 1 for position in self.top_n.values()):
            raise ValueError("top_n positions start at 1")
        if self.no_red_flags and self.red_flags:
            raise ValueError("no_red_flags contradicts red_flags")
        return self

    def cause_ids(self) -> tuple[str, ...]:
        """Every cause id the expectations name."""
        named = [self.top] if self.top else []
        return (*named, *self.top_n, *self.absent)

    def test_ids(self) -> tuple[str, ...]:
        """Every workup test id the expectations name."""
        return (*self.workup_includes, *self.workup_excludes)


class Case(BaseModel):
    """One scenario: a (partial) patient record and what its assessment must show."""

    model_config = _FROZEN

    name: str = Field(min_length=1, description="Unique within the file; names the test.")
    citation: str = Field(min_length=1, description="Reference key the scenario follows.")
    patient: dict[str, Any] = Field(description="A patient record (the Patient schema).")
    expect: Expect


class CaseFile(BaseModel):
    """The content of one case file."""

    model_config = _FROZEN

    cause: str = Field(min_length=1, description="The cause these cases are about.")
    cases: tuple[Case, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> Self:
        names = [case.name for case in self.cases]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"case names must be unique; repeated: {duplicates}")
        return self


@dataclass(frozen=True, slots=True)
class LocatedCase:
    """A case with the file and line it comes from."""

    case: Case
    cause: str
    path: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def load_case_file(path: str | Path) -> list[LocatedCase]:
    """Read and validate one case file.

    Raises:
        RuleFileError: the file cannot be read, is not YAML, or does not follow the
            case-file schema; every problem names file, line and field.
    """
    file = Path(path)
    shown = str(path)
    try:
        text = file.read_text(encoding="utf-8")
        node, data = parse(text)
    except OSError as error:
        problem = Problem("CDX-C001", f"cannot read case file: {error.strerror}", path=shown)
        raise RuleFileError(f"cannot read case file {shown}", (problem,)) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = Problem(
            "CDX-C001",
            f"YAML syntax: {getattr(error, 'problem', None) or error}",
            path=shown,
            line=None if mark is None else mark.line + 1,
            column=None if mark is None else mark.column + 1,
        )
        raise RuleFileError(f"case file {shown} is not valid YAML", (problem,)) from error
    positions = yaml_positions(node)
    try:
        parsed = CaseFile.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors(include_url=False):
            loc = tuple(item["loc"])
            line, column = locate(loc, positions) or (1, 1)
            dotted = ".".join(str(part) for part in loc)
            problems.append(
                Problem(
                    "CDX-C002",
                    item["msg"],
                    field=dotted or None,
                    path=shown,
                    line=line,
                    column=column,
                )
            )
        count = len(problems)
        raise RuleFileError(
            f"case file {shown} has {count} problem{'s' if count != 1 else ''}", tuple(problems)
        ) from error
    return [
        LocatedCase(case, parsed.cause, shown, positions.get(("cases", index), (1, 1))[0])
        for index, case in enumerate(parsed.cases)
    ]


def case_files(folder: str | Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` file under ``folder``, in a stable order."""
    root = Path(folder)
    return sorted(p for p in root.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())


def check_case_ids(located: LocatedCase, kb: KnowledgeBase) -> list[str]:
    """Names in the case that the knowledge base does not define (typos pass silently)."""
    case, expect = located.case, located.case.expect
    unknown: list[str] = []
    if located.cause not in kb.causes:
        unknown.append(f"file cause '{located.cause}' is not a cause in the knowledge base")
    if case.citation not in kb.references:
        unknown.append(f"citation '{case.citation}' is not a key in any references section")
    unknown += [f"unknown cause '{c}'" for c in expect.cause_ids() if c not in kb.causes]
    unknown += [f"unknown red flag '{f}'" for f in expect.red_flags if f not in kb.red_flags]
    unknown += [f"unknown workup test '{t}'" for t in expect.test_ids() if t not in kb.catalogue]
    return unknown


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one case: which expectations failed, and the assessment they saw."""

    located: LocatedCase
    engine: str
    failures: tuple[str, ...]
    assessment: Assessment | None = None
    focus: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return not self.failures

    def explain(self) -> str:
        """A failure report readable without a debugger."""
        case = self.located.case
        lines = [
            f"case '{case.name}' ({self.located.where}, cause {self.located.cause}, "
            f"citation {case.citation}, engine {self.engine})",
            f"  expected: {_expected_text(case.expect)}",
        ]
        lines += [f"  FAILED: {failure}" for failure in self.failures]
        if self.assessment is not None:
            lines.append(describe_assessment(self.assessment, focus=self.focus))
        return "\n".join(lines)


def _expected_text(expect: Expect) -> str:
    shown = expect.model_dump(mode="json", exclude_defaults=True)
    return ", ".join(f"{key}={value}" for key, value in shown.items())


def evaluate_expectations(expect: Expect, assessment: Assessment) -> list[str]:
    """Every expectation the assessment does not meet, each as one readable sentence."""
    failures: list[str | None] = []
    if expect.top is not None:
        failures.append(check_ranks_top(assessment, expect.top, 1))
    failures += [check_ranks_top(assessment, cause, n) for cause, n in expect.top_n.items()]
    failures += [check_absent(assessment, cause) for cause in expect.absent]
    failures += [check_red_flag(assessment, flag, u) for flag, u in expect.red_flags.items()]
    if expect.no_red_flags:
        failures.append(check_no_red_flags(assessment))
    failures += [check_in_workup(assessment, test) for test in expect.workup_includes]
    failures += [check_not_in_workup(assessment, test) for test in expect.workup_excludes]
    if expect.no_tests is True:
        failures.append(check_no_tests(assessment))
    elif expect.no_tests is False:
        failures.append(check_tests_expected(assessment))
    return [failure for failure in failures if failure is not None]


def run_case(
    located: LocatedCase,
    compiled: CompiledKnowledgeBase,
    engine: Engine | str | None = None,
) -> CaseResult:
    """Assess the case's patient and check every expectation.

    Problems with the case itself (unknown ids, an invalid patient) are reported as
    failures that name file and line, not raised, so one bad case never hides others.
    """
    from crampdx.assessment.assess import assess
    from crampdx.engine.base import get_engine

    engine_impl = (
        engine
        if engine is not None and not isinstance(engine, str)
        else (get_engine(compiled, engine))
    )
    name = engine_impl.name
    focus = located.case.expect.cause_ids()
    unknown = check_case_ids(located, compiled.kb)
    if unknown:
        return CaseResult(located, name, tuple(f"{located.where}: {u}" for u in unknown))
    try:
        patient = parse_patient(located.case.patient, source=located.where)
    except CrampdxError as error:
        return CaseResult(located, name, (f"the case's patient is invalid: {error}",))
    assessment = assess(patient, knowledge_base=compiled, engine=engine_impl)
    failures = evaluate_expectations(located.case.expect, assessment)
    return CaseResult(located, name, tuple(failures), assessment, focus)


def explain_inline(result: InlineResult, compiled: CompiledKnowledgeBase, engine: str) -> str:
    """Why an inline rule case failed: the rule, its condition leaf by leaf, the facts."""
    from crampdx.report.conditions import (
        condition_text,
        effect_text,
        evaluate_condition,
        leaf_truths,
    )

    case, rule = result.case, result.case.rule
    origin = compiled.kb.origins.get(f"rule:{rule.id}")
    where = f" ({origin.path}:{origin.line})" if origin else ""
    expected = "FIRE" if case.kind == "fires" else "NOT FIRE"
    happened = "it did not fire" if case.kind == "fires" else "it fired"
    facts: dict[str, float | str] = dict(result.facts)
    facts.update(dict.fromkeys(result.derived, "present"))
    truth = {True: "TRUE", False: "FALSE", None: "UNKNOWN"}[evaluate_condition(rule.when, facts)]
    lines = [
        f"rule {rule.id}{where} was expected to {expected} on tests.{case.kind}[{case.index}] "
        f"(engine {engine}), but {happened}.",
        f"  title:   {rule.title or '-'}",
        f"  effect:  {effect_text(rule.then)}",
        f"  patient: {case.snippet}",
        "  condition:",
        condition_text(rule.when, indent=2),
        f"  condition on this patient: {truth} (a rule fires only when TRUE)",
    ]
    for item in leaf_truths(rule.when, facts):
        value = "not recorded" if item.value is None else repr(item.value)
        state = {True: "true", False: "false", None: "unknown"}[item.truth]
        lines.append(f"    {item.leaf.finding} = {value} -> {state}")
    shown = ", ".join(f"{k}={v!r}" for k, v in result.facts.items()) or "none"
    lines.append(f"  patient facts: {shown}")
    lines.append(f"  derived: {', '.join(result.derived) or 'none'}")
    lines.append(f"  rules fired: {', '.join(result.fired) or 'none'}")
    return "\n".join(lines)
