"""The terminal view of an assessment (rich tables), also used by the examples."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from crampdx.assessment.result import Assessment, RankedCause
from crampdx.report.common import (
    citation_keys,
    evidence_line,
    finding_text,
    gate_text,
    pending_line,
    provenance_text,
    references,
)

__all__ = ["URGENCY_STYLE", "render_table", "table_text"]

URGENCY_STYLE = {
    "EMERG": "bold white on red",
    "URGENT": "bold red",
    "SOON": "bold yellow",
    "ROUTINE": "green",
}
_MAX_PENDING = 3  # rules not yet known shown per cause; the explain command shows all


def _urgency(level: str) -> Text:
    return Text(level, style=URGENCY_STYLE.get(level, ""))


def _heading(title: str) -> Text:
    return Text(f"\n{title}", style="bold underline")


def _header(assessment: Assessment) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    if assessment.patient_id:
        grid.add_row("Patient", assessment.patient_id)
    gate = assessment.gate
    gate_line = Text(gate_text(gate), style="" if gate.true_cramp else "bold magenta")
    grid.add_row("Gate", gate_line)
    if not gate.true_cramp:
        grid.add_row("", Text(gate.description, style="italic"))
    grid.add_row("Overall urgency", _urgency(assessment.urgency))
    return grid


def _red_flags(assessment: Assessment) -> RenderableType:
    if not assessment.red_flags:
        return Text("No red flags raised.", style="green")
    table = Table(box=box.SIMPLE_HEAD, show_lines=False, expand=True)
    for column in ("Urgency", "Red flag", "Action", "Because", "Rule / sources"):
        table.add_column(column)
    for flag in assessment.red_flags:
        trigger = "; ".join(finding_text(f) for f in flag.trigger)
        table.add_row(
            _urgency(flag.urgency),
            flag.name,
            flag.action,
            trigger,
            f"{flag.rule_id} (grade {flag.evidence_grade}); {citation_keys(flag.citations)}",
        )
    return table


def _evidence(cause: RankedCause) -> Text:
    text = Text()
    for item in cause.supporting:
        text.append(evidence_line(item) + "\n", style="green")
    for item in cause.conflicting:
        text.append(evidence_line(item) + "\n", style="red")
    for pending in cause.not_yet_known[:_MAX_PENDING]:
        text.append(pending_line(pending) + "\n", style="dim")
    hidden = len(cause.not_yet_known) - _MAX_PENDING
    if hidden > 0:
        text.append(f"… {hidden} more not yet known (crampdx explain)\n", style="dim")
    if cause.acts_through:
        text.append(f"acts through: {', '.join(cause.acts_through)}\n", style="cyan")
    if cause.explained_by:
        text.append(f"may be explained by: {', '.join(cause.explained_by)}\n", style="cyan")
    text.rstrip()
    return text


def _differential(assessment: Assessment) -> RenderableType:
    if not assessment.differential:
        return Text("No cause is supported by the recorded findings.")
    table = Table(box=box.SIMPLE_HEAD, show_lines=True, expand=True)
    # Bounded columns keep the evidence readable on an 80-120 column terminal.
    table.add_column("#", justify="right", width=3)
    table.add_column("Cause", ratio=2, max_width=30)
    table.add_column("Likelihood", ratio=1, max_width=20)
    table.add_column("Evidence (+ supporting, − conflicting, grey: not yet known)", ratio=5)
    for cause in assessment.differential:
        mimic = "\nmimic of cramp" if cause.mimic else ""
        table.add_row(
            str(cause.rank),
            Text(f"{cause.name}\n", style="bold").append(f"{cause.id}{mimic}", style="dim"),
            Text(f"{cause.band}, {cause.status}\nscore {cause.score:+.2f}\n").append_text(
                _urgency(cause.urgency)
            ),
            _evidence(cause),
        )
    return table


def _workup(assessment: Assessment) -> RenderableType:
    reason = assessment.no_tests_reason
    if not assessment.workup:
        return Text(f"No tests: {reason or 'no rule asks for a test'}", style="green")
    table = Table(box=box.SIMPLE_HEAD, expand=True)
    for column in ("#", "Test", "Tier", "Urgency", "Why", "Rules / sources"):
        table.add_column(column)
    for item in assessment.workup:
        why = "\n".join(item.reasons)
        if item.distinguishes:
            why += f"\ndistinguishes: {', '.join(item.distinguishes)}"
        if item.after:
            why += f"\nafter: {', '.join(item.after)}"
        table.add_row(
            str(item.order),
            Text(f"{item.name}\n").append(item.test, style="dim"),
            str(item.tier),
            _urgency(item.urgency),
            why,
            f"{', '.join(item.rule_ids)}\n{citation_keys(item.citations)}".strip(),
        )
    if reason:
        return Group(Text(f"No tests needed: {reason}", style="green"), table)
    return table


def _skipped(assessment: Assessment) -> RenderableType | None:
    if not assessment.workup_skipped:
        return None
    lines = [f"{s.name} ({s.test}): {s.reason}" for s in assessment.workup_skipped]
    return Text("Not repeated: " + "; ".join(lines), style="dim")


def _next_findings(assessment: Assessment) -> RenderableType:
    if not assessment.next_findings:
        return Text("None proposed.")
    table = Table(box=box.SIMPLE_HEAD, expand=True)
    for column in ("Ask or examine", "Finding", "Impact", "If present", "If absent"):
        table.add_column(column)
    for item in assessment.next_findings:
        table.add_row(
            item.question, item.finding, f"{item.impact:.2f}", item.if_present, item.if_absent
        )
    return table


def _management(assessment: Assessment) -> RenderableType:
    if not assessment.management:
        return Text("None.")
    table = Table(box=box.SIMPLE_HEAD, expand=True)
    for column in ("Note", "Level", "Rule / sources"):
        table.add_column(column)
    for note in assessment.management:
        table.add_row(note.text, note.level, f"{note.rule_id}; {citation_keys(note.citations)}")
    return table


def render_table(assessment: Assessment) -> Group:
    """The whole assessment as one rich renderable, in reading order."""
    parts: list[RenderableType] = [
        Panel(
            Text(assessment.disclaimer, style="italic"),
            title="Decision support",
            border_style="blue",
        ),
        _header(assessment),
        _heading("Red flags"),
        _red_flags(assessment),
        _heading("Differential"),
        _differential(assessment),
        _heading("Workup, in order"),
        _workup(assessment),
    ]
    skipped = _skipped(assessment)
    if skipped is not None:
        parts.append(skipped)
    parts += [
        _heading("Next findings worth collecting"),
        _next_findings(assessment),
        _heading("Management notes"),
        _management(assessment),
    ]
    if assessment.unmapped_medications:
        names = ", ".join(m.name for m in assessment.unmapped_medications)
        parts.append(
            Text(f"\nMedications not recognised (review by hand): {names}", style="bold yellow")
        )
    sources = references(assessment)
    if sources:
        parts.append(_heading("Sources"))
        parts.append(Text("\n".join(f"{c.key}: {c.citation}" for c in sources), style="dim"))
    parts.append(Text(f"\n{provenance_text(assessment.provenance)}", style="dim"))
    return Group(*parts)


def table_text(assessment: Assessment, width: int = 110) -> str:
    """The terminal view as plain text (no colour), e.g. for scripts and logs."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    console.print(render_table(assessment))
    return buffer.getvalue()
