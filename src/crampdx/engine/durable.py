"""The durable_rules adapter (placeholder until the guarded adapter lands)."""

from __future__ import annotations

from collections.abc import Mapping

from crampdx.engine.base import CompiledKnowledgeBase, EngineName, Evaluation
from crampdx.errors import EngineUnavailableError
from crampdx.facts import FactValue


def is_available() -> bool:
    return False


def unavailable_reason() -> str:
    return "the durable adapter is not built yet"


class DurableEngine:
    name: EngineName = "durable"

    def __init__(self, compiled: CompiledKnowledgeBase) -> None:
        raise EngineUnavailableError(unavailable_reason())

    def evaluate(self, facts: Mapping[str, FactValue]) -> Evaluation:
        raise EngineUnavailableError(unavailable_reason())
