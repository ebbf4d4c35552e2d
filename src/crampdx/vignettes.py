"""Published case vignettes: how well the differential and workup do on real cases.

Each vignette file (``tests/vignettes/<id>.yaml``) holds one published case: its
citation, the authors' final diagnosis, the crampdx cause ids that count as that
diagnosis, the catalogue ids of the tests that confirmed it, and the patient as
known at presentation. The report gives, per case and for the set, the rank of
the final diagnosis (first, within the top three) and whether a confirming test
is proposed in the workup::

    python -m crampdx.vignettes [--engine reference] [--dir tests/vignettes] [--json]

The figures measure the knowledge base against an external yardstick; they are
not a claim of diagnostic accuracy.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from crampdx.assessment.result import Assessment
from crampdx.errors import CrampdxError, PatientFileError
from crampdx.record.io import parse_patient
from crampdx.record.patient import Patient

if TYPE_CHECKING:
    from crampdx.engine.base import CompiledKnowledgeBase
    from crampdx.kb.load import KnowledgeBase

__all__ = [
    "DEFAULT_DIR",
    "Vignette",
    "VignetteReport",
    "VignetteResult",
    "format_report",
    "load_vignette",
    "load_vignettes",
    "main",
    "run_vignettes",
    "score_vignette",
]

DEFAULT_DIR = Path("tests") / "vignettes"
TOP = 3
_REQUIRED = ("id", "source", "final_diagnosis", "expected_causes", "confirming_tests", "patient")


@dataclass(frozen=True, slots=True)
class Vignette:
    """One published case, encoded as at presentation.

    Attributes:
        id: case identifier (also the file name).
        citation: full citation of the source.
        url: where the source can be read.
        final_diagnosis: the authors' confirmed diagnosis, in their words.
        expected_causes: crampdx cause ids that count as the final diagnosis.
        confirming_tests: workup catalogue ids of the tests that confirmed it (may be empty
            when the diagnosis was clinical).
        patient: the record built from presentation-time findings only.
        path: the file it was read from.
    """

    id: str
    citation: str
    url: str
    final_diagnosis: str
    expected_causes: tuple[str, ...]
    confirming_tests: tuple[str, ...]
    patient: Patient
    path: str


@dataclass(frozen=True, slots=True)
class VignetteResult:
    """How the assessment of one vignette did.

    Attributes:
        vignette: the case.
        rank: best rank of any expected cause in the differential; None when none is listed.
        matched_cause: the expected cause at that rank.
        top_causes: the first causes of the differential, for reading misses.
        confirming_proposed: confirming tests the workup proposes, including those it
            skips because the result is already recorded.
    """

    vignette: Vignette
    rank: int | None
    matched_cause: str | None
    top_causes: tuple[str, ...]
    confirming_proposed: tuple[str, ...]

    @property
    def first(self) -> bool:
        return self.rank == 1

    @property
    def in_top(self) -> bool:
        return self.rank is not None and self.rank <= TOP

    @property
    def has_confirming_tests(self) -> bool:
        return bool(self.vignette.confirming_tests)

    @property
    def confirming_in_workup(self) -> bool:
        return bool(self.confirming_proposed)


@dataclass(frozen=True, slots=True)
class VignetteReport:
    """Per-case results and the totals for the set."""

    results: tuple[VignetteResult, ...]
    engine: str

    @property
    def cases(self) -> int:
        return len(self.results)

    @property
    def first(self) -> int:
        return sum(result.first for result in self.results)

    @property
    def in_top(self) -> int:
        return sum(result.in_top for result in self.results)

    @property
    def with_confirming_tests(self) -> int:
        return sum(result.has_confirming_tests for result in self.results)

    @property
    def confirming_in_workup(self) -> int:
        return sum(
            result.confirming_in_workup for result in self.results if result.has_confirming_tests
        )

    def misses(self) -> tuple[VignetteResult, ...]:
        """Cases whose final diagnosis is not within the top three."""
        return tuple(result for result in self.results if not result.in_top)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary: totals and one row per case."""
        return {
            "engine": self.engine,
            "cases": self.cases,
            "rank_1": self.first,
            f"top_{TOP}": self.in_top,
            "cases_with_confirming_tests": self.with_confirming_tests,
            "confirming_test_in_workup": self.confirming_in_workup,
            "results": [
                {
                    "id": r.vignette.id,
                    "final_diagnosis": r.vignette.final_diagnosis,
                    "expected_causes": list(r.vignette.expected_causes),
                    "rank": r.rank,
                    "matched_cause": r.matched_cause,
                    "top_causes": list(r.top_causes),
                    "confirming_tests": list(r.vignette.confirming_tests),
                    "confirming_proposed": list(r.confirming_proposed),
                }
                for r in self.results
            ],
        }


def _strings(value: Any, key: str, path: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise PatientFileError(f"{path}: '{key}' must be a list of ids")
    return tuple(value)


def load_vignette(path: str | Path) -> Vignette:
    """Read one vignette file.

    Raises:
        PatientFileError: the file cannot be read, is not YAML, or lacks a required key.
        InvalidPatientError: its ``patient`` is not a valid record.
    """
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise PatientFileError(f"cannot read vignette {file}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise PatientFileError(f"{file}: invalid YAML: {error}") from error
    if not isinstance(data, dict):
        raise PatientFileError(f"{file}: a vignette must be a mapping at the top level")
    missing = [key for key in _REQUIRED if key not in data]
    if missing:
        raise PatientFileError(f"{file}: missing {', '.join(missing)}")
    source = data["source"]
    if not isinstance(source, dict) or not source.get("citation") or not source.get("url"):
        raise PatientFileError(f"{file}: 'source' needs a citation and a url")
    if not isinstance(data["patient"], dict):
        raise PatientFileError(f"{file}: 'patient' must be a mapping")
    return Vignette(
        id=str(data["id"]),
        citation=str(source["citation"]),
        url=str(source["url"]),
        final_diagnosis=str(data["final_diagnosis"]),
        expected_causes=_strings(data["expected_causes"], "expected_causes", file),
        confirming_tests=_strings(data["confirming_tests"], "confirming_tests", file),
        patient=parse_patient(data["patient"], source=f"{file} (patient)"),
        path=str(file),
    )


def load_vignettes(directory: str | Path = DEFAULT_DIR) -> tuple[Vignette, ...]:
    """Every ``*.yaml`` vignette in ``directory``, in file-name order.

    Raises:
        PatientFileError: the folder holds no vignette, or a file is unusable.
    """
    folder = Path(directory)
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise PatientFileError(f"no vignette files (*.yaml) in {folder}")
    return tuple(load_vignette(file) for file in files)


def score_vignette(vignette: Vignette, assessment: Assessment) -> VignetteResult:
    """Compare one assessment with the vignette's final diagnosis and confirming tests."""
    ranked = [
        (cause.rank, cause.id)
        for cause in assessment.differential
        if cause.id in vignette.expected_causes
    ]
    rank, matched = min(ranked) if ranked else (None, None)
    proposed = {item.test for item in assessment.workup}
    proposed |= {item.test for item in assessment.workup_skipped}
    return VignetteResult(
        vignette=vignette,
        rank=rank,
        matched_cause=matched,
        top_causes=tuple(cause.id for cause in assessment.differential[:TOP]),
        confirming_proposed=tuple(t for t in vignette.confirming_tests if t in proposed),
    )


def run_vignettes(
    vignettes: Iterable[Vignette],
    *,
    knowledge_base: KnowledgeBase | CompiledKnowledgeBase | None = None,
    engine: str | None = None,
) -> VignetteReport:
    """Assess every vignette and score it.

    Args:
        vignettes: the cases.
        knowledge_base: a ``KnowledgeBase`` or ``CompiledKnowledgeBase``; the shipped one
            by default.
        engine: engine name; the default engine by default.
    """
    from crampdx.assessment.assess import assess, compile_knowledge_base, default_knowledge_base

    compiled = (
        default_knowledge_base()
        if knowledge_base is None
        else compile_knowledge_base(knowledge_base)
    )
    results: list[VignetteResult] = []
    engine_name = engine or ""
    for vignette in vignettes:
        assessment = assess(vignette.patient, knowledge_base=compiled, engine=engine)
        engine_name = assessment.provenance.engine
        results.append(score_vignette(vignette, assessment))
    return VignetteReport(results=tuple(results), engine=engine_name)


def _percent(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "0/0"


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_report(report: VignetteReport) -> str:
    """The report as plain text: one line per case, the totals, then the misses."""
    lines = [
        f"Published case vignettes ({report.cases} cases, engine: {report.engine})",
        "",
        f"{'case':<6}{'final diagnosis':<46}{'rank':>5}  {'top 3':<6}confirming test in workup",
    ]
    for result in report.results:
        vignette = result.vignette
        rank = "-" if result.rank is None else str(result.rank)
        if not result.has_confirming_tests:
            confirming = "n/a (no confirming test reported)"
        elif result.confirming_proposed:
            confirming = "yes: " + ", ".join(result.confirming_proposed)
        else:
            confirming = "no (" + ", ".join(vignette.confirming_tests) + ")"
        lines.append(
            f"{vignette.id:<6}{_shorten(vignette.final_diagnosis, 44):<46}{rank:>5}  "
            f"{'yes' if result.in_top else 'no':<6}{confirming}"
        )
    lines += [
        "",
        f"Final diagnosis ranked 1st:       {_percent(report.first, report.cases)}",
        f"Final diagnosis in the top {TOP}:     {_percent(report.in_top, report.cases)}",
        "Confirming test in the workup:    "
        + _percent(report.confirming_in_workup, report.with_confirming_tests)
        + f" of the cases with a confirming test ({report.cases - report.with_confirming_tests}"
        " had none)",
    ]
    misses = report.misses()
    if misses:
        lines += ["", f"Not in the top {TOP}:"]
        for result in misses:
            where = "not listed" if result.rank is None else f"rank {result.rank}"
            lines.append(
                f"  {result.vignette.id}: expected {' or '.join(result.vignette.expected_causes)}"
                f" ({where}); top: {', '.join(result.top_causes) or 'none'}"
            )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the vignette report (text, or JSON with ``--json``)."""
    parser = argparse.ArgumentParser(
        prog="python -m crampdx.vignettes",
        description="Rank the final diagnosis of each published case vignette.",
    )
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="vignette folder")
    parser.add_argument("--engine", default=None, help="rule engine: durable or reference")
    parser.add_argument(
        "--rules", type=Path, action="append", default=[], help="extra rules folder (repeatable)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args(argv)
    try:
        knowledge_base = None
        if args.rules:
            from crampdx.kb.load import load_knowledge_base

            knowledge_base = load_knowledge_base(*args.rules, include_default=True)
        report = run_vignettes(
            load_vignettes(args.dir), knowledge_base=knowledge_base, engine=args.engine
        )
    except CrampdxError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(format_report(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
