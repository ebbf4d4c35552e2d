"""The engine interface: what every rule engine must do, and how one is chosen."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Literal, Protocol

from crampdx.errors import EngineUnavailableError
from crampdx.facts import FactSpec, FactValue
from crampdx.kb.compile import CompiledRule, compile_rules
from crampdx.kb.load import KnowledgeBase

__all__ = [
    "CompiledKnowledgeBase",
    "Engine",
    "EngineName",
    "Evaluation",
    "available_engines",
    "get_engine",
]

EngineName = Literal["durable", "reference"]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What an engine computed for one patient: the rules that fired and what they derived.

    Both tuples are sorted, so two engines agree exactly when the evaluations are equal.
    """

    fired: tuple[str, ...]
    derived: tuple[str, ...]


class CompiledKnowledgeBase:
    """A knowledge base with its rules compiled and layered, shared by every engine."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.rules: tuple[CompiledRule, ...] = compile_rules(kb.rules)
        self._engines: dict[str, Engine] = {}
        self._engines_lock = threading.Lock()

    def engine(self, name: EngineName | str | None = None) -> Engine:
        """The engine called ``name`` for this knowledge base, built once and reused."""
        key = name or available_engines()[0]
        with self._engines_lock:
            if key not in self._engines:
                self._engines[key] = get_engine(self, key)
            return self._engines[key]

    @cached_property
    def rule_index(self) -> dict[str, CompiledRule]:
        """Compiled rules by id."""
        return {rule.id: rule for rule in self.rules}

    @cached_property
    def rules_for_cause(self) -> dict[str, tuple[CompiledRule, ...]]:
        """The supports/opposes rules of each cause, in rule order."""
        grouped: dict[str, list[CompiledRule]] = {}
        for rule in self.rules:
            effect = rule.rule.then
            target = getattr(effect, "supports", None) or getattr(effect, "opposes", None)
            if isinstance(target, str):
                grouped.setdefault(target, []).append(rule)
        return {cause: tuple(rules) for cause, rules in grouped.items()}

    @cached_property
    def vocabulary(self) -> dict[str, FactSpec]:
        """Every fact name these rules may use (record, catalogue results, derived)."""
        from crampdx.kb.lint import vocabulary_for

        return vocabulary_for(self.kb)

    @cached_property
    def findings(self) -> frozenset[str]:
        """Every fact name some rule reads: other facts can be ignored by engines."""
        return frozenset(name for rule in self.rules for name in rule.findings)

    def relevant(self, facts: Mapping[str, FactValue]) -> dict[str, FactValue]:
        """The facts some rule reads, in name order."""
        wanted = self.findings
        return {name: facts[name] for name in sorted(facts) if name in wanted}


class Engine(Protocol):
    """Evaluates a compiled knowledge base on one patient's facts.

    Implementations must be safe to call from several threads, and must never let
    one patient's facts be seen while evaluating another's.
    """

    name: EngineName

    def evaluate(self, facts: Mapping[str, FactValue]) -> Evaluation:
        """Fire every rule whose condition is true on ``facts`` (plus derived facts)."""
        ...


def available_engines() -> tuple[EngineName, ...]:
    """Engines that can run in this interpreter, preferred first."""
    from crampdx.engine import durable

    return ("durable", "reference") if durable.is_available() else ("reference",)


def get_engine(compiled: CompiledKnowledgeBase, name: EngineName | str | None = None) -> Engine:
    """The engine called ``name`` for ``compiled``; the default is durable where it imports.

    Raises:
        EngineUnavailableError: the engine is unknown or cannot run here.
    """
    from crampdx.engine.reference import ReferenceEngine

    chosen = name or available_engines()[0]
    if chosen == "reference":
        return ReferenceEngine(compiled)
    if chosen == "durable":
        from crampdx.engine import durable

        if not durable.is_available():
            raise EngineUnavailableError(
                f"the durable engine cannot run here: {durable.unavailable_reason()}; "
                "use engine='reference'"
            )
        return durable.DurableEngine(compiled)
    raise EngineUnavailableError(f"unknown engine {chosen!r}; choose 'durable' or 'reference'")
