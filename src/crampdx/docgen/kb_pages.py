"""Knowledge-base pages generated from rules/: one per cause, plus shared definitions.

Everything a reviewer needs to check a rule is on its cause's page: the condition
in words (generated from the rule's data, never written by hand), the effect and
weight, the evidence grade, the full citations, the inline test cases and the file
and line where the rule lives.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from crampdx.kb.load import KnowledgeBase
from crampdx.kb.model import Cause, Citation, Opposes, Rule, Supports
from crampdx.report.conditions import condition_text, effect_text

__all__ = ["ROOT", "cause_path", "knowledge_base_pages"]

ROOT = "knowledge-base"
_SYSTEMS = {
    "snomed_ct": "SNOMED CT",
    "icd10_cm": "ICD-10-CM",
    "omim": "OMIM",
    "loinc": "LOINC",
    "cpt": "CPT",
}


def cause_path(cause: Cause) -> str:
    """Where a cause's page goes, relative to the docs folder."""
    return f"{ROOT}/{cause.category}/{cause.id}.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _sources(kb: KnowledgeBase, citations: Iterable[Citation]) -> list[str]:
    lines = []
    for citation in citations:
        reference = kb.references.get(citation.key)
        text = reference.citation if reference else "(unknown key)"
        locator = f" — {citation.locator}" if citation.locator else ""
        link = f" <{reference.url}>" if reference and reference.url else ""
        lines.append(f"- **{citation.key}**{locator}: {text}{link}")
    return lines


def _snippet(snippet: dict[str, object]) -> str:
    return json.dumps(snippet, ensure_ascii=False, sort_keys=True, default=str)


def _where(kb: KnowledgeBase, key: str, root: Path | None) -> str:
    origin = kb.origins.get(key)
    if origin is None:
        return ""
    path = Path(origin.path)
    if root is not None and path.is_relative_to(root):
        path = path.relative_to(root)
    return f"*Defined in `{path.as_posix()}`, line {origin.line}.*"


def _rule(kb: KnowledgeBase, rule: Rule, root: Path | None) -> list[str]:
    status = "" if rule.status.value == "active" else f" — **{rule.status.value}**"
    lines = [
        f"### {rule.id} (v{rule.version}){status}",
        "",
        f"**{rule.title or rule.id}** — evidence grade **{rule.evidence.value}**",
        "",
        "When:",
        "",
        "```text",
        condition_text(rule.when),
        "```",
        "",
        f"Then: {effect_text(rule.then)}",
        "",
    ]
    if rule.rationale:
        lines += [f"Rationale: {rule.rationale}", ""]
    lines += ["Sources:", "", *_sources(kb, rule.citations), ""]
    tests = [f"- fires on `{_snippet(s)}`" for s in rule.tests.fires]
    tests += [f"- does not fire on `{_snippet(s)}`" for s in rule.tests.does_not_fire]
    if tests:
        lines += ["Inline tests:", "", *tests, ""]
    lines += [_where(kb, f"rule:{rule.id}", root), ""]
    return lines


def _about(rule: Rule, cause_id: str) -> bool:
    effect = rule.then
    if isinstance(effect, Supports):
        return effect.supports == cause_id
    return isinstance(effect, Opposes) and effect.opposes == cause_id


def _cause_page(kb: KnowledgeBase, cause: Cause, root: Path | None) -> str:
    own = [r for r in kb.rules if r.id.startswith(f"{cause.id}.")]
    elsewhere = [r for r in kb.rules if not r.id.startswith(f"{cause.id}.") and _about(r, cause.id)]
    codes = "; ".join(
        f"{_SYSTEMS.get(system, system)} {', '.join(values)}"
        for system, values in cause.codes.model_dump().items() if values
    )  # fmt: skip
    confirm = ", ".join(
        f"`{t}` ({kb.catalogue[t].name})" if t in kb.catalogue else f"`{t}`"
        for t in cause.confirm_with
    )
    mechanisms = ", ".join(
        f"[{kb.causes[m].name}](../{kb.causes[m].category}/{m}.md)" if m in kb.causes else m
        for m in cause.mechanisms
    )
    lines = [
        f"# {cause.name}",
        "",
        "<!-- Generated from rules/ by crampdx.docgen: do not edit. -->",
        "",
        f"`{cause.id}` · category **{cause.category}** · version {cause.version} · "
        f"prior **{cause.prior:+g}** log-odds · urgency when leading **{cause.urgency}**"
        + (" · **mimic of cramp**" if cause.mimic else ""),
        "",
    ]
    if codes:
        lines += [f"Codes: {codes}", ""]
    lines += [f"> {cause.rationale.strip()}", ""]
    if confirm:
        lines += [f"**Confirm or exclude with:** {confirm}", ""]
    if mechanisms:
        lines += [f"**Acts through:** {mechanisms}", ""]
    lines += ["**Sources:**", "", *_sources(kb, cause.citations), ""]
    lines += [_where(kb, f"cause:{cause.id}", root), "", f"## Rules ({len(own)})", ""]
    for rule in own:
        lines += _rule(kb, rule, root)
    if elsewhere:
        lines += [f"## Rules in other files about {cause.name}", ""]
        for rule in elsewhere:
            lines += _rule(kb, rule, root)
    return "\n".join(lines)


def _index(kb: KnowledgeBase) -> str:
    counts: dict[str, int] = {}
    for rule in kb.rules:
        for cause_id in kb.causes:
            if rule.id.startswith(f"{cause_id}.") or _about(rule, cause_id):
                counts[cause_id] = counts.get(cause_id, 0) + 1
    lines = [
        "# Knowledge base",
        "",
        "<!-- Generated from rules/ by crampdx.docgen: do not edit. -->",
        "",
        f"{len(kb.causes)} causes, {len(kb.rules)} rules, {len(kb.catalogue)} workup tests, "
        f"{len(kb.red_flags)} red flags and {len(kb.references)} references "
        f"(knowledge base {kb.version}, content sha256 `{kb.content_hash[:12]}`).",
        "",
        "Each cause page shows every rule about the cause, in words generated from the rule",
        "itself, with its weight, evidence grade, citations and inline tests. Priors and",
        "weights are log-odds: see [how crampdx scores](../scoring.md).",
        "",
    ]
    categories = sorted({c.category for c in kb.causes.values()})
    for category in categories:
        lines += [
            f"## {category.replace('_', ' ').capitalize()}",
            "",
            "| Cause | Id | Prior | Urgency | Rules |",
            "| --- | --- | --- | --- | --- |",
        ]
        for cause in sorted(kb.causes.values(), key=lambda c: c.name):
            if cause.category != category:
                continue
            mimic = " (mimic)" if cause.mimic else ""
            lines.append(
                f"| [{cause.name}]({cause.category}/{cause.id}.md){mimic} | `{cause.id}` | "
                f"{cause.prior:+g} | {cause.urgency} | {counts.get(cause.id, 0)} |"
            )
        lines.append("")
    lines += _shared(kb)
    return "\n".join(lines)


def _shared(kb: KnowledgeBase) -> list[str]:
    lines = [
        "## Red flags",
        "",
        "| Red flag | Urgency | Action | Raised by |",
        "| --- | --- | --- | --- |",
    ]
    for flag in sorted(kb.red_flags.values(), key=lambda f: f.id):
        raised = ", ".join(
            f"`{r.id}`" for r in kb.rules if getattr(r.then, "red_flag", None) == flag.id
        )
        lines.append(
            f"| {_cell(flag.name)} (`{flag.id}`) | {flag.urgency} | "
            f"{_cell(flag.action)} | {raised or '—'} |"
        )
    lines += [
        "",
        "## Workup catalogue",
        "",
        "| Tier | Test | Category | Cost | Invasiveness | After | Confirms |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for test in sorted(kb.catalogue.values(), key=lambda t: (t.tier, t.id)):
        confirms = ", ".join(c.id for c in kb.causes.values() if test.id in c.confirm_with)
        lines.append(
            f"| {test.tier} | {_cell(test.name)} (`{test.id}`) | {test.category} | {test.cost} | "
            f"{test.invasiveness} | {', '.join(test.prerequisites) or '—'} | "
            f"{_cell(confirms) or '—'} |"
        )
    lines += [
        "",
        "## Cramp or mimic: the gate",
        "",
        "| Phenomenon | True cramp | Description |",
        "| --- | --- | --- |",
    ]
    for phenomenon in kb.phenomena.values():
        lines.append(
            f"| {_cell(phenomenon.name)} (`{phenomenon.id}`) | "
            f"{'yes' if phenomenon.true_cramp else 'no'} | "
            f"{_cell(phenomenon.description)} |"
        )
    lines += [
        "",
        "## Derived findings",
        "",
        "| Finding | Meaning | Derived by |",
        "| --- | --- | --- |",
    ]
    for derived in sorted(kb.derived.values(), key=lambda d: d.id):
        rules = ", ".join(
            f"`{r.id}`" for r in kb.rules if getattr(r.then, "derive", None) == derived.id
        )
        lines.append(f"| `{derived.id}` | {_cell(derived.description)} | {rules or '—'} |")
    lines += ["", "## References", ""]
    for reference in sorted(kb.references.values(), key=lambda r: r.key.lower()):
        extra = " ".join(
            part for part in (
                f"PMID {reference.pmid}" if reference.pmid else "",
                f"doi:{reference.doi}" if reference.doi else "",
                f"<{reference.url}>" if reference.url else "",
            ) if part
        )  # fmt: skip
        lines.append(f"- **{reference.key}**: {reference.citation} {extra}".rstrip())
    return [*lines, ""]


def knowledge_base_pages(kb: KnowledgeBase, root: Path | None = None) -> dict[str, str]:
    """Every generated page, keyed by its path relative to the docs folder.

    Args:
        kb: the knowledge base to document.
        root: the project root; file paths under it are shown relative to it.
    """
    pages = {f"{ROOT}/index.md": _index(kb)}
    for cause in kb.causes.values():
        pages[cause_path(cause)] = _cause_page(kb, cause, root)
    return pages
