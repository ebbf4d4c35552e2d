"""Rule engines: a guarded durable_rules adapter and a pure-Python reference evaluator."""

from crampdx.engine.base import (
    CompiledKnowledgeBase,
    Engine,
    EngineName,
    Evaluation,
    available_engines,
    get_engine,
)

__all__ = [
    "CompiledKnowledgeBase",
    "Engine",
    "EngineName",
    "Evaluation",
    "available_engines",
    "get_engine",
]
