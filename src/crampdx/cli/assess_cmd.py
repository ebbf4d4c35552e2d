"""``crampdx assess`` and ``crampdx explain``: one patient file in, an explained result out."""

from __future__ import annotations

import difflib
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from crampdx.assessment.explain import Truth, evidence_item, kleene
from crampdx.assessment.result import Assessment, EvidenceItem
from crampdx.cli.common import (
    EngineOpt,
    RulesOnlyOpt,
    RulesOpt,
    compiled_kb,
    load_patient_located,
    out,
    relocated,
)
from crampdx.engine.base import CompiledKnowledgeBase
from crampdx.errors import InvalidPatientError
from crampdx.facts import FactValue, patient_facts
from crampdx.kb.lint import vocabulary_for
from crampdx.record.patient import Patient
from crampdx.report import Format, render, render_table
from crampdx.report.common import citation_keys, finding_text
from crampdx.report.conditions import condition_text, effect_text, leaf_truths

__all__ = ["assess_command", "explain_command"]


class OutputFormat(StrEnum):
    """The formats of ``crampdx assess``."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    HTML = "html"


_FORMATS: dict[OutputFormat, Format] = {
    OutputFormat.TABLE: "table",
    OutputFormat.JSON: "json",
    OutputFormat.MARKDOWN: "markdown",
    OutputFormat.HTML: "html",
}

PatientArg = Annotated[
    Path,
    typer.Argument(
        metavar="PATIENT", help="Patient record file (.json, .yaml or .yml).", dir_okay=False
    ),
]


def _assess(
    patient: Patient, path: Path, compiled: CompiledKnowledgeBase, engine: str | None
) -> Assessment:
    from crampdx.assessment.assess import assess

    try:
        return assess(patient, knowledge_base=compiled, engine=engine)
    except InvalidPatientError as error:
        # Checks against the knowledge base (e.g. unknown test ids) also name the line.
        raise relocated(error, path) from None


def assess_command(
    patient: PatientArg,
    fmt: Annotated[
        OutputFormat,
        typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
    ] = OutputFormat.TABLE,
    engine: EngineOpt = None,
    rules: RulesOpt = None,
    rules_only: RulesOnlyOpt = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this file instead of stdout.", dir_okay=False
        ),
    ] = None,
) -> None:
    """Assess one patient: gate, differential, red flags, workup and next findings.

    Decision support, not a diagnosis: every item names the rules and sources it rests on.
    """
    record = load_patient_located(patient)  # input errors first, whatever the rules
    compiled = compiled_kb(rules, rules_only)
    assessment = _assess(record, patient, compiled, engine.value if engine else None)
    if output is not None:
        output.write_text(render(assessment, _FORMATS[fmt]), encoding="utf-8")
        return
    if fmt is OutputFormat.TABLE:
        out().print(render_table(assessment))
    else:
        out().file.write(render(assessment, _FORMATS[fmt]))


def _facts(patient: Patient, assessment: Assessment) -> dict[str, FactValue]:
    facts: dict[str, FactValue] = dict(patient_facts(patient))
    facts.update(dict.fromkeys(assessment.derived_findings, "present"))
    return facts


def _evidence_table(title: str, items: tuple[EvidenceItem, ...]) -> Table:
    table = Table(title=title, title_justify="left", expand=True, show_lines=True)
    for column in ("Rule", "Weight", "Findings on this patient", "Grade", "Sources"):
        table.add_column(column, overflow="fold")
    for item in items:
        sign = "−" if item.effect == "opposes" else "+"
        defining = "\ndefining criterion" if item.defining else ""
        table.add_row(
            f"{item.rule_id} v{item.rule_version}\n{item.title}",
            f"{sign}{item.weight:g}{defining}",
            "\n".join(finding_text(f) for f in item.findings),
            item.evidence_grade,
            citation_keys(item.citations),
        )
    return table


def explain_command(
    patient: PatientArg,
    cause: Annotated[str, typer.Argument(metavar="CAUSE", help="Cause id, e.g. hypokalaemia.")],
    engine: EngineOpt = None,
    rules: RulesOpt = None,
    rules_only: RulesOnlyOpt = False,
) -> None:
    """Explain why CAUSE has its rank for PATIENT: every rule, finding, value and source.

    Rules that fired, rules whose condition is false, and rules still waiting on
    findings that are not recorded (unknown never counts against a cause).
    """
    record = load_patient_located(patient)
    compiled = compiled_kb(rules, rules_only)
    kb = compiled.kb
    if cause not in kb.causes:
        close = difflib.get_close_matches(cause, kb.causes, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see crampdx rules show"
        raise typer.BadParameter(f"unknown cause '{cause}'{hint}", param_hint="CAUSE")
    assessment = _assess(record, patient, compiled, engine.value if engine else None)
    facts = _facts(record, assessment)
    definition = kb.causes[cause]
    console = out()
    ranked = assessment.cause(cause)
    console.print(Text(f"{definition.name} ({cause})", style="bold"))
    console.print(Text(assessment.disclaimer, style="italic dim"))
    fired_ids: set[str] = set()
    if ranked is None:
        console.print(
            Text(
                f"Not in the differential: no rule supporting {cause} fired "
                f"(prior {definition.prior:+g} log-odds).",
                style="yellow",
            )
        )
    else:
        supports = sum(e.weight for e in ranked.supporting)
        opposes = sum(e.weight for e in ranked.conflicting)
        console.print(
            f"Rank {ranked.rank} of {len(assessment.differential)}: score {ranked.score:+.2f} = "
            f"prior {definition.prior:+g} + supporting {supports:g} − conflicting {opposes:g}; "
            f"band {ranked.band}, {ranked.status}; urgency if leading {ranked.urgency}."
        )
        if ranked.rank > 1:
            leader = assessment.differential[0]
            console.print(f"Ranked first: {leader.name} ({leader.id}), score {leader.score:+.2f}.")
        if ranked.acts_through:
            console.print(f"Acts through: {', '.join(ranked.acts_through)}.")
        if ranked.explained_by:
            console.print(f"May be explained by: {', '.join(ranked.explained_by)}.")
        for title, items in (
            ("Supporting", ranked.supporting),
            ("Conflicting", ranked.conflicting),
        ):
            if items:
                console.print(_evidence_table(title, items))
                fired_ids.update(item.rule_id for item in items)
    vocabulary = vocabulary_for(kb)
    truths = kleene(compiled, facts)
    pending = Table(
        title="Not yet known (would change the score once recorded)",
        title_justify="left",
        expand=True,
        show_lines=True,
    )
    idle = Table(
        title="Rules that do not apply to this patient (condition false)",
        title_justify="left",
        expand=True,
        show_lines=True,
    )
    for table in (pending, idle):
        for column in ("Rule", "Effect", "Findings", "Grade / sources"):
            table.add_column(column, overflow="fold")
    unlisted_fired: list[EvidenceItem] = []
    for compiled_rule in compiled.rules_for_cause.get(cause, ()):
        rule = compiled_rule.rule
        truth = truths[rule.id]
        if rule.id in fired_ids:
            continue
        if truth.truth is Truth.TRUE:
            unlisted_fired.append(evidence_item(compiled, compiled_rule, facts))
            continue
        sources = f"{rule.evidence.value}; {'; '.join(c.key for c in rule.citations)}"
        effect = f"{rule.title or rule.id}\n{effect_text(rule.then)}"
        if truth.truth is Truth.UNKNOWN:
            questions = "\n".join(
                f"{name}: {vocabulary[name].question}" if name in vocabulary else name
                for name in truth.missing
            )
            pending.add_row(rule.id, effect, questions, sources)
        else:
            values = "\n".join(
                f"{t.leaf.finding} = {'not recorded' if t.value is None else repr(t.value)}"
                for t in leaf_truths(rule.when, facts)
            )
            idle.add_row(
                rule.id, effect, f"{condition_text(rule.when)}\non patient: {values}", sources
            )
    if unlisted_fired:
        console.print(
            _evidence_table(
                "Fired, but the cause is not listed (nothing supports it)", tuple(unlisted_fired)
            )
        )
    for table in (pending, idle):
        if table.row_count:
            console.print(table)
    if definition.confirm_with:
        console.print(f"Confirm or exclude with: {', '.join(definition.confirm_with)}.")
    refs = [
        f"  {c.key}: {kb.references[c.key].citation}"
        for c in definition.citations
        if c.key in kb.references
    ]
    console.print(Text("\n".join([f"Sources for {cause}:", *refs]), style="dim"))
