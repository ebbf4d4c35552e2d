"""Read rule files into a :class:`KnowledgeBase`, locating every problem at file:line:column.

Loading never raises a bare parser or validation error: YAML syntax errors and
schema violations become :class:`~crampdx.errors.Problem` entries with a stable
code, collected across all files and raised together as one
:class:`~crampdx.errors.RuleFileError`.
"""

from __future__ import annotations

import hashlib
import importlib.resources
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from crampdx.errors import Problem, RuleFileError
from crampdx.kb.model import (
    Cause,
    DerivedDef,
    PhenomenonDef,
    RedFlagDef,
    Reference,
    Rule,
    RuleFile,
    TestDef,
)
from crampdx.yamlpos import Position, locate, parse
from crampdx.yamlpos import positions as yaml_positions

__all__ = [
    "KnowledgeBase",
    "Located",
    "Position",
    "default_rules_dir",
    "load_knowledge_base",
    "read_rule_file",
]


@dataclass(frozen=True, slots=True)
class Located:
    """Where something was defined, for error messages and docs."""

    path: str
    line: int
    column: int
    # Positions of the nodes under this item, keyed by their path inside it.
    positions: dict[tuple[str | int, ...], Position] = field(default_factory=dict, compare=False)

    def at(self, *path: str | int) -> Position:
        """The position of a sub-node, falling back to the closest enclosing node."""
        for depth in range(len(path), -1, -1):
            position = self.positions.get(tuple(path[:depth]))
            if position is not None:
                return position
        return (self.line, self.column)


@dataclass(frozen=True)
class KnowledgeBase:
    """Every definition and rule from one rules folder (or several stacked ones)."""

    causes: dict[str, Cause]
    rules: tuple[Rule, ...]
    references: dict[str, Reference]
    catalogue: dict[str, TestDef]
    red_flags: dict[str, RedFlagDef]
    phenomena: dict[str, PhenomenonDef]
    derived: dict[str, DerivedDef]
    origins: dict[str, Located]  # by rule id, cause id, test id, flag id … and file path
    version: str
    content_hash: str
    sources: tuple[str, ...]

    def rule(self, rule_id: str) -> Rule:
        return next(rule for rule in self.rules if rule.id == rule_id)

    def active_rules(self) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.status.value == "active")


def _group_positions(
    positions: dict[tuple[str | int, ...], Position],
) -> dict[tuple[str | int, ...], dict[tuple[str | int, ...], Position]]:
    """Positions grouped under each top-level item (``("cause",)``, ``("rules", 3)`` …)."""
    groups: dict[tuple[str | int, ...], dict[tuple[str | int, ...], Position]] = {}
    for key, value in positions.items():
        for depth in (1, 2):
            if len(key) >= depth:
                groups.setdefault(key[:depth], {})[key[depth:]] = value
    return groups


def default_rules_dir() -> Path:
    """The knowledge base shipped with crampdx (``rules/`` in a checkout)."""
    packaged = importlib.resources.files("crampdx") / "_rules"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "rules"


def read_rule_file(
    path: Path,
) -> tuple[RuleFile | None, dict[tuple[str | int, ...], Position], list[Problem]]:
    """Parse and validate one file; problems are returned, never raised."""
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        return None, {}, [Problem("CDX-K001", f"cannot read file: {error.strerror}", path=shown)]
    try:
        node, data = parse(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = str(getattr(error, "problem", None) or error)
        line = None if mark is None else mark.line + 1
        column = None if mark is None else mark.column + 1
        return (
            None,
            {},
            [Problem("CDX-K002", f"YAML syntax: {reason}", path=shown, line=line, column=column)],
        )
    if node is None or data is None:
        return RuleFile(), {}, []
    positions = yaml_positions(node)
    if not isinstance(data, dict):
        return (
            None,
            positions,
            [
                Problem(
                    "CDX-K003",
                    "a rule file must be a mapping at the top level",
                    path=shown,
                    line=1,
                    column=1,
                )
            ],
        )
    try:
        return RuleFile.model_validate(data), positions, []
    except ValidationError as error:
        problems = []
        for item in error.errors(include_url=False):
            loc = tuple(item["loc"])
            line, column = locate(loc, positions) or (1, 1)
            rule_id = _rule_id_at(data, loc)
            message = item["msg"]
            if isinstance(item.get("input"), bool):
                message += " (YAML reads bare yes/no/on/off as true/false: quote it)"
            problems.append(
                Problem(
                    "CDX-K004",
                    message,
                    field=".".join(str(part) for part in loc),
                    path=shown,
                    line=line,
                    column=column,
                    rule_id=rule_id,
                )
            )
        return None, positions, problems


def _rule_id_at(data: dict[str, Any], loc: tuple[str | int, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rules = data.get("rules")
        if isinstance(rules, list) and loc[1] < len(rules) and isinstance(rules[loc[1]], dict):
            rule_id = rules[loc[1]].get("id")
            return rule_id if isinstance(rule_id, str) else None
    return None


def _rule_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*.y*ml") if p.suffix in {".yaml", ".yml"})


def load_knowledge_base(
    *directories: str | Path, include_default: bool | None = None, lint: bool = True
) -> KnowledgeBase:
    """Load and check the rules in ``directories``.

    Args:
        directories: rule folders, loaded in order. With none given, the shipped
            knowledge base is loaded.
        include_default: also load the shipped rules first (a hospital's local rules
            *beside* the shipped ones). Defaults to True when no folder is given.
        lint: run the cross-file checks (unknown names, duplicate ids, cycles…).

    Raises:
        RuleFileError: listing every problem with file:line:column and code.
    """
    folders = [Path(d) for d in directories]
    if include_default is None:
        include_default = not folders
    if include_default:
        folders.insert(0, default_rules_dir())
    files: list[Path] = []
    problems: list[Problem] = []
    for folder in folders:
        if not folder.is_dir():
            problems.append(Problem("CDX-K001", "rules folder does not exist", path=str(folder)))
            continue
        files.extend(_rule_files(folder))

    causes: dict[str, Cause] = {}
    rules: list[Rule] = []
    references: dict[str, Reference] = {}
    catalogue: dict[str, TestDef] = {}
    red_flags: dict[str, RedFlagDef] = {}
    phenomena: dict[str, PhenomenonDef] = {}
    derived: dict[str, DerivedDef] = {}
    origins: dict[str, Located] = {}
    digest = hashlib.sha256()

    def place(
        kind: str,
        key: str,
        path: Path,
        positions: dict[tuple[str | int, ...], Position],
        prefix: tuple[str | int, ...],
        groups: dict[tuple[str | int, ...], dict[tuple[str | int, ...], Position]],
    ) -> bool:
        """Record where ``key`` is defined; report a duplicate definition."""
        label = f"{kind}:{key}"
        line, column = positions.get(prefix, (1, 1))
        sub = groups.get(prefix, {})
        if label in origins:
            first = origins[label]
            problems.append(
                Problem(
                    "CDX-L002",
                    f"duplicate {kind} id '{key}' (first defined at {first.path}:{first.line})",
                    path=str(path),
                    line=line,
                    column=column,
                    rule_id=key if kind == "rule" else None,
                )
            )
            return False
        origins[label] = Located(str(path), line, column, sub)
        return True

    for path in files:
        raw = path.read_bytes() if path.is_file() else b""
        digest.update(path.name.encode())
        digest.update(raw)
        parsed, positions, file_problems = read_rule_file(path)
        problems.extend(file_problems)
        if parsed is None:
            continue
        groups = _group_positions(positions)
        if parsed.cause is not None and place(
            "cause", parsed.cause.id, path, positions, ("cause",), groups
        ):
            causes[parsed.cause.id] = parsed.cause
        for section, target, kind in (
            ("references", references, "reference"),
            ("catalogue", catalogue, "test"),
            ("red_flags", red_flags, "red_flag"),
            ("phenomena", phenomena, "phenomenon"),
            ("derived", derived, "derived"),
        ):
            for index, item in enumerate(getattr(parsed, section)):
                key = item.key if isinstance(item, Reference) else item.id
                if place(kind, key, path, positions, (section, index), groups):
                    target[key] = item
        for index, rule in enumerate(parsed.rules):
            if place("rule", rule.id, path, positions, ("rules", index), groups):
                rules.append(rule)
            if parsed.cause is not None and not rule.id.startswith(f"{parsed.cause.id}."):
                line, column = positions.get(("rules", index, "id"), (1, 1))
                problems.append(
                    Problem(
                        "CDX-L003",
                        f"rule id must start with the file's cause id '{parsed.cause.id}.'",
                        path=str(path),
                        line=line,
                        column=column,
                        rule_id=rule.id,
                    )
                )

    from crampdx.__about__ import __version__

    kb = KnowledgeBase(
        causes=causes,
        rules=tuple(rules),
        references=references,
        catalogue=catalogue,
        red_flags=red_flags,
        phenomena=phenomena,
        derived=derived,
        origins=origins,
        version=__version__,
        content_hash=digest.hexdigest(),
        sources=tuple(str(f) for f in folders),
    )
    if lint and not problems:
        from crampdx.kb.lint import lint_knowledge_base

        problems.extend(lint_knowledge_base(kb))
    if problems:
        raise RuleFileError(f"the knowledge base has {len(problems)} problem(s)", tuple(problems))
    return kb
