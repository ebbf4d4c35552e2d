"""Shared pieces of the command line: exit codes, options, consoles and located input errors."""

from __future__ import annotations

import dataclasses
import os
import sys
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console

from crampdx.engine.base import CompiledKnowledgeBase
from crampdx.errors import (
    CrampdxError,
    EngineError,
    EngineUnavailableError,
    InteropError,
    InvalidPatientError,
    KnowledgeBaseError,
    PatientFileError,
    Problem,
)
from crampdx.kb.load import KnowledgeBase, load_knowledge_base
from crampdx.record.io import load_patient
from crampdx.record.patient import Patient
from crampdx.yamlpos import locate, parse
from crampdx.yamlpos import positions as yaml_positions

__all__ = [
    "EngineChoice",
    "EngineOpt",
    "ExitCode",
    "RulesOnlyOpt",
    "RulesOpt",
    "exit_code_for",
    "load_kb",
    "load_patient_located",
    "out",
    "print_error",
]


class ExitCode(IntEnum):
    """Stable exit codes of the ``crampdx`` command (documented in docs/errors.md)."""

    OK = 0
    USAGE = 2  # bad options or arguments (click's own code)
    INVALID_INPUT = 3  # the patient file or record is invalid
    KNOWLEDGE_BASE = 4  # rules cannot be loaded, fail lint, or fail their tests
    ENGINE_UNAVAILABLE = 5  # the requested engine cannot run here
    INTERNAL = 70  # a bug in crampdx (EX_SOFTWARE)


class EngineChoice(StrEnum):
    DURABLE = "durable"
    REFERENCE = "reference"


RulesOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--rules",
        metavar="DIR",
        help="Extra rules folder, loaded beside the shipped rules (repeatable).",
        file_okay=False,
    ),
]
RulesOnlyOpt = Annotated[
    bool,
    typer.Option("--rules-only", help="Use only the --rules folders, not the shipped rules."),
]
EngineOpt = Annotated[
    EngineChoice | None,
    typer.Option(
        "--engine",
        "-e",
        help="Rule engine (default: durable where it runs, else reference).",
        case_sensitive=False,
    ),
]


def _console(stream: Any) -> Console:
    # Piped output gets a readable fixed width instead of rich's 80-column fallback.
    width = None if stream.isatty() or "COLUMNS" in os.environ else 110
    return Console(file=stream, width=width, markup=False, highlight=False)


def out() -> Console:
    """The console for results (stdout)."""
    return _console(sys.stdout)


def exit_code_for(error: CrampdxError) -> ExitCode:
    """The exit code that tells a script what kind of error happened."""
    if isinstance(error, InvalidPatientError | PatientFileError | InteropError):
        return ExitCode.INVALID_INPUT
    if isinstance(error, KnowledgeBaseError):
        return ExitCode.KNOWLEDGE_BASE
    if isinstance(error, EngineUnavailableError):
        return ExitCode.ENGINE_UNAVAILABLE
    if isinstance(error, EngineError):
        return ExitCode.INTERNAL
    return ExitCode.INTERNAL


def print_error(error: CrampdxError) -> None:
    """The message and every problem on stderr, one per line, no traceback."""
    lines = [f"crampdx: error: {error.message}"]
    lines += [f"  {problem}" for problem in error.problems]
    sys.stderr.write("\n".join(lines) + "\n")


def load_kb(rules: list[Path] | None, rules_only: bool) -> KnowledgeBase | None:
    """The knowledge base the options ask for; ``None`` means the shipped one.

    Raises:
        typer.BadParameter: ``--rules-only`` without ``--rules``.
        RuleFileError: the rules have problems (every one is listed).
    """
    if rules_only and not rules:
        raise typer.BadParameter(
            "--rules-only needs at least one --rules DIR", param_hint="--rules-only"
        )
    if not rules:
        return None
    return load_knowledge_base(*rules, include_default=not rules_only)


def compiled_kb(rules: list[Path] | None, rules_only: bool) -> CompiledKnowledgeBase:
    """The compiled knowledge base the options ask for (shipped one cached per process)."""
    kb = load_kb(rules, rules_only)
    if kb is None:
        from crampdx.assessment.assess import default_knowledge_base

        return default_knowledge_base()
    return CompiledKnowledgeBase(kb)


def locate_problems(path: Path, problems: tuple[Problem, ...]) -> tuple[Problem, ...]:
    """Add file, line and column to record problems that only name a field.

    JSON is read as YAML for this purpose (it is a subset), so both formats locate.
    """
    try:
        node, _ = parse(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        node = None
    known = yaml_positions(node)
    located = []
    for problem in problems:
        found = locate(problem.field.split("."), known) if problem.field else None
        line, column = found or (None, None)
        located.append(
            dataclasses.replace(
                problem,
                path=problem.path or str(path),
                line=problem.line or line,
                column=problem.column or column,
            )
        )
    return tuple(located)


def relocated(error: InvalidPatientError, path: Path) -> InvalidPatientError:
    """The same error, its problems located in ``path``."""
    return type(error)(error.message, locate_problems(path, error.problems))


def load_patient_located(path: Path) -> Patient:
    """Load a record; validation problems name file, line, column and field.

    Raises:
        PatientFileError: unreadable file, or not JSON/YAML.
        InvalidPatientError: the record does not follow the schema.
    """
    try:
        return load_patient(path)
    except InvalidPatientError as error:
        raise relocated(error, path) from None
