"""``crampdx rules lint|test|show``: check, test and read the knowledge base."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from crampdx.cli.common import EngineOpt, ExitCode, RulesOnlyOpt, RulesOpt, compiled_kb, out
from crampdx.engine.base import available_engines
from crampdx.errors import CrampdxError
from crampdx.kb.model import Opposes, Supports
from crampdx.report.conditions import condition_text, effect_text

__all__ = ["rules_app"]

rules_app = typer.Typer(
    help="Check, test and read the knowledge base (the rules/ folder).",
    no_args_is_help=True,
)


@rules_app.command("lint")
def lint_command(rules: RulesOpt = None, rules_only: RulesOnlyOpt = False) -> None:
    """Load and lint the rules; every problem is listed with file:line:column and code."""
    compiled = compiled_kb(rules, rules_only)
    kb = compiled.kb
    out().print(
        f"ok: {len(kb.rules)} rules, {len(kb.causes)} causes, {len(kb.catalogue)} tests, "
        f"{len(kb.red_flags)} red flags, {len(kb.references)} references "
        f"(knowledge base {kb.version}, sha256 {kb.content_hash[:12]})"
    )


@rules_app.command("test")
def run_tests_command(
    rules: RulesOpt = None,
    rules_only: RulesOnlyOpt = False,
    cases: Annotated[
        Path | None,
        typer.Option(
            "--cases",
            metavar="DIR",
            file_okay=False,
            exists=True,
            help="Case-file folder [default: tests/cases, when it exists].",
        ),
    ] = None,
    engine: EngineOpt = None,
) -> None:
    """Run every rule's inline cases (on each engine) and every case file.

    Exits with 4 when any case fails, listing each failure readably.
    """
    from crampdx.kb.cases import inline_cases, run_inline_case
    from crampdx.testing.cases import case_files, explain_inline, load_case_file, run_case

    compiled = compiled_kb(rules, rules_only)
    engines = [engine.value] if engine else list(available_engines())
    failures: list[str] = []
    inline_total = 0
    for name in engines:
        runner = compiled.engine(name)
        for case in inline_cases(compiled):
            inline_total += 1
            result = run_inline_case(case, runner)
            if not result.passed:
                failures.append(explain_inline(result, compiled, name))
    console = out()
    console.print(
        f"inline rule cases: {inline_total - len(failures)} of {inline_total} passed "
        f"(engines: {', '.join(engines)})"
    )
    folder = cases if cases is not None else Path("tests/cases")
    if not folder.is_dir():
        console.print(f"case files: none ({folder} does not exist)")
    else:
        case_total = case_failed = 0
        for path in case_files(folder):
            try:
                located = load_case_file(path)
            except CrampdxError as error:
                case_failed += 1
                failures.append(str(error))
                continue
            for item in located:
                case_total += 1
                outcome = run_case(item, compiled, engines[0])
                if not outcome.passed:
                    case_failed += 1
                    failures.append(outcome.explain())
        console.print(
            f"case files: {case_total - case_failed} of {case_total} cases passed "
            f"in {folder} (engine {engines[0]})"
        )
    if failures:
        sys.stderr.write("\n\n".join(failures) + "\n")
        sys.stderr.write(f"crampdx: error: {len(failures)} failing case(s)\n")
        raise typer.Exit(ExitCode.KNOWLEDGE_BASE)


@rules_app.command("show")
def show_command(
    cause: Annotated[
        str | None, typer.Argument(metavar="[CAUSE]", help="A cause id; omit to list causes.")
    ] = None,
    rules: RulesOpt = None,
    rules_only: RulesOnlyOpt = False,
) -> None:
    """List the causes, or show one cause with every rule about it, in words."""
    compiled = compiled_kb(rules, rules_only)
    kb = compiled.kb
    console = out()
    if cause is None:
        table = Table(title=f"{len(kb.causes)} causes", title_justify="left")
        for column in ("Cause", "Name", "Category", "Prior", "Urgency", "Rules"):
            table.add_column(column)
        for item in sorted(kb.causes.values(), key=lambda c: (c.category, c.id)):
            count = len(compiled.rules_for_cause.get(item.id, ()))
            name = f"{item.name} (mimic)" if item.mimic else item.name
            table.add_row(item.id, name, item.category, f"{item.prior:g}", item.urgency, str(count))
        console.print(table)
        return
    if cause not in kb.causes:
        close = difflib.get_close_matches(cause, kb.causes, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise typer.BadParameter(f"unknown cause '{cause}'{hint}", param_hint="CAUSE")
    item = kb.causes[cause]
    origin = kb.origins.get(f"cause:{cause}")
    console.print(Text(f"{item.name} ({item.id}) v{item.version}", style="bold"))
    if origin is not None:
        console.print(f"file: {origin.path}:{origin.line}")
    codes = {k: v for k, v in item.codes.model_dump().items() if v}
    console.print(
        f"category {item.category}; prior {item.prior:+g} log-odds; urgency "
        f"{item.urgency}{'; mimic of cramp' if item.mimic else ''}; codes {codes}"
    )
    console.print(Text(item.rationale, style="italic"))
    console.print(
        f"confirm with: {', '.join(item.confirm_with) or '-'}; "
        f"acts through: {', '.join(item.mechanisms) or '-'}"
    )
    console.print(f"sources: {'; '.join(c.key for c in item.citations)}")
    related = [r for r in kb.rules if r.id.startswith(f"{cause}.")]
    related += [
        r
        for r in kb.rules
        if not r.id.startswith(f"{cause}.")
        and isinstance(r.then, Supports | Opposes)
        and cause in (getattr(r.then, "supports", None), getattr(r.then, "opposes", None))
    ]
    table = Table(expand=True, show_lines=True)
    for column in ("Rule", "When", "Then", "Grade / sources", "Tests"):
        table.add_column(column, overflow="fold")
    for rule in related:
        tests = f"{len(rule.tests.fires)} fire / {len(rule.tests.does_not_fire)} not"
        table.add_row(
            f"{rule.id} v{rule.version}\n{rule.title or ''}\n{rule.status.value}",
            condition_text(rule.when),
            effect_text(rule.then),
            f"{rule.evidence.value}; {'; '.join(c.key for c in rule.citations)}",
            tests,
        )
    console.print(table)
